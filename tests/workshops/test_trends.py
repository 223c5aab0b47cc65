"""Trends: earlier assessments of the same partnership beside this one's results."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from questions.bank_file import parse_bank
from questions.loader import load_bank
from tests.builders import make_assessment
from tests.workshops.test_results import build, respond


def test_trends_match_earlier_assessments_by_key_across_bank_versions(cast, bank):
    earlier = make_assessment(cast, title="2025 review", opens=-400, closes=-380)
    respond(earlier, **{"1_1": "1", "1_2": "2"})
    text = bank_path().read_text().replace("reflect LSP members", "reflect partners", 1)
    new_bank = load_bank(parse_bank(text)).version
    assert new_bank.number == bank.number + 1
    current = make_assessment(cast, title="2026 review")
    assert current.bank == new_bank
    respond(current, **{"1_1": "3"})
    results = build(current)
    (trend,) = results.trends
    assert trend.label.startswith("2025 review")
    assert trend.elements[1] == pytest.approx(1.5)
    assert trend.items[("1.1", "internal")] == 1.0
    assert results.elements[0].scores["internal"] == 3.0


def bank_path():
    from django.conf import settings

    return settings.QUESTION_BANK_PATH


def test_an_assessment_that_opens_later_is_not_a_trend(cast, bank):
    later = make_assessment(cast, title="Later", opens=30, closes=40)
    respond(later, **{"1_1": "4"})
    now = make_assessment(cast, title="Now")
    assert build(now).trends == []
    assert [t.label.split(" (")[0] for t in build(later).trends] == ["Now"]


def test_element_scores_over_time_give_each_rounds_share_beside_its_score(client, cast, bank):
    earlier = make_assessment(cast, title="2025 review", opens=-400, closes=-380)
    respond(earlier, **{"1_1": "1", "1_2": "3"})
    current = make_assessment(cast, title="2026 review")
    respond(current, **{"1_1": "3", "1_2": "4"})
    (trend,) = build(current).trends
    assert trend.shares[1] == 0.5  # one of the two ratings at 3 or 4
    client.force_login(cast.executive)
    page = client.get(reverse("results", args=[cast.partnership.pk, current.pk])).content.decode()
    table = page.split('aria-label="Element scores over time"')[1].split("</table>")[0]
    assert "in brackets the share of the element's ratings that say it performs well or better" in (
        table
    )
    row = re.search(r"<th scope=\"row\"[^>]*>1\. .*?</tr>", table, re.S)[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["2.0 (50%)", "3.5 (100%)"]
