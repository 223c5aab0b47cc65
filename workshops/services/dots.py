"""Priorities voted from phones: putting a dot vote (or a ranking) to the room, storing
each phone's one allocation, the room's totals, and putting them on the plan.

A vote put to the room takes the current item's place (``Workshop.dots``) and goes
through the same steps: open, close, reveal. A phone's allocation is stored only while
voting is open on this vote and the phone's participant is still in the workshop, with
the same key-share locks as a rating (services.voting), so closing or removing someone
waits for the allocations under way and refuses those after.

In a ranking each phone puts the candidates in order, counted as a Borda count: of n
candidates, the first gets n - 1 points and the last none.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from workshops import audit
from workshops.models import (
    DotAllocation,
    DotCandidate,
    DotMark,
    DotVote,
    Priority,
    Workshop,
    WorkshopError,
)
from workshops.models.dots import MOST_CANDIDATES, MOST_DOTS
from workshops.services.plan import plan_for
from workshops.services.priorities import order_priorities_by_votes, set_all_votes
from workshops.services.voting import locked_if_open
from workshops.services.workshop import lock_workshop, save_workshop

State = Workshop.State
# Steps from which a vote can be put to the room: as for moving to the next item.
PUT_FROM = Workshop.ALLOWED["next"]


class DotsError(WorkshopError):
    """An allocation or a vote that cannot be taken; nothing was stored."""


# --- Putting a vote to the room ------------------------------------------------


def candidates_from_plan(workshop: Workshop) -> list[Priority]:
    """The plan's priorities still on its list, in the plan's order (none before the
    plan is started: reading this page makes no plan)."""
    return list(Priority.objects.filter(plan__assessment_id=workshop.assessment_id, dropped=False))


def put_to_room(
    workshop: Workshop,
    *,
    title: str,
    priorities: list[Priority],
    typed: list[str],
    mode: str = DotVote.Mode.DOTS,
    dots: int = 3,
    most_per_candidate: int = 1,
    expected_version: int | None = None,
    by=None,
) -> DotVote:
    """Make a vote of these candidates and put it to the room, ready to open.

    ``priorities`` are the plan's (checked to be this assessment's by the caller's
    query); ``typed`` are new candidates, which become priorities only with the totals.
    """
    texts = [(p.text, p) for p in priorities]
    known = {p.text.strip().casefold() for p in priorities}
    for text in typed:
        if text.strip() and text.strip().casefold() not in known:
            known.add(text.strip().casefold())
            texts.append((text.strip(), None))
    if len(texts) < 2:
        raise DotsError("Choose or type at least two priorities to vote on.")
    if len(texts) > MOST_CANDIDATES:
        raise DotsError(f"Put at most {MOST_CANDIDATES} priorities to the room at once.")
    if mode == DotVote.Mode.DOTS:
        if not 1 <= dots <= MOST_DOTS:
            raise DotsError(f"Give each phone from 1 to {MOST_DOTS} dots.")
        if not 1 <= most_per_candidate <= dots:
            raise DotsError(
                "The most dots on one priority must be at least 1 and no more than the dots "
                "each phone has."
            )
    with transaction.atomic():
        workshop = lock_workshop(workshop.pk, expected_version)
        workshop.check_allowed("next")
        vote = DotVote.objects.create(
            workshop=workshop,
            title=title,
            mode=mode,
            dots=dots if mode == DotVote.Mode.DOTS else 0,
            most_per_candidate=most_per_candidate if mode == DotVote.Mode.DOTS else 0,
        )
        DotCandidate.objects.bulk_create(
            DotCandidate(vote=vote, text=text, priority=priority, position=n)
            for n, (text, priority) in enumerate(texts, 1)
        )
        workshop.dots, workshop.ideas = vote, None
        workshop.state, workshop.voting_closes_at = State.READY, None
        save_workshop(workshop, "dots", "ideas", "state", "voting_closes_at")
        audit.record(
            "dots.put_to_room",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Workshop “{workshop}”",
            data={
                "workshop": workshop.title,
                "id": workshop.pk,
                "vote": vote.pk,
                "title": title,
                "mode": mode,
                "candidates": len(texts),
                "dots": vote.dots,
                "most_per_candidate": vote.most_per_candidate,
            },
        )
    return vote


# --- A phone's allocation --------------------------------------------------------


def check_dots(vote: DotVote, given: dict[int, int]) -> dict[int, int]:
    """The dots as they will be stored, or DotsError saying what is wrong."""
    candidates = set(vote.candidates.values_list("pk", flat=True))
    if any(pk not in candidates for pk in given):
        raise DotsError("That priority is not on this vote. Reload the page and try again.")
    if any(count < 0 for count in given.values()):
        raise DotsError("Dots cannot be fewer than none.")
    if any(count > vote.most_per_candidate for count in given.values()):
        most = vote.most_per_candidate
        raise DotsError(
            f"You can put at most {most} dot{'s' if most != 1 else ''} on one priority."
        )
    placed = sum(given.values())
    if placed > vote.dots:
        raise DotsError(
            f"You placed {placed} dots but have {vote.dots}. Take some off and send again."
        )
    if placed == 0:
        raise DotsError("Place at least one dot before sending.")
    return {pk: count for pk, count in given.items() if count}


def borda(vote: DotVote, order: list[int]) -> dict[int, int]:
    """The points of one phone's order: every candidate once, first the most."""
    candidates = list(vote.candidates.values_list("pk", flat=True))
    if sorted(order) != sorted(candidates):
        raise DotsError("Put every priority on this vote in order, each once. Reload the page.")
    return {pk: len(order) - 1 - n for n, pk in enumerate(order)}


def _store_if_voting(workshop_id: int, vote_id: int, participant_id: int, points: dict) -> bool:
    """Replace the participant's allocation, only if voting is open on this vote and they
    are still in the workshop; the key-share locks are voting's (see its upsert)."""
    now = timezone.now()
    with transaction.atomic():
        if not locked_if_open(workshop_id, participant_id, on="dots_id", target_id=vote_id):
            return False
        # One row per participant and vote. The upsert holds that row's lock to the end,
        # so a second send (or two at once) waits, then replaces the marks whole.
        DotAllocation.objects.bulk_create(
            [DotAllocation(vote_id=vote_id, participant_id=participant_id, updated_at=now)],
            update_conflicts=True,
            unique_fields=["vote", "participant"],
            update_fields=["updated_at"],
        )
        allocation = DotAllocation.objects.get(vote_id=vote_id, participant_id=participant_id)
        allocation.marks.all().delete()
        DotMark.objects.bulk_create(
            DotMark(allocation=allocation, candidate_id=pk, points=n)
            for pk, n in points.items()
            if n
        )
    return True


def allocate(workshop: Workshop, participant_id: int, vote_id: int, given) -> DotVote:
    """Store a phone's dots ({candidate id: dots}) or, in a ranking, its order (a list
    of candidate ids), replacing what it sent before. Refused whole, storing nothing,
    when anything in it is wrong."""
    vote = workshop.dot_votes.filter(pk=vote_id).first()
    if vote is None or workshop.dots_id != vote.pk:
        raise DotsError("Voting on that has closed. What the room is on now is shown.")
    points = borda(vote, given) if vote.is_ranking else check_dots(vote, given)
    if not _store_if_voting(workshop.pk, vote.pk, participant_id, points):
        raise DotsError("Voting on this has closed, so your dots were not counted.")
    return vote


def mine(vote: DotVote, participant_id: int) -> dict[int, int] | None:
    """What this phone stored on the vote, or None."""
    allocation = vote.allocations.filter(participant_id=participant_id).first()
    if allocation is None:
        return None
    return dict(allocation.marks.values_list("candidate_id", "points"))


# --- The room's totals -----------------------------------------------------------


@dataclass(frozen=True)
class Total:
    candidate: DotCandidate
    points: int


def voted(vote: DotVote) -> int:
    return vote.allocations.count()


def totals(vote: DotVote) -> list[Total]:
    """Each candidate's dots (or Borda points), most first, the vote's order breaking ties."""
    sums = dict(
        DotMark.objects.filter(allocation__vote=vote)
        .values("candidate")
        .annotate(total=Sum("points"))
        .values_list("candidate", "total")
    )
    candidates = list(vote.candidates.all())
    ranked = sorted(candidates, key=lambda c: (-sums.get(c.pk, 0), c.position))
    return [Total(c, sums.get(c.pk, 0)) for c in ranked]


def put_on_plan(vote: DotVote, *, by=None) -> int:
    """The room's totals become the plan's priorities' dots, and order them: a typed
    candidate becomes a priority. Putting them on again changes nothing more.
    Returns how many priorities' dots changed."""
    with transaction.atomic():
        workshop = lock_workshop(vote.workshop_id, None)
        if workshop.dots_id == vote.pk and workshop.state == State.VOTING:
            raise DotsError("Close voting before putting the totals on the plan.")
        if not vote.allocations.exists():
            raise DotsError("Nobody has voted yet, so there are no totals to put on the plan.")
        plan = plan_for(workshop.assessment)
        last = max(plan.priorities.values_list("rank", flat=True), default=0)
        counts = {}
        for total in totals(vote):
            candidate = total.candidate
            priority = plan.priorities.filter(pk=candidate.priority_id).first()
            if priority is None:
                priority, created = Priority.objects.get_or_create(
                    plan=plan,
                    text=candidate.text,
                    defaults={"source": Priority.Source.WORKSHOP, "rank": last + 1},
                )
                if created:
                    last += 1
                    audit.record(
                        "priority.added",
                        by=by,
                        partnership=workshop.assessment.partnership,
                        target=f"Priority “{priority.text}”",
                        data={"priority": priority.text, "id": priority.pk, "rank": priority.rank},
                    )
                candidate.priority = priority
                candidate.save(update_fields=["priority"])
            counts[priority.pk] = total.points
        changed = set_all_votes(plan, counts, by=by)
        order_priorities_by_votes(plan, by=by)
        vote.applied_at = timezone.now()
        vote.save(update_fields=["applied_at"])
        audit.record(
            "dots.put_on_plan",
            by=by,
            partnership=workshop.assessment.partnership,
            target=f"Plan of “{workshop.assessment}”",
            data={"title": vote.title, "vote": vote.pk, "voted": voted(vote), "changed": changed},
        )
    return changed
