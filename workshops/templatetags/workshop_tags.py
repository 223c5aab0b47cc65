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

# The facilitator's steps for the room, in the order they appear; each shows only
# in the states the workshop allows it from. Not among them: showing the remote
# questionnaire's answers (a choice of what the count shows, offered beside it),
# finishing (a link to a page that asks first) and reopening (once finished).
CONTROLS = [
    ("open", "Open voting", ""),
    ("close", "Close voting", ""),
    ("reveal", "Reveal results", ""),
    ("hide", "Hide results", "govuk-button--secondary"),
    ("previous", "Previous item", "govuk-button--secondary"),
    ("next", "Next item", "govuk-button--secondary"),
    ("skip", "Skip this item", "govuk-button--secondary"),
]


@register.filter
def state_colour(state: str) -> str:
    return COLOURS.get(state, "")


@register.filter
def controls(workshop: Workshop, on_last_item: bool = False) -> list[tuple[str, str, str]]:
    """The buttons for the workshop's state. On the agenda's last item there is no next
    item (or skipping to one): moving on from it would finish the workshop unasked."""
    shown = []
    for action, label, style in CONTROLS:
        if workshop.state not in Workshop.ALLOWED[action]:
            continue
        if on_last_item and action in ("next", "skip"):
            continue
        if action == "next" and workshop.state == State.LOBBY:
            label, style = "Start with the first item", ""
        if action == "open" and workshop.state == State.CLOSED:
            label = "Reopen voting"
        shown.append((action, label, style))
    return shown


@register.filter
def may_finish(workshop: Workshop) -> bool:
    """Whether the console offers finishing: once started, and while the workshop allows it."""
    return workshop.state != State.LOBBY and workshop.state in Workshop.ALLOWED["finish"]


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
