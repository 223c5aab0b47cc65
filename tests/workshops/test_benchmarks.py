"""Comparisons with other partnerships: only verified partnerships with enough answers count,
never the viewer's own, never fewer than five at a time, and only as precise as shown."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_assessment, make_user
from tests.workshops.test_results import build, respond
from workshops.models import Membership, Partnership

EVERYONE = "All participating partnerships"


def partnership(name: str, authority: str = "district", *, verified: bool = True) -> Partnership:
    return Partnership.objects.create(
        name=name,
        area=name,
        authority_type=authority,
        share_benchmarks=True,
        verified_at=timezone.now() if verified else None,
    )


def sharing_partnerships(
    cast, count: int, authority: str, score: str, plan="yes", *, respondents: int = 3, **more
) -> list[Partnership]:
    """Verified partnerships sharing benchmarks, each with ``respondents`` alike answers."""
    made = []
    for n in range(count):
        p = partnership(f"LSP {authority} {score} {n}", authority, **more)
        assessment = make_assessment(cast, partnership=p)
        for _ in range(respondents):
            respond(assessment, **{"1_1": score, "1_1_2": plan})
        made.append(p)
    return made


def shown(assessment) -> dict:
    return {b.group: b for b in build(assessment).benchmarks}


# --- The attack ----------------------------------------------------------------------------------


def test_five_fake_partnerships_cannot_reveal_another_partnerships_item_means(client, cast, bank):
    # The target: a real, verified partnership sharing its results. Its exact mean for 1.1 is
    # (4 + 4 + 3) / 3 = 3.667.
    target = partnership("Target LSP")
    target_assessment = make_assessment(cast, partnership=target)
    for rating in ("4", "4", "3"):
        respond(target_assessment, **{"1_1": rating})

    # An ordinary account cannot even set up the five partnerships it needs.
    attacker = make_user("attacker@example.org", "Attacker")
    client.force_login(attacker)
    form = {"name": "Fake 1", "area": "Nowhere", "authority_type": "district"}
    assert client.get(reverse("partnership-create")).status_code == 403
    response = client.post(reverse("partnership-create"), {**form, "share_benchmarks": "on"})
    assert response.status_code == 403
    assert not Partnership.objects.filter(name="Fake 1").exists()
    assert "Set up a partnership" not in client.get(reverse("home")).content.decode()

    # Even were five set up for it, each with one respondent rating 1.1 as 1, they count for
    # nothing: unverified, and once verified, too few respondents each.
    fakes = sharing_partnerships(cast, 5, "district", "1", respondents=1, verified=False)
    for fake in fakes:
        Membership.objects.create(partnership=fake, user=attacker, role="coordinator")
    mine = fakes[0].assessments.get()
    results_url = reverse("results", args=[fakes[0].pk, mine.pk])
    for verified in (False, True):
        Partnership.objects.filter(pk__in=[f.pk for f in fakes]).update(
            verified_at=timezone.now() if verified else None
        )
        page = client.get(results_url).content.decode()
        assert "there is no comparison yet" in page
        assert f"{EVERYONE} (" not in page
        benchmarks = shown(mine)
        assert not benchmarks[EVERYONE].shown and benchmarks[EVERYONE].elements == {}
        assert benchmarks[EVERYONE].partnerships == 1  # the target alone counts
        # No average to take 5 × average − 4 of, which would give the target's mean exactly.
        assert benchmarks[EVERYONE].items == {}


def test_a_partnership_counts_only_once_verified_and_with_enough_respondents(cast, assessment):
    cast.partnership.share_benchmarks = True
    cast.partnership.save()
    sharing_partnerships(cast, 4, "district", "4")
    unverified = sharing_partnerships(cast, 1, "unitary", "2", verified=False)
    assert shown(assessment)[EVERYONE].partnerships == 4
    Partnership.objects.filter(pk=unverified[0].pk).update(verified_at=timezone.now())
    assert shown(assessment)[EVERYONE].partnerships == 5
    # Two submitted respondents and one who has not submitted are fewer than MIN_GROUP_SIZE.
    few = sharing_partnerships(cast, 1, "unitary", "1", respondents=2)[0]
    respond(few.assessments.get(), submitted=False, **{"1_1": "1"})
    assert shown(assessment)[EVERYONE].partnerships == 5


def test_the_viewers_own_partnership_is_never_in_the_figures(cast, assessment):
    cast.partnership.share_benchmarks = True
    cast.partnership.verified_at = timezone.now()
    cast.partnership.save()
    for _ in range(3):
        respond(assessment, **{"1_1": "1"})
    sharing_partnerships(cast, 5, "district", "4")
    everyone = shown(assessment)[EVERYONE]
    assert everyone.partnerships == 5
    assert everyone.elements[1] == 4.0 and everyone.items[("1.1", "internal")] == 4.0


def test_every_figure_needs_five_partnerships_and_is_rounded_as_shown(cast, assessment):
    cast.partnership.share_benchmarks = True
    cast.partnership.save()
    sharing_partnerships(cast, 2, "district", "4", plan="yes")
    sharing_partnerships(cast, 1, "district", "3", plan="no")
    # Two more that were not asked 1.1.2: the yes/no question has three partnerships only.
    for n in range(2):
        p = partnership(f"Top-level only {n}")
        other = make_assessment(cast, partnership=p, scope="top_level")
        for _ in range(3):
            respond(other, **{"1_1": "4"})
    everyone = shown(assessment)[EVERYONE]
    assert everyone.shown and everyone.partnerships == 5
    # (4 + 4 + 3 + 4 + 4) / 5 = 3.8 exactly; then a figure with an awkward exact value.
    assert everyone.items[("1.1", "internal")] == 3.8
    assert everyone.items.get(("1.1.2", "")) is None  # three partnerships: no figure
    p = partnership("Sixth")
    sixth = make_assessment(cast, partnership=p)
    for rating in ("1", "2", "2"):
        respond(sixth, **{"1_1": rating})
    everyone = shown(assessment)[EVERYONE]
    # (4 + 4 + 3 + 4 + 4 + 5/3) / 6 = 3.444…, shown and stored as 3.4.
    assert everyone.items[("1.1", "internal")] == 3.4
    assert everyone.elements[1] == 3.4


# --- Groups and gaps (moved here from test_results) -------------------------------------------


def test_benchmarks_need_opting_in_and_five_partnerships_per_group(cast, assessment):
    respond(assessment, **{"1_1": "2"})
    sharing_partnerships(cast, 4, "district", "4")
    assert build(assessment).benchmarks == []  # Eastvale has not opted in
    cast.partnership.share_benchmarks = True
    cast.partnership.save()
    benchmarks = shown(assessment)
    assert not benchmarks[EVERYONE].shown
    assert benchmarks[EVERYONE].elements == {}
    sharing_partnerships(cast, 1, "unitary", "3")
    sharing_partnerships(cast, 3, "county", "1")
    benchmarks = shown(assessment)
    everyone = benchmarks[EVERYONE]
    assert everyone.shown and everyone.partnerships == 8
    assert everyone.elements[1] == 2.8  # (4 × 4 + 3 + 3 × 1) / 8 = 2.75
    same_type = benchmarks["Districts and unitaries"]  # Eastvale is a district
    assert same_type.shown and same_type.partnerships == 5
    assert same_type.elements[1] == 3.8  # (4 × 4 + 3) / 5
    assert "Westmoor" not in str(build(assessment).benchmarks)  # never named


def test_benchmark_gaps_by_authority_type_in_points_and_percentage_points(cast, assessment):
    cast.partnership.share_benchmarks = True
    cast.partnership.save()
    for plan in ["yes", "no", "no"]:
        respond(assessment, **{"1_1": "2", "1_1_2": plan})
    sharing_partnerships(cast, 2, "district", "4", plan="yes")
    sharing_partnerships(cast, 3, "unitary", "3", plan="no")
    sharing_partnerships(cast, 3, "london", "1", plan="yes")
    gaps = {(g.group, g.item.key): g for g in build(assessment).benchmark_gaps}
    same = gaps[("Districts and unitaries", "1.1.2")]
    assert (same.ours, same.theirs) == (pytest.approx(100 / 3), 40)
    assert same.size == pytest.approx(100 / 3 - 40) and same.unit == "percentage points"
    assert same.plain == "33% here say yes; 40% across districts and unitaries"
    everyone = gaps[(EVERYONE, "1.1.2")]
    assert everyone.theirs == 63  # 5 of 8 = 62.5%, shown as a whole percentage
    rating_gap = gaps[("Districts and unitaries", "1.1")]
    assert (rating_gap.ours, rating_gap.theirs) == (2, 3.4)  # (2 × 4 + 3 × 3) / 5
    assert rating_gap.plain == "Rated 2.0 here; 3.4 across districts and unitaries"


def test_ratings_and_yes_no_questions_each_show_their_largest_differences_first(
    client, cast, assessment
):
    # Every yes/no question differs by 100 percentage points, the one rating by 1 point: sorted
    # by the unit's text, the 50 yes/no rows filled the 30 shown and no rating ever appeared.
    cast.partnership.share_benchmarks = True
    cast.partnership.save()
    yes_no = [i.key for i in assessment.items.filter(kind="yes_no")]
    ours = {"1_1": "3", "1_2": "2", **{k.replace(".", "_"): "no" for k in yes_no}}
    theirs = {"1_1": "4", "1_2": "4", **{k.replace(".", "_"): "yes" for k in yes_no}}
    for _ in range(3):
        respond(assessment, **ours)
    for n in range(5):
        other = make_assessment(cast, partnership=partnership(f"Sharing {n}"))
        for _ in range(3):
            respond(other, **theirs)

    gaps = build(assessment).benchmark_gaps
    ratings = [g for g in gaps if g.unit == "points"]
    assert [(g.item.key, g.size) for g in ratings[:2]] == [("1.2", -2.0), ("1.2", -2.0)]
    assert len(gaps) == 2 * (2 + len(yes_no))  # nothing dropped: both groups, every question

    client.force_login(cast.executive)
    page = client.get(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    text = page.content.decode()
    lead = ": unlikely to be chance and large first, then largest difference first"
    assert f"Ratings compared with other partnerships{lead}" in text
    assert f"Yes or no questions compared with other partnerships{lead}" in text
    assert "Rated 2.0 here; 4.0 across districts and unitaries" in text
    assert "Rated 3.0 here; 4.0 across all participating partnerships" in text
    shown_yes_no = text.count("0% here say yes; 100% across")
    more = 2 * len(yes_no) - shown_yes_no
    assert shown_yes_no < 2 * len(yes_no) and more > 0
    assert f"{more} more yes or no rows" in text
    assert (
        reverse("results-export", args=[cast.partnership.pk, assessment.pk, "benchmarks", "csv"])
        in text
    )


def test_element_shares_are_the_partnerships_average_share_rounded_as_shown(
    client, cast, assessment
):
    cast.partnership.share_benchmarks = True
    cast.partnership.save()
    respond(assessment, **{"1_1": "2"})
    sharing_partnerships(cast, 4, "district", "4")  # 100% each
    assert shown(assessment)[EVERYONE].shares == {}  # four partnerships: no figure
    sharing_partnerships(cast, 1, "district", "2")  # 0%
    assert shown(assessment)[EVERYONE].shares[1] == 0.8
    sixth = make_assessment(cast, partnership=partnership("Sixth"))
    for rating in ("1", "3", "3"):
        respond(sixth, **{"1_1": rating})
    # (4 × 100% + 0% + 66.7%) / 6 = 77.8%, shown and stored as 78%.
    assert shown(assessment)[EVERYONE].shares[1] == 0.78
    client.force_login(cast.executive)
    page = client.get(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    table = page.content.decode().split(f'aria-label="{EVERYONE}"')[1].split("</table>")[0]
    assert "Their average: performs well or better" in table
    row = table.split("1. ")[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["3.4", "78%", "2.0", "0%"]
