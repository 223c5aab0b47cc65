"""Targets on the pages: the plan page's form, the next assessment's results, the trend
chart and the plan PDF."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.builders import make_assessment
from tests.workshops.test_plan_pdf import text_of
from tests.workshops.test_results import respond
from workshops.models import AuditEvent, Target
from workshops.reporting import plan_pdf
from workshops.services import plan as plan_service


def set_url(assessment) -> str:
    return reverse("plan-target-set", args=[assessment.partnership_id, assessment.pk])


def plan_url(assessment) -> str:
    return reverse("plan", args=[assessment.partnership_id, assessment.pk])


def subject(assessment, what: str) -> str:
    """The form's value for "element 1" or "question 1.1" (internal) or "question 1.1.2"."""
    kind, name = what.split()
    if kind == "element":
        pk = assessment.bank.sections.get(number=int(name)).pk
        return f"element-{pk}-internal"
    found = assessment.items.get(key=name)
    return f"question-{found.pk}-{'internal' if found.kind == 'rating' else ''}"


@pytest.fixture
def coordinator(client, cast):
    client.force_login(cast.coordinator)
    return client


def test_the_coordinator_sets_a_target_on_the_plan_page(coordinator, assessment):
    page = coordinator.get(plan_url(assessment)).content.decode()
    assert "Targets for the next assessment" in page and "No targets yet." in page
    assert f'action="{set_url(assessment)}"' in page
    data = {"subject": subject(assessment, "element 3"), "kind": "mean", "value": "3.2"}
    response = coordinator.post(set_url(assessment), data, follow=True)
    assert response.redirect_chain[-1][0].endswith("#targets")
    text = response.content.decode()
    assert "Target set for Element 3." in text
    assert re.search(r"Element 3\.[^<]*</th>\s*<td[^>]*>A mean of 3.2</td>", text)
    (stored,) = Target.objects.all()
    assert (stored.section.number, stored.kind, stored.value) == (3, "mean", Decimal("3.2"))
    assert AuditEvent.objects.filter(action="target.set").count() == 1


def test_a_double_submit_stores_one_target(coordinator, assessment):
    data = {"subject": subject(assessment, "question 1.1.2"), "kind": "share", "value": "75"}
    for _ in range(2):
        assert coordinator.post(set_url(assessment), data).status_code == 302
    (stored,) = Target.objects.all()
    assert stored.shown_value == "75% answering yes"
    assert AuditEvent.objects.filter(action__startswith="target.").count() == 1


@pytest.mark.parametrize(
    ("what", "kind", "value", "message"),
    [
        ("element 1", "mean", "4.5", "Enter a mean from 1 to 4, the rating scale&#x27;s range."),
        ("element 1", "share", "120", "Enter a share from 0 to 100 (per cent)."),
        ("element 1", "mean", "three", "Enter the target as a number, such as 3.2 or 75"),
        ("element 1", "mean", "3.25", "Enter the target with at most one decimal place"),
        ("element 1", "mean", "", "Enter the target"),
        ("element 1", "", "3", "Choose a mean rating or a share"),
        ("", "mean", "3", "Choose the element or question the target is for"),
        ("bogus", "mean", "3", "Choose one of this assessment&#x27;s elements or questions"),
        ("question 1.1.2", "mean", "3", "A yes/no question takes a share answering yes"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    coordinator, assessment, what, kind, value, message
):
    chosen = subject(assessment, what) if " " in what else what
    response = coordinator.post(
        set_url(assessment), {"subject": chosen, "kind": kind, "value": value}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "There is a problem" in text and message in text and "No target was set." in text
    assert text.count(message) == 2  # in the summary and beside its field
    assert not Target.objects.exists()


def test_another_assessments_element_is_refused(coordinator, assessment, cast):
    other = make_assessment(cast, title="Other", sections=(2,), scope="elements")
    element = other.bank.sections.get(number=1)
    response = coordinator.post(
        set_url(other), {"subject": f"element-{element.pk}-internal", "kind": "mean", "value": "3"}
    )
    assert response.status_code == 400 and not Target.objects.exists()


def test_executives_see_targets_but_cannot_set_them(client, cast, assessment):
    plan = plan_service.plan_for(assessment)
    item = assessment.items.get(key="1.1")
    Target.objects.create(plan=plan, item=item, basis="internal", kind="share", value=60)
    client.force_login(cast.executive)
    page = client.get(plan_url(assessment)).content.decode()
    assert "60% performing well or better" in page and "Set a target" not in page
    data = {"subject": subject(assessment, "element 1"), "kind": "mean", "value": "3"}
    assert client.post(set_url(assessment), data).status_code == 403
    remove = reverse(
        "plan-target-remove",
        args=[assessment.partnership_id, assessment.pk, plan.targets.get().pk],
    )
    assert client.post(remove).status_code == 403
    assert Target.objects.count() == 1


def test_the_coordinator_removes_a_target(coordinator, assessment):
    plan = plan_service.plan_for(assessment)
    element = assessment.bank.sections.get(number=2)
    target = Target.objects.create(
        plan=plan, section=element, basis="internal", kind="mean", value=3
    )
    args = [assessment.partnership_id, assessment.pk, target.pk]
    response = coordinator.post(reverse("plan-target-remove", args=args), follow=True)
    assert "Target for Element 2." in response.content.decode()
    assert not Target.objects.exists()


# --- The next assessment's results ---------------------------------------------------------------


@pytest.fixture
def next_round(cast, bank):
    earlier = make_assessment(cast, title="2025 review", opens=-400, closes=-380)
    respond(earlier, **{"1_1": "2"})
    plan = plan_service.plan_for(earlier)
    one = earlier.bank.sections.get(number=1)
    Target.objects.create(plan=plan, section=one, basis="internal", kind="mean", value="2.6")
    Target.objects.create(
        plan=plan, item=earlier.items.get(key="1.1"), basis="internal", kind="share", value=80
    )
    Target.objects.create(
        plan=plan, item=earlier.items.get(key="1.2"), basis="internal", kind="mean", value="3.5"
    )
    now = make_assessment(cast, title="2026 review")
    for one_one, one_two in [("3", "2"), ("3", "2"), ("2", "2"), ("3", "4")]:
        respond(now, **{"1_1": one_one, "1_2": one_two})
    return earlier, now


def test_the_next_results_say_each_target_met_close_or_missed_in_words(coordinator, next_round):
    _, now = next_round
    url = reverse("results", args=[now.partnership_id, now.pk])
    text = " ".join(coordinator.get(url).content.decode().split())
    assert "Targets set for this assessment" in text
    assert "Of the 3 targets set in the plan of “2025 review”: 1 met, 1 close, 1 missed." in text
    assert "“Close” means no more than 5 percentage points short of a share target" in text
    rows = re.findall(
        r"<tr class=\"govuk-table__row\"> <th scope=\"row\"[^>]*>([^<]*)</th>"
        r" <td[^>]*>([^<]*)</td> <td[^>]*>([^<]*)</td> <td[^>]*><strong[^>]*>"
        r"([^<]*)</strong>",
        text,
    )
    assert rows == [
        ("Element 1. The LSP&#x27;s long-term goals", "A mean of 2.6", "A mean of 2.6", "Met"),
        ("Question 1.1", "80% performing well or better", "75%", "Close"),
        ("Question 1.2", "A mean of 3.5", "A mean of 2.5", "Missed"),
    ]
    trends = reverse("results-trends", args=[now.partnership_id, now.pk])
    assert f'src="{trends}?channel=all"' in text


def test_the_trend_chart_draws_the_targets_and_says_them(coordinator, next_round):
    earlier, now = next_round
    Target.objects.create(
        plan=plan_service.plan_for(now),
        section=now.bank.sections.get(number=1),
        basis="internal",
        kind="mean",
        value="3.1",
    )
    svg = coordinator.get(reverse("results-trends", args=[now.partnership_id, now.pk]))
    assert svg["Content-Type"] == "image/svg+xml"
    text = svg.content.decode()
    title = re.search(r"<title>([^<]*)</title>", text).group(1)
    assert "1. SCS: 2025 review" in title
    assert "target 2.6 for 2026 review (this assessment); target 3.1 for the next assessment" in (
        title
    )
    assert "Target 2.6" in text and "Target 3.1" in text
    assert 'id="trend-target-1-2"' in text and 'id="trend-target-1-3"' in text
    assert "3 = Next assessment" in text
    # The page's text alternative is the chart's own.
    page = coordinator.get(reverse("results", args=[now.partnership_id, now.pk])).content.decode()
    assert "target 3.1 for the next assessment" in page


def element_target(assessment, kind: str, value: str, number: int = 1) -> Target:
    """A target for an element on the internal basis, in ``assessment``'s plan."""
    return Target.objects.create(
        plan=plan_service.plan_for(assessment),
        section=assessment.bank.sections.get(number=number),
        basis="internal",
        kind=kind,
        value=value,
    )


def test_the_trend_chart_draws_share_targets_on_panels_of_shares(coordinator, next_round):
    _, now = next_round
    element_target(now, "share", "60")
    text = coordinator.get(reverse("results-trends", args=[now.partnership_id, now.pk]))
    text = text.content.decode()
    assert "Share that say it performs well or better, for the elements with a share" in text
    # Element 1: last year one rating of 2 (0%); this year 4 of 8 ratings 3 or 4 (50%).
    assert "0%" in text and "50%" in text and "Target 60%" in text
    assert 'id="trend-share-target-1-3"' in text
    words = (
        "1. SCS: 2025 review (November 2025) 0%, 2026 review (this assessment) 50%; "
        "target 60% for the next assessment."
    )
    title = re.search(r"<title>([^<]*)</title>", text).group(1)
    assert words in title
    page = coordinator.get(reverse("results", args=[now.partnership_id, now.pk])).content.decode()
    assert words in page
    assert "a share target is drawn on a panel of the element's share" in page


def test_the_trend_chart_without_share_targets_has_no_panels_of_shares(coordinator, next_round):
    _, now = next_round
    text = coordinator.get(reverse("results-trends", args=[now.partnership_id, now.pk]))
    assert "Share that say it" not in text.content.decode()
    page = coordinator.get(reverse("results", args=[now.partnership_id, now.pk])).content.decode()
    assert "panel of the element's share" not in page


# --- The plan PDF --------------------------------------------------------------------------------


def test_the_plan_pdf_lists_the_targets(cast, assessment):
    plan = plan_service.plan_for(assessment)
    Target.objects.create(
        plan=plan,
        section=assessment.bank.sections.get(number=4),
        basis="internal",
        kind="mean",
        value="3.4",
    )
    Target.objects.create(plan=plan, item=assessment.items.get(key="1.1.2"), kind="share", value=90)
    _, text = text_of(plan_pdf.render_plan_pdf(assessment))
    flat = " ".join(text.split())
    assert re.search(r"Targets for the next assessment\s*\.*\s*\d+", text)
    assert "Element 4." in flat and "A mean of 3.4" in flat
    assert "Question 1.1.2 90% answering yes" in flat


def test_the_plan_pdf_draws_the_trend_chart_with_the_targets_and_says_them(next_round):
    _, now = next_round
    element_target(now, "mean", "3.1")
    element_target(now, "share", "65", number=2)  # one target per element and basis
    html = plan_pdf.plan_html(now)
    assert 'alt="Element scores over time, in 3 rounds:' in html
    assert "target 3.1 for the next assessment" in html
    assert "target 65% for the next assessment." in html
    assert "a share target is drawn on a panel of the element's share" in html
    for large in (False, True):
        _, text = text_of(plan_pdf.render_plan_pdf(now, large=large))
        flat = " ".join(text.split())
        assert "Target 3.1" in flat and "Target 2.6" in flat  # the chart's own labels
        assert "Target 65%" in flat and "Share that say it performs well or better" in flat
        assert "3 = Next assessment" in flat


def test_setting_a_target_changes_the_plan_pdfs_fingerprint(assessment):
    before = plan_pdf.fingerprint(assessment)
    Target.objects.create(
        plan=plan_service.plan_for(assessment),
        section=assessment.bank.sections.get(number=1),
        basis="internal",
        kind="mean",
        value=3,
    )
    assert plan_pdf.fingerprint(assessment) != before


def test_withheld_anonymous_results_show_no_target_figures(coordinator, cast, bank):
    earlier = make_assessment(cast, title="2025 review", opens=-400, closes=-380)
    Target.objects.create(
        plan=plan_service.plan_for(earlier),
        section=earlier.bank.sections.get(number=1),
        basis="internal",
        kind="mean",
        value="2.6",
    )
    now = make_assessment(cast, title="2026 review", anonymous=True)
    respond(now, **{"1_1": "4"})  # one person: fewer than the minimum group size
    page = coordinator.get(reverse("results", args=[now.partnership_id, now.pk])).content
    assert b"Results are shown once at least" in page
    assert b"Targets set for this assessment" not in page and b"A mean of 4.0" not in page
    svg = coordinator.get(reverse("results-trends", args=[now.partnership_id, now.pk]))
    assert "No ratings yet" in svg.content.decode() and "4.0" not in svg.content.decode()
