"""Ideas from phones: the facilitator asks the room, moderates what arrives (approve,
hide, merge, group) and turns approved ideas into the question's outcome, priorities or
draft actions; what the phone and the screens show of a collection.

The phone's own post is in views.phone_forms, which shows the room's page again. Every
step here is a plain form post that comes back to the console.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, QueryDict
from django.views.decorators.cache import never_cache

from workshops.access import POST_ONLY, get_idea, get_idea_collection, get_workshop
from workshops.forms.ideas import IdeaPromptForm
from workshops.models import IdeaCollection, Workshop, WorkshopError
from workshops.models.ideas import IDEA_LENGTH
from workshops.services import idea_outcomes, ideas
from workshops.views.common import integer, posted, put_to_room_page
from workshops.views.workshop import back_to_console

State = Workshop.State


@never_cache
@login_required
def ideas_new(request: HttpRequest, partnership_id: int, assessment_id: int, workshop_id: int):
    """Ask the room for ideas: on an open question of the agenda, or a typed prompt."""
    workshop, _ = get_workshop(request, partnership_id, assessment_id, workshop_id)
    initial = {"agenda_item": integer(request.GET, "item")}
    form = IdeaPromptForm(posted(request), workshop=workshop, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            collection = ideas.put_to_room(
                workshop,
                prompt=form.cleaned_data["prompt"],
                agenda_item=form.cleaned_data["agenda_item"],
                by=request.user,
            )
        except WorkshopError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"“{collection}” is on the room's phones: open collecting when ready."
            )
            return back_to_console(workshop)
    return put_to_room_page(
        request, workshop, form, "Ask the room for ideas", "workshops/workshop/ideas_new.html"
    )


def _shown(data: QueryDict) -> dict[int, int]:
    """The ideas the console showed, as ``id:revision`` pairs."""
    shown = {}
    for pair in data.getlist("shown"):
        pk, _, revision = pair.partition(":")
        if pk.isdigit() and revision.isdigit():
            shown[int(pk)] = int(revision)
    return shown


def _approved(request: HttpRequest, collection: IdeaCollection, shown: dict[int, int]) -> None:
    approved, changed = ideas.approve(collection, shown, by=request.user)
    if changed:
        messages.warning(
            request,
            f"Nothing approved: {changed} idea{'s' if changed != 1 else ''} changed since "
            "your page showed them. Read them again, then approve.",
        )
    else:
        messages.success(
            request, f"{approved} idea{'s' if approved != 1 else ''} approved for the screen."
        )


def _to_plan(request: HttpRequest, collection: IdeaCollection, step: str, **chosen) -> None:
    if step == "priority":
        priority = idea_outcomes.to_priority(collection, by=request.user, **chosen)
        messages.success(request, f"“{priority.text}” is a priority on the plan.")
    else:
        action = idea_outcomes.to_draft_action(collection, request.user, by=request.user, **chosen)
        messages.success(request, f"“{action}” is a draft action on the plan.")


@never_cache
@login_required
def ideas_moderate(request: HttpRequest, partnership_id, assessment_id, workshop_id, collection_id):
    """A step on the whole collection: approve every idea shown, add a heading, record
    the approved ideas as the question's outcome, or put a heading's on the plan."""
    collection, _ = get_idea_collection(
        request, partnership_id, assessment_id, workshop_id, collection_id, methods=POST_ONLY
    )
    step = request.POST.get("step", "")
    try:
        if step == "approve":
            _approved(request, collection, _shown(request.POST))
        elif step == "heading":
            group = ideas.add_group(collection, request.POST.get("heading", ""), by=request.user)
            messages.success(request, f"Heading “{group}” added: put ideas under it.")
        elif step == "outcome":
            agenda_item = idea_outcomes.record_outcome(collection, by=request.user)
            messages.success(
                request,
                f"The approved ideas are recorded as the outcome of {agenda_item.item.key}.",
            )
        elif step in ("priority", "draft"):
            _to_plan(request, collection, step, group_id=integer(request.POST, "group"))
        else:
            messages.error(request, "That is not something ideas can do.")
    except WorkshopError as exc:
        messages.error(request, str(exc))
    return back_to_console(collection.workshop)


@never_cache
@login_required
def idea_moderate(
    request: HttpRequest, partnership_id, assessment_id, workshop_id, collection_id, idea_id
):
    """A step on one idea: approve it (as shown), hide it or bring it back, merge it into
    another, put it under a heading, or put it on the plan."""
    idea, _ = get_idea(
        request,
        partnership_id,
        assessment_id,
        workshop_id,
        collection_id,
        idea_id,
        methods=POST_ONLY,
    )
    collection, step = idea.collection, request.POST.get("step", "")
    try:
        if step == "approve":
            _approved(request, collection, {idea.pk: integer(request.POST, "revision") or 0})
        elif step in ("hide", "show"):
            ideas.hide(collection, idea.pk, step == "hide", by=request.user)
            said = "hidden from the room" if step == "hide" else "back for moderation"
            messages.success(request, f"“{idea}” is {said}.")
        elif step == "merge":
            into = ideas.merge(collection, idea.pk, integer(request.POST, "into"), by=request.user)
            messages.success(request, f"“{idea}” is merged into “{into}”.")
        elif step == "group":
            ideas.put_in_group(collection, idea.pk, integer(request.POST, "group"), by=request.user)
            messages.success(request, f"“{idea}” has moved.")
        elif step in ("priority", "draft"):
            _to_plan(request, collection, step, idea_id=idea.pk)
        else:
            messages.error(request, "That is not something an idea can do.")
    except WorkshopError as exc:
        messages.error(request, str(exc))
    return back_to_console(collection.workshop)


# --- What the screens show -------------------------------------------------------------


def room_context(
    workshop: Workshop, participant_id: int, data: QueryDict | None = None, error: str = ""
) -> dict:
    """The phone's part for the collection the room is on: its own ideas to change,
    and a new one to send; when a send was refused, the words as sent and why."""
    collection = workshop.ideas
    mine = ideas.mine(collection, participant_id)
    editing = integer(data, "save") if data is not None else None
    for n, idea in enumerate(mine, 1):
        idea.value, idea.field_id, idea.label = idea.text, f"idea-{idea.pk}", f"Your idea {n}"
        if editing == idea.pk and data is not None:
            idea.value, idea.error = data.get("text", "")[:2000], error
    context = {
        "idea_collection": collection,
        "my_ideas": mine,
        "idea_token": secrets.token_urlsafe(12),
        "idea_length": IDEA_LENGTH,
        "ideas_mine_mark": "-".join(f"{i.pk}.{i.revision}" for i in mine),
    }
    if data is not None and error and editing is None:
        context["idea_text"] = data.get("text", "")[:2000]
        context["idea_error"] = error
        context["idea_token"] = data.get("token", "")[:40] or context["idea_token"]
    if error:
        context["idea_problems"] = [error]
        context["idea_problem_link"] = f"idea-{editing}" if editing else "idea-text"
    return context


def phone_post(workshop: Workshop, participant_id: int, data: QueryDict) -> str:
    """Store what a phone posted (a new idea, a change, or a deletion); returns what to
    tell it. Raises WorkshopError, storing nothing."""
    collection_id = integer(data, "collection")
    if "delete" in data:
        ideas.delete(workshop, participant_id, collection_id, integer(data, "delete"))
        return "Your idea is deleted."
    if "save" in data:
        ideas.edit(
            workshop, participant_id, collection_id, integer(data, "save"), data.get("text", "")
        )
        return "Your idea is changed. You can change it until collecting closes."
    _, new = ideas.send(
        workshop, participant_id, collection_id, data.get("text", ""), data.get("token", "")
    )
    if not new:
        return "You had already sent that idea: it is stored once."
    return "Your idea is in. Send another, or change it until collecting closes."


def still_collecting(workshop: Workshop, data: QueryDict) -> bool:
    """Whether the phone's page is still the room's: a refusal is shown on it, else the
    phone goes to where the room now is."""
    return workshop.state == State.VOTING and str(workshop.ideas_id) == data.get("collection")
