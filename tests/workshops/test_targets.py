"""Targets in the improvement plan: what may be set, and, on the next assessment's
results, what was reached (met, close or missed) and the trend chart's words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.builders import make_assessment
from tests.workshops.test_results import build, respond
from workshops.models import AuditEvent, Target
from workshops.services import plan as plan_service
from workshops.services import targets as services
from workshops.services.local_questions import add_local_question


def section(assessment, number: int):
    return assessment.bank.sections.get(number=number)


def item(assessment, key: str):
    return assessment.items.get(key=key)


def target(assessment, *, number=None, key=None, basis="internal", kind="mean", value="3"):
    plan = plan_service.plan_for(assessment)
    return Target(
        plan=plan,
        section=section(assessment, number) if number else None,
        item=item(assessment, key) if key else None,
        basis=basis,
        kind=kind,
        value=Decimal(value),
    )


def problems(unsaved: Target) -> dict:
    with pytest.raises(ValidationError) as caught:
        unsaved.full_clean()
    return caught.value.message_dict


# --- What may be set -----------------------------------------------------------------------------


def test_a_mean_within_the_scale_and_a_share_up_to_100_are_accepted(assessment):
    target(assessment, number=1, value="4").full_clean()
    target(assessment, number=1, value="1.0").full_clean()
    target(assessment, key="1.1", kind="share", value="100").full_clean()
    target(assessment, key="1.1.2", basis="", kind="share", value="0").full_clean()


def test_a_mean_outside_the_rating_scale_is_refused(assessment):
    assert problems(target(assessment, number=1, value="4.5")) == {
        "value": ["Enter a mean from 1 to 4, the rating scale's range."]
    }
    assert "value" in problems(target(assessment, number=1, value="0.5"))


def test_a_share_above_100_is_refused(assessment):
    assert problems(target(assessment, key="1.1", kind="share", value="100.1")) == {
        "value": ["Enter a share from 0 to 100 (per cent)."]
    }


def test_a_yes_no_question_takes_a_share_without_a_basis(assessment):
    assert problems(target(assessment, key="1.1.2", basis="", kind="mean", value="3")) == {
        "kind": ["A yes/no question takes a share answering yes, not a mean."]
    }
    assert "basis" in problems(target(assessment, key="1.1.2", kind="share", value="50"))


def test_a_basis_the_assessment_does_not_rate_on_is_refused(assessment):
    assert problems(target(assessment, number=1, basis="external")) == {
        "basis": ["Choose a basis this assessment rates on."]
    }


def test_a_section_that_is_not_an_element_is_refused(assessment):
    looking_forward = assessment.bank.sections.filter(is_element=False).first()
    unsaved = target(assessment, number=1)
    unsaved.section = looking_forward
    assert problems(unsaved) == {"section": ["Choose one of this assessment's elements."]}


def test_one_target_per_element_and_basis_per_plan(assessment):
    target(assessment, number=2, value="3").save()
    assert problems(target(assessment, number=2, value="2.5")) == {
        "__all__": ["The plan already has a target for this element."]
    }
    target(assessment, number=3, value="3").full_clean()  # another element is fine


def test_one_target_per_question_and_basis_per_plan(assessment):
    target(assessment, key="1.1", kind="share", value="60").save()
    assert problems(target(assessment, key="1.1", value="3")) == {
        "__all__": ["The plan already has a target for this question."]
    }


# --- Setting and removing ------------------------------------------------------------------------


def test_setting_the_same_target_twice_stores_and_logs_it_once(cast, assessment):
    first = services.set_target(target(assessment, number=1, value="3.2"), by=cast.coordinator)
    again = services.set_target(target(assessment, number=1, value="3.2"), by=cast.coordinator)
    assert first.pk == again.pk
    assert Target.objects.count() == 1
    (event,) = AuditEvent.objects.filter(action="target.set")
    assert event.summary == "Target set for Element 1. The LSP's long-term goals: a mean of 3.2."


def test_setting_a_new_figure_replaces_the_target_and_says_from_what(cast, assessment):
    services.set_target(target(assessment, number=1, value="3.2"), by=cast.coordinator)
    services.set_target(target(assessment, number=1, kind="share", value="70"), by=cast.coordinator)
    (stored,) = Target.objects.all()
    assert (stored.kind, stored.value) == ("share", Decimal("70.0"))
    (event,) = AuditEvent.objects.filter(action="target.changed")
    assert "from a mean of 3.2 to 70% performing well or better" in event.summary


def test_removing_a_target_is_logged(cast, assessment):
    stored = services.set_target(target(assessment, key="1.1", value="3"), by=cast.coordinator)
    services.remove_target(stored, by=cast.coordinator)
    assert not Target.objects.exists()
    assert AuditEvent.objects.filter(action="target.removed").count() == 1


# --- Met, close or missed ------------------------------------------------------------------------


@pytest.fixture
def rounds(cast, bank):
    """Last year's assessment, whose plan set targets, and this year's answers."""
    earlier = make_assessment(cast, title="2025 review", opens=-400, closes=-380)
    respond(earlier, **{"1_1": "2"})
    for kwargs in [
        {"number": 1, "kind": "share", "value": "50"},  # 3 of 6 ratings 3 or 4: met
        {"number": 2, "value": "3.6"},  # reached 3.5: 0.1 short, close
        {"key": "1.1", "kind": "share", "value": "80"},  # reached 75%: 5 points short, close
        {"key": "1.2", "value": "3.5"},  # reached 2.0: missed
        {"key": "1.1.2", "basis": "", "kind": "share", "value": "50"},  # 2 of 4 yes: met
        {"key": "3.1", "value": "3"},  # nobody answered: not measured
        {"number": 7, "value": "3.9"},  # no ratings in element 7 either
    ]:
        services.set_target(target(earlier, **kwargs))
    now = make_assessment(cast, title="2026 review")
    for one, two, yes in [
        ("3", "2", "yes"),
        ("3", "2", "yes"),
        ("2", None, "no"),
        ("3", None, "no"),
    ]:
        answers = {"1_1": one, "1_1_2": yes, "2_1": "4" if yes == "yes" else "3"}
        answers |= {"1_2": two} if two else {}
        respond(now, **answers)
    return earlier, now


def test_the_next_assessment_shows_each_target_met_close_or_missed(rounds):
    _, now = rounds
    report = build(now).targets
    found = {
        o.target.subject + ": " + o.target.shown_value: (o.reached_words, o.status_words)
        for o in report.outcomes
    }
    assert found == {
        "Element 1. The LSP's long-term goals: 50% performing well or better": ("50%", "Met"),
        "Element 2. Leading the LSP and creating a culture of working together: a mean of 3.6": (
            "A mean of 3.5",
            "Close",
        ),
        "Question 1.1: 80% performing well or better": ("75%", "Close"),
        "Question 1.2: a mean of 3.5": ("A mean of 2.0", "Missed"),
        "Question 1.1.2: 50% answering yes": ("50%", "Met"),
        "Question 3.1: a mean of 3.0": ("Not measured this time", "Not measured"),
        "Element 7. Shared systems: a mean of 3.9": (
            "Not measured this time",
            "Not measured",
        ),
    }
    assert report.summary == (
        "Of the 7 targets set in the plan of “2025 review”: 2 met, 2 close, 1 missed, "
        "2 not measured."
    )
    assert "no more than 5 percentage points short of a share target, or 0.15 short" in (
        report.close
    )


def test_met_is_judged_on_the_figure_as_shown():
    share = Target(kind="share", value=Decimal("80"))
    assert services.outcome_of(share, 79.6).status == services.MET  # shown as 80%
    assert services.outcome_of(share, 75.0).status == services.CLOSE_TO
    assert services.outcome_of(share, 74.4).status == services.MISSED


def test_the_assessment_that_set_the_targets_has_none_to_meet(rounds):
    earlier, _ = rounds
    assert build(earlier).targets.outcomes == []


def test_the_trend_chart_words_say_each_target_by_round(rounds):
    earlier, now = rounds
    # This assessment's own plan sets a target for the next round.
    services.set_target(target(now, number=1, value="3.0"))
    alt = build(now).targets.chart.alt
    assert alt.startswith("Element scores over time, in 3 rounds:")
    assert "1. SCS: 2025 review (" in alt
    assert "2.0, 2026 review (this assessment) 2.5; target 3.0 for the next assessment." in alt
    assert (
        "2. Staff and skills: 2025 review (November 2025) no ratings, "
        "2026 review (this assessment) 3.5; target 3.6 for 2026 review (this assessment)." in alt
    )
    earlier_alt = build(earlier).targets.chart.alt
    assert "in 2 rounds" in earlier_alt and "target 3.6 for the next assessment" in earlier_alt


def test_the_trend_chart_words_say_each_share_target_with_the_elements_share(rounds):
    earlier, now = rounds
    services.set_target(target(now, number=1, kind="share", value="70"))
    chart = build(now).targets.chart
    assert chart.has_share_targets
    # Element 1: last year one rating of 2 (0%); this year 3 of 6 ratings 3 or 4 (50%).
    assert (
        "Share of ratings that say it performs well or better, for the elements with a share "
        "target: 1. SCS: 2025 review (November 2025) 0%, 2026 review (this assessment) 50%; "
        "target 50% for 2026 review (this assessment); target 70% for the next assessment."
    ) in chart.alt
    # Element 2 has a mean target only: no share of its in the words.
    assert "2. Staff and skills: 2025 review (November 2025) no ratings" in chart.alt
    assert chart.alt.count("Staff and skills") == 1


def test_a_share_target_for_an_element_counts_its_instrument_questions_only(rounds):
    """As the element's score and share on the page do: a local question under the element
    is no part of them, so the target is judged on the figure the page shows."""
    _, now = rounds
    local = add_local_question(now, text="Parish councils?", kind="rating", section_number=1)
    for _ in range(4):
        respond(now, **{local.key.replace(".", "_"): "4"})
    results = build(now)
    (outcome,) = [
        o for o in results.targets.outcomes if o.target.section_id and o.target.kind == "share"
    ]
    assert outcome.reached == 50.0 == 100 * results.elements[0].shares["internal"]
