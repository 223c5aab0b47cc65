"""Priorities voted from phones: the facilitator puts them to the room and, once voting
has closed, puts the room's totals on the plan; what the phone's ballot shows.

The phone's own post is in views.phone_forms, which shows the room's page again.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, QueryDict
from django.views.decorators.cache import never_cache

from workshops.access import POST_ONLY, get_dot_vote, get_workshop
from workshops.forms.dots import DotVoteForm
from workshops.models import Workshop, WorkshopError
from workshops.services import dots, idea_outcomes
from workshops.views.common import for_the_room, integer, posted, put_to_room_page
from workshops.views.workshop import back_to_console

State = Workshop.State


@never_cache
@login_required
def dots_new(request: HttpRequest, partnership_id: int, assessment_id: int, workshop_id: int):
    """Choose the candidates (the plan's priorities, or typed) and put them to the room."""
    workshop, _ = get_workshop(request, partnership_id, assessment_id, workshop_id)
    candidates = dots.candidates_from_plan(workshop)
    initial = {}
    if request.GET.get("from") == "ideas":  # the room's approved ideas, to vote on
        initial["typed"] = "\n".join(idea_outcomes.candidates_for_dots(workshop))
    form = DotVoteForm(posted(request), candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vote = dots.put_to_room(
                workshop,
                title=data["title"],
                priorities=list(data["priorities"]),
                typed=form.typed_lines,
                mode=data["mode"],
                dots=data["dots"],
                most_per_candidate=data["most_per_candidate"],
                by=request.user,
            )
        except WorkshopError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"“{vote}” is on the room's phones: open voting when ready.")
            return back_to_console(workshop)
    return put_to_room_page(
        request, workshop, form, "Put priorities to the room", "workshops/workshop/dots_new.html"
    )


@never_cache
@login_required
def dots_on_plan(request: HttpRequest, partnership_id, assessment_id, workshop_id, vote_id):
    """Put the room's totals on the plan's priorities, which they order."""
    vote, _ = get_dot_vote(
        request, partnership_id, assessment_id, workshop_id, vote_id, methods=POST_ONLY
    )
    try:
        changed = dots.put_on_plan(vote, by=request.user)
    except WorkshopError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"The room's totals for “{vote}” are on the plan and order its priorities "
            f"({changed} changed).",
        )
    return back_to_console(vote.workshop)


def _whole(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:  # letters, or digits int() cannot read ("²")
        return None


def _posted_dots(data: QueryDict) -> tuple[dict[int, int], list[str]]:
    """The dots a phone sent, by candidate id, and what could not be read."""
    given, problems = {}, []
    for name in data:
        if not name.startswith("dots-"):
            continue
        pk = _whole(name[5:])
        count = integer(data, name, default=0)
        if pk is None or count is None:
            problems.append("Enter each priority's dots as a whole number, like 1.")
            continue
        given[pk] = count
    return given, problems


def _posted_order(data: QueryDict) -> list[int] | None:
    """A ranking as sent, with a move up or down applied; None if it cannot be read."""
    order = [_whole(value) for value in data.getlist("order")]
    if None in order:
        return None
    direction, _, moved = data.get("move", "").partition(":")
    moved_pk = _whole(moved)
    if moved_pk in order and direction in ("up", "down"):
        at = order.index(moved_pk)
        other = at - 1 if direction == "up" else at + 1
        if 0 <= other < len(order):
            order[at], order[other] = order[other], order[at]
    return order


def allocate_posted(workshop: Workshop, participant_id: int, data: QueryDict) -> str:
    """Store what a phone posted; returns what to tell it. Raises WorkshopError."""
    vote_id = integer(data, "vote")
    if vote_id is None:
        raise dots.DotsError("That did not say which vote it was for. Reload the page.")
    vote = workshop.dot_votes.filter(pk=vote_id).first()
    if vote is not None and vote.is_ranking:
        order = _posted_order(data)
        if order is None:
            raise dots.DotsError("Your order could not be read. Reload the page and try again.")
        dots.allocate(workshop, participant_id, vote_id, order)
        return "Your order is in. You can change it until voting closes."
    given, problems = _posted_dots(data)
    if problems:
        raise dots.DotsError(problems[0])
    dots.allocate(workshop, participant_id, vote_id, given)
    placed = sum(given.values())
    are = "dot is" if placed == 1 else "dots are"
    return f"Your {placed} {are} in. You can change them until voting closes."


def room_context(workshop: Workshop, participant_id: int, data: QueryDict | None = None) -> dict:
    """The phone's ballot for the vote the room is on: this phone's dots (or what it
    just sent, when refused), or its order; the totals once revealed."""
    vote = workshop.dots
    stored = dots.mine(vote, participant_id)
    candidates = list(for_the_room(workshop, "candidates", lambda: list(vote.candidates.all())))
    context = {"dot_vote": vote, "dot_stored": stored is not None}
    if vote.is_ranking:
        points = stored or {}
        if data is not None:
            order = _posted_order(data) or []
            points = {pk: -n for n, pk in enumerate(order)}
        candidates.sort(key=lambda c: (-points.get(c.pk, -999), c.position))
        context["dot_rows"] = [{"candidate": c} for c in candidates]
    else:
        sent = {f"dots-{c.pk}": str((stored or {}).get(c.pk, 0)) for c in candidates}
        if data is not None:
            sent.update({k: v for k, v in data.items() if k.startswith("dots-")})
        context["dot_rows"] = [
            {"candidate": c, "value": sent.get(f"dots-{c.pk}", "0")} for c in candidates
        ]
        context["dot_placed"] = sum((stored or {}).values())
    if workshop.state == State.REVEALED:
        context["dot_totals"] = for_the_room(workshop, "dot_totals", lambda: dots.totals(vote))
    return context
