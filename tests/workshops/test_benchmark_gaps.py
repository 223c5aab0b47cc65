"""This partnership against others: which differences from other partnerships are unlikely to
be chance, shown first, in words, and never more precisely than the rounded averages."""

from __future__ import annotations

import csv
import io
import random
import re

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.builders import make_assessment
from tests.workshops.test_differences import crowd
from tests.workshops.test_results import build
from workshops.models import Answer, Partnership
from workshops.services.benchmarks import benchmark_tables
from workshops.services.significance import FALSE_DISCOVERY_RATE

EVERYONE = "All participating partnerships"
SAME_TYPE = "Districts and unitaries"  # Eastvale, the cast's partnership, is a district

# Our partnership is far from the others on these questions, and drawn like them on the rest.
TRUE_RATINGS = {"1.2": 1, "3.1": 1, "6.3": 4}
TRUE_YES_NO = {"2.1.1": "no", "5.4": "no", "6.2": "yes"}
TRUE = {**TRUE_RATINGS, **TRUE_YES_NO}
# How every partnership's people answer, unless said otherwise: ratings mostly 3...
RATINGS = [2, 3, 3, 4]
LOW_RATINGS = {"6.3": [1, 2, 2, 3]}
# ...and yes nine times in ten.
YES = 0.9
LOW_YES = {"6.2": 0.1}


def sharing(name: str, authority: str) -> Partnership:
    return Partnership.objects.create(
        name=name,
        area=name,
        authority_type=authority,
        share_benchmarks=True,
        verified_at=timezone.now(),
    )


def answers_like_everyone(rng: random.Random, items) -> dict:
    return {
        i.key: rng.choice(LOW_RATINGS.get(i.key, RATINGS))
        if i.kind == "rating"
        else ("yes" if rng.random() < LOW_YES.get(i.key, YES) else "no")
        for i in items
    }


def partnerships_far_off_on_a_few_questions(cast, assessment, seed: int = 7) -> None:
    """Twelve other partnerships (six districts and unitaries) of ten people each, and ours,
    every person answering every question from one distribution, except that our people all
    answer the TRUE questions far from the others."""
    rng = random.Random(seed)
    items = [i for i in assessment.items.all() if i.kind in ("rating", "yes_no")]
    authorities = ["district"] * 3 + ["unitary"] * 3 + ["county", "metropolitan", "london"] * 2
    for n, authority in enumerate(authorities):
        other = make_assessment(cast, partnership=sharing(f"Other {n}", authority))
        crowd(other, [({}, answers_like_everyone(rng, items)) for _ in range(10)])
    cast.partnership.share_benchmarks = True
    cast.partnership.save()
    crowd(assessment, [({}, answers_like_everyone(rng, items) | TRUE) for _ in range(10)])


def test_gaps_from_partnerships_far_off_lead_and_chance_ones_are_not_called_clear(assessment, cast):
    partnerships_far_off_on_a_few_questions(cast, assessment)
    gaps = build(assessment).benchmark_gaps
    assert len(gaps) == 2 * (39 + 25)  # both groups, every rating and yes/no question
    clear = [g for g in gaps if g.clear]
    assert {(g.item.key, g.group) for g in clear if g.item.key in TRUE} == {
        (key, group) for key in TRUE for group in (EVERYONE, SAME_TYPE)
    }
    # Every other question is drawn alike: a gap called clear there is a false discovery.
    # Of the gaps called clear, at most one in twenty is expected to be one.
    chance = [g for g in clear if g.item.key not in TRUE]
    assert len(chance) <= FALSE_DISCOVERY_RATE * len(clear)
    ratings, yes_no = benchmark_tables(gaps)
    assert {(g.item.key, g.group) for g in ratings.shown[:6]} == {
        (key, group) for key in TRUE_RATINGS for group in (EVERYONE, SAME_TYPE)
    }
    assert {(g.item.key, g.group) for g in yes_no.shown[:6]} == {
        (key, group) for key in TRUE_YES_NO for group in (EVERYONE, SAME_TYPE)
    }
    assert ratings.clear == 6 and yes_no.clear == 6
    # The rows after them are largest first, whether clear or not.
    rest = ratings.shown[6:]
    assert [abs(g.size) for g in rest] == sorted((abs(g.size) for g in rest), reverse=True)


def test_each_row_says_in_words_whether_the_gap_is_unlikely_to_be_chance(client, cast, assessment):
    partnerships_far_off_on_a_few_questions(cast, assessment)
    client.force_login(cast.executive)
    page = client.get(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    section = page.content.decode().split('id="benchmarks"')[1].split('id="downloads"')[0]
    rows = re.findall(r"<tr class=\"govuk-table__row lsp-benchmark-gap\">(.*?)</tr>", section, re.S)
    assert len(rows) == 2 * 15  # each table shows 15, and says how many more
    verdicts = [("Unlikely to be chance" in r, "Could be chance" in r) for r in rows]
    assert verdicts[:6] == [(True, False)] * 6 and verdicts[15:21] == [(True, False)] * 6
    assert all(clear != chance for clear, chance in verdicts)
    first = re.sub(r"\s+", " ", rows[0])
    assert "Rated 1.0 here; 3." in first and "Unlikely to be chance" in first
    assert (
        "Ratings compared with other partnerships: unlikely to be chance and large first" in section
    )
    # 39 rating and 25 yes/no questions, each against two groups.
    assert "6 of the 78 rating comparisons are unlikely to be chance; " in section
    assert "6 of the 50 yes or no comparisons are unlikely to be chance." in section
    assert "if partnerships like yours were simply spread as the others are" in section
    # The guide's words for reading a difference, and nothing an analyst would look for.
    for hidden in ("p-value", "adjusted p", "standard deviation", "spread of"):
        assert hidden not in section


# --- The attack ----------------------------------------------------------------------------------


def snapshot(client, cast, assessment) -> list:
    """Everything an executive can read of the comparison: the page, the CSV downloads and
    every sheet of the workbook."""
    args = [cast.partnership.pk, assessment.pk]
    page = client.get(reverse("results", args=args)).content.decode()
    # The sign-out form's token is new on every page.
    taken = [re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)]
    for what in ("benchmarks", "gaps"):
        response = client.get(reverse("results-export", args=[*args, what, "csv"]))
        taken.append(response.content.decode())
    response = client.get(reverse("results-export", args=[*args, "aggregates", "xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    taken += [list(sheet.values) for sheet in workbook.worksheets]
    return taken


def test_a_viewer_learns_no_more_of_another_partnership_than_the_rounded_averages(
    client, cast, assessment
):
    """Two worlds differ in one other partnership's figure for 1.1, 3.0 or 3.17, with the
    others' average shown as 3.0 in both and both gaps unlikely to be chance. Were the
    page, or any download, to give the test's p-value or the others' spread, the worlds
    would read differently."""
    cast.partnership.share_benchmarks = True
    cast.partnership.save()
    # Ours: everyone rates 1.1 at 1 and says no to 1.1.2; coordinators and board members
    # differ on 1.2, so "Where views differ" has an adjusted p-value to print.
    crowd(
        assessment,
        [({"role": "coordinator"}, {"1.1": 1, "1.1.2": "no", "1.2": 4}) for _ in range(3)]
        + [({"role": "board_member"}, {"1.1": 1, "1.1.2": "no", "1.2": 1}) for _ in range(3)],
    )
    others = [
        # (1.1, 1.1.2, 1.2) for each person
        [(3, "yes", 3)] * 4 + [(3, "no", 3)] * 2,
        [(2, "yes", 2), (3, "yes", 3), (3, "yes", 3)],
        [(3, "yes", 3), (3, "yes", 3), (4, "no", 4)],
        [(3, "yes", 3), (3, "yes", 3), (3, "no", 3)],
        [(3, "yes", 3), (3, "yes", 3), (3, "no", 3)],
        [(3, "yes", 3), (3, "yes", 3), (3, "no", 3)],
    ]
    for n, people in enumerate(others):
        other = make_assessment(cast, partnership=sharing(f"Other {n}", "district"))
        crowd(other, [({}, {"1.1": a, "1.1.2": b, "1.2": c}) for a, b, c in people])
    client.force_login(cast.executive)

    before = build(assessment)
    first = snapshot(client, cast, assessment)
    # The one change: a person in the first partnership rates 1.1 at 4, not 3.
    changed = Answer.objects.filter(
        respondent__assessment__partnership__name="Other 0", item__key="1.1"
    ).order_by("pk")[0]
    Answer.objects.filter(pk=changed.pk).update(rating=4)
    after = build(assessment)

    # The worlds do differ, in the spread and the p-value nobody is shown...
    spreads = [b._spreads[("1.1", "internal")] for b in (before.benchmarks[0], after.benchmarks[0])]
    assert spreads[0].sd != spreads[1].sd and spreads[0].mean != spreads[1].mean
    p = [next(g._p for g in r.benchmark_gaps if g.item.key == "1.1") for r in (before, after)]
    assert p[0] != p[1]
    # ...not in what is shown: the same rounded averages, the same verdicts.
    assert [b.items for b in before.benchmarks] == [b.items for b in after.benchmarks]
    verdicts = [[(g.item.key, g.group, g.clear) for g in r.benchmark_gaps] for r in (before, after)]
    assert verdicts[0] == verdicts[1]
    assert ("1.1", EVERYONE, True) in verdicts[0] and ("1.2", EVERYONE, False) in verdicts[0]

    assert snapshot(client, cast, assessment) == first

    # The differences between our own groups print their adjusted p-values: adjusted
    # together with the gaps from other partnerships, they would carry those gaps' p-values.
    # They read the same with no other partnership compared at all.
    cast.partnership.share_benchmarks = False
    cast.partnership.save()
    alone = build(assessment)
    assert not alone.benchmark_gaps
    assert [g.q for g in alone.rating_gaps] == [g.q for g in after.rating_gaps]
    header = next(csv.reader(io.StringIO(first[1])))
    assert header == [
        "Item",
        "Basis",
        "Compared with",
        "Here",
        "Their average",
        "Difference",
        "Unit",
        "Chance",
        "Question",
    ]
