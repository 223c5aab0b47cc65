"""Targets: what the board aims for at the next assessment, element by element (and for
some questions), as a mean rating or a share; and, on the next assessment's results, how
far each was reached: met, close or missed.

The next assessment is the one whose trends show this one as the latest earlier round
(services.trends); elements are matched on their number and questions on their key, so a
new version of the question bank still lines up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from workshops import audit
from workshops.models import Assessment, ImprovementPlan, Target
from workshops.services.scores import share_well, well_words
from workshops.services.trends import Trend, earlier_assessments

if TYPE_CHECKING:  # results imports this module to fill Results.targets
    from workshops.services.chart_inputs import ElementScore
    from workshops.services.results import Results

# A target missed by no more than this share of its figure's range is "close": 5 percentage
# points of a share, 0.15 of a mean on a 1 to 4 scale. Said once, here, and on the page.
CLOSE = Decimal("0.05")

MET, CLOSE_TO, MISSED, NOT_MEASURED = "met", "close", "missed", "not measured"


def share_well_or_better(ratings: list[int]) -> float | None:
    """The percentage of ratings of 3 or 4 ("performs well or better"); None with none."""
    share = share_well(ratings)
    return None if share is None else 100 * share


# --- Setting targets -----------------------------------------------------------------------------


def set_target(target: Target, *, by=None) -> Target:
    """Store a target the board set, checked (``Target.clean``): a new one, or in place of
    the plan's target for the same element or question and basis. The same target sent
    twice is stored once and logged once. A target that breaks the model's rules raises
    ValidationError (the plan page's form checks them first, field by field)."""
    target.clean_fields(exclude=["plan", "set_by"])  # also makes the value a Decimal
    target.clean()
    with transaction.atomic():
        plan = ImprovementPlan.objects.select_for_update().get(pk=target.plan_id)
        existing = plan.targets.filter(
            section=target.section_id, item=target.item_id, basis=target.basis
        ).first()
        if existing and (existing.kind, existing.value) == (target.kind, target.value):
            return existing
        was = existing.shown_value if existing else None
        if existing:
            existing.kind, existing.value, existing.set_by = target.kind, target.value, by
            target = existing
        else:
            target.set_by = by
        target.save()
        audit.record(
            "target.changed" if was else "target.set",
            by=by,
            partnership=plan.assessment.partnership,
            target=f"Target for {target.subject}",
            data={
                "subject": target.subject,
                "id": target.pk,
                "target": target.shown_value,
                **({"was": was} if was else {}),
            },
        )
    return target


def remove_target(target: Target, *, by=None) -> None:
    if Target.objects.filter(pk=target.pk).delete()[0]:
        audit.record(
            "target.removed",
            by=by,
            partnership=target.plan.assessment.partnership,
            target=f"Target for {target.subject}",
            data={"subject": target.subject, "id": target.pk, "target": target.shown_value},
        )


def targets_of(assessment: Assessment | None) -> list[Target]:
    """The targets an assessment's plan set for the assessment after it."""
    if assessment is None:
        return []
    return list(
        Target.objects.filter(plan__assessment=assessment).select_related(
            "section", "item", "plan__assessment__bank"
        )
    )


# --- Targets reached -----------------------------------------------------------------------------


@dataclass
class Outcome:
    """A target set by the previous assessment's plan, beside the figure this one reached."""

    target: Target
    reached: float | None  # a mean, or a percentage; None when not measured this time
    status: str  # MET, CLOSE_TO, MISSED or NOT_MEASURED

    @property
    def reached_words(self) -> str:
        if self.reached is None:
            return "Not measured this time"
        if self.target.kind == Target.Kind.MEAN:
            return f"A mean of {self.reached:.1f}"
        return f"{self.reached:.0f}%"

    @property
    def status_words(self) -> str:
        return {
            MET: "Met",
            CLOSE_TO: "Close",
            MISSED: "Missed",
            NOT_MEASURED: "Not measured",
        }[self.status]


def close_margin(target: Target) -> Decimal:
    """How far below a target still counts as close, in the target's own unit."""
    if target.kind == Target.Kind.MEAN:
        low, high = target.scale_range()
        return CLOSE * (high - low)
    return CLOSE * 100


def close_words(scale: list[dict]) -> str:
    """What "close" means, as the page says it."""
    values = [point["value"] for point in scale] or [1, 4]
    share, mean = float(CLOSE * 100), float(CLOSE * (max(values) - min(values)))
    return (
        f"“Close” means no more than {share:g} percentage points short of a share target, "
        f"or {mean:g} short of a mean target ({share:g}% of the {min(values)} to "
        f"{max(values)} scale)."
    )


def outcome_of(target: Target, reached: float | None) -> Outcome:
    """Met, close or missed, judged on the figure as it is shown (means to one decimal
    place, shares to whole percentages), so the words never contradict the figure."""
    if reached is None:
        return Outcome(target, None, NOT_MEASURED)
    places = "0.1" if target.kind == Target.Kind.MEAN else "1"
    shown = Decimal(str(reached)).quantize(Decimal(places))
    if shown >= target.value:
        status = MET
    elif target.value - shown <= close_margin(target):
        status = CLOSE_TO
    else:
        status = MISSED
    return Outcome(target, reached, status)


def _reached(target: Target, results: Results) -> float | None:
    share = target.kind == Target.Kind.SHARE
    if target.section_id:
        element = next(
            (e for e in results.elements if e.section.number == target.section.number), None
        )
        if element is None:
            return None
        if not share:
            return element.scores.get(target.basis)
        # The element's share as the page shows it: the instrument's questions only.
        return _percent(element.shares.get(target.basis))
    if target.is_yes_no:
        answer = next((y for y in results.yes_no if y.item.key == target.item.key), None)
        return answer.yes_percent if answer else None
    rating = next(
        (r for r in results.ratings if r.item.key == target.item.key and r.basis == target.basis),
        None,
    )
    if rating is None:
        return None
    return share_well_or_better(rating.ratings) if share else rating.mean


@dataclass
class TargetReport:
    """The targets the previous assessment's plan set for this one, and how far each was
    reached; and the trend chart's figures, with targets."""

    previous: str  # the previous assessment, by title
    outcomes: list[Outcome]
    close: str  # what "close" means, in words
    chart: TrendChart

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def summary(self) -> str:
        parts = [
            f"{self.count(status)} {words}"
            for status, words in ((MET, "met"), (CLOSE_TO, "close"), (MISSED, "missed"))
        ]
        if self.count(NOT_MEASURED):
            parts.append(f"{self.count(NOT_MEASURED)} not measured")
        total = len(self.outcomes)
        return (
            f"Of the {total} target{'s' if total != 1 else ''} set in the plan of "
            f"“{self.previous}”: {', '.join(parts)}."
        )


def targets_reached(results: Results) -> TargetReport:
    assessment = results.assessment
    previous = earlier_assessments(assessment).last()
    aims = targets_of(previous)
    outcomes = [outcome_of(t, _reached(t, results)) for t in aims]
    # On the charts' basis (the first asked), as the chart itself draws them.
    basis = assessment.bases[0]
    now = {
        e.section.number: Now(
            e.section.name or e.section.heading, e.scores.get(basis), e.shares.get(basis)
        )
        for e in results.elements
        if e.section.is_element
    }
    chart = trend_chart_input(assessment, now, results.trends, aims)
    return TargetReport(
        previous.title if previous else "",
        outcomes,
        close_words(assessment.bank.scale),
        chart,
    )


# --- The trend chart's figures -------------------------------------------------------------------


@dataclass
class TrendLine:
    """One element over the rounds: its score and share in each, and any targets, by round."""

    number: int
    name: str
    scores: list[float | None]
    targets: dict[int, float] = field(default_factory=dict)  # round index -> target mean
    # Percentages at 3 or 4 ("performs well or better") in each round, and share targets.
    shares: list[float | None] = field(default_factory=list)
    share_targets: dict[int, float] = field(default_factory=dict)  # round index -> target %


@dataclass
class TrendChart:
    rounds: list[str]  # earlier assessments, this one and (with targets) the next
    lines: list[TrendLine]
    well: str = ""  # what a share counts, in the scale's words: "performs well or better"

    @property
    def has_targets(self) -> bool:
        return any(line.targets for line in self.lines) or self.has_share_targets

    @property
    def has_share_targets(self) -> bool:
        return any(line.share_targets for line in self.lines)

    @property
    def share_lines(self) -> list[TrendLine]:
        """The elements whose share the chart draws: those with a share target."""
        return [line for line in self.lines if line.share_targets]

    @property
    def alt(self) -> str:
        """The chart in words: each element's score in each round, and its targets; then
        the share of each element with a share target, and those targets."""
        if not self.lines:
            return "Element scores over time: no ratings yet."
        sentences = [f"Element scores over time, in {len(self.rounds)} rounds: "]
        for line in self.lines:
            sentences.append(self._said(line, line.scores, line.targets, "{:.1f}"))
        if self.share_lines:
            sentences.append(
                f"Share of ratings that say it {self.well}, for the elements with a share target: "
            )
            for line in self.share_lines:
                sentences.append(self._said(line, line.shares, line.share_targets, "{:.0f}%"))
        return "".join(sentences).strip()

    def _said(
        self, line: TrendLine, values: list[float | None], aims: dict[int, float], form: str
    ) -> str:
        figures = ", ".join(
            f"{round_} {'no ratings' if v is None else form.format(v)}"
            for round_, v in zip(self.rounds, values, strict=False)
        )
        targets = "".join(
            f"; target {form.format(value)} for "
            + (self.rounds[i] if i < len(line.scores) else "the next assessment")
            for i, value in sorted(aims.items())
        )
        return f"{line.number}. {line.name}: {figures}{targets}. "


NEXT = "Next assessment"


@dataclass(frozen=True)
class Now:
    """An element in this assessment, as the trend chart's last measured round shows it."""

    name: str
    score: float | None
    share: float | None  # from 0 to 1


def trend_chart_input(
    assessment: Assessment,
    now: dict[int, Now],
    trends: list[Trend],
    previous_targets: list[Target],
) -> TrendChart:
    """Element scores and shares round by round (earlier assessments, then this one, each
    on its headline basis), with the element targets on that basis: those the previous plan
    set for this round, and those this assessment's plan sets for the next round."""
    basis = assessment.bases[0]
    this = len(trends)
    rounds = [t.label for t in trends] + [f"{assessment.title} (this assessment)"]
    aims: dict[str, dict[int, dict[int, float]]] = {kind: {} for kind in Target.Kind}
    for index, targets in ((this, previous_targets), (this + 1, targets_of(assessment))):
        for t in targets:
            if t.section_id and t.basis == basis:
                aims[t.kind].setdefault(t.section.number, {})[index] = float(t.value)
    if any(this + 1 in by_round for kind in aims.values() for by_round in kind.values()):
        rounds.append(NEXT)
    lines = [
        TrendLine(
            number,
            element.name,
            [t.elements.get(number) for t in trends] + [element.score],
            aims[Target.Kind.MEAN].get(number, {}),
            [_percent(t.shares.get(number)) for t in trends] + [_percent(element.share)],
            aims[Target.Kind.SHARE].get(number, {}),
        )
        for number, element in sorted(now.items())
    ]
    return TrendChart(rounds, lines, well_words(assessment.bank))


def _percent(fraction: float | None) -> float | None:
    return None if fraction is None else 100 * fraction


def trend_chart_for(
    assessment: Assessment, elements: list[ElementScore], trends: list[Trend]
) -> TrendChart:
    """The trend chart's figures from the charts' own element scores (chart_inputs)."""
    previous = earlier_assessments(assessment).last()
    now = {e.number: Now(e.name, e.score, e.share) for e in elements}
    return trend_chart_input(assessment, now, trends, targets_of(previous))
