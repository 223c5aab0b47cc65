"""Template helpers for the workshop screens."""

from __future__ import annotations

from django import template

from workshops.models import Workshop

register = template.Library()
State = Workshop.State

COLOURS = {
    State.LOBBY: "govuk-tag--grey",
    State.READY: "govuk-tag--blue",
    State.VOTING: "govuk-tag--green",
    State.CLOSED: "govuk-tag--yellow",
    State.REVEALED: "govuk-tag--purple",
    State.FINISHED: "govuk-tag--grey",
}

# The facilitator's buttons, in the order they appear; each shows only in
# the states the workshop allows it from.
CONTROLS = [
    ("open", "Open voting", ""),
    ("close", "Close voting", ""),
    ("reveal", "Reveal results", ""),
    ("hide", "Hide results", "govuk-button--secondary"),
    ("previous", "Previous item", "govuk-button--secondary"),
    ("next", "Next item", "govuk-button--secondary"),
    ("skip", "Skip this item", "govuk-button--secondary"),
    ("show_remote", "", "govuk-button--secondary"),
    ("finish", "Finish workshop", "govuk-button--warning"),
]


@register.filter
def state_colour(state: str) -> str:
    return COLOURS.get(state, "")


@register.filter
def controls(workshop: Workshop) -> list[tuple[str, str, str]]:
    shown = []
    for action, label, style in CONTROLS:
        if workshop.state not in Workshop.ALLOWED[action]:
            continue
        if action == "next" and workshop.state == State.LOBBY:
            label, style = "Start with the first item", ""
        if action == "open" and workshop.state == State.CLOSED:
            label = "Reopen voting"
        if action == "show_remote":
            label = (
                "Hide the remote questionnaire's answers"
                if workshop.show_remote
                else "Show the remote questionnaire's answers beside the room's"
            )
        shown.append((action, label, style))
    return shown


@register.filter
def agreed_summary(entry) -> str:
    """What the room agreed on an item, in one line for the projector."""
    parts = []
    if entry.agreed_internal:
        parts.append(f"{entry.agreed_internal} against our own plans")
    if entry.agreed_external:
        parts.append(f"{entry.agreed_external} against other LSPs")
    if entry.agreed_choice:
        parts.append(entry.get_agreed_choice_display())
    if entry.investigate:
        parts.append("to investigate")
    return "; ".join(parts) or "see the notes"
