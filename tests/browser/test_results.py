"""An executive reads the results in a browser: the 7S chart, where views differ, every
comparison between groups, and which differences from other partnerships are not chance."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.browser.test_accessibility import check
from tests.builders import make_assessment
from tests.workshops.test_benchmarks import partnership
from tests.workshops.test_results import respond

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_executive_finds_the_7s_chart_and_the_largest_gap(new_page, cast, assessment):
    for value in ["4", "4", "3", "4"] * 2:
        respond(assessment, role="coordinator", **{"1_1": value, "2_1": "3", "1_1_2": "yes"})
    for value in ["1", "2", "1", "1"] * 2:
        respond(assessment, role="board_member", **{"1_1": value, "2_1": "3", "1_1_2": "no"})

    page = new_page(DESKTOP)
    sign_in(page, cast.executive.email)
    page.get_by_role("link", name="Eastvale LSP").click()
    page.get_by_role("link", name=f"Results of {assessment.title}").click()

    expect(page.get_by_role("heading", name=f"Results: {assessment.title}")).to_be_visible()
    chart = page.get_by_role("img", name=re.compile(r"^7S chart of element scores\. SCS: 2\.5"))
    expect(chart).to_be_visible()
    # The chart really drew: the browser loaded the SVG and gave it a size.
    assert chart.evaluate("img => img.complete && img.naturalWidth > 100")

    heat = page.get_by_role("img", name=re.compile("^Heat map"))
    heat.scroll_into_view_if_needed()
    expect(heat).to_be_visible()
    assert heat.evaluate("img => img.complete && img.naturalWidth > 100")

    differ = page.get_by_role("table", name="Differences unlikely to be chance and large")
    first, second = differ.get_by_role("row").nth(1), differ.get_by_role("row").nth(2)
    expect(first).to_contain_text("1.1.2")
    expect(first).to_contain_text("100% of coordinators say yes; 0% of board members")
    expect(second).to_contain_text(
        "100% of coordinators rate it performs well or better (3.8 on average); "
        "0% of board members (1.2)"
    )
    screenshot(page, "results-desktop")

    # Every comparison, one link away, filtered by the page's address.
    page.get_by_role("link", name=re.compile("^Every comparison")).click()
    expect(page.get_by_text("Showing all 3 comparisons.")).to_be_visible()
    page.get_by_label("Kind of question").select_option("Yes or no")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"kind=yes_no"))
    expect(page.get_by_text("Showing 1 of 3 comparisons.")).to_be_visible()
    rows = page.get_by_role("table", name="Every comparison between groups").get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Unlikely to be chance (Fisher's exact, adjusted p")
    screenshot(page, "results-every-difference")


def test_the_filter_works_without_javascript(browser, live_server, cast, assessment):
    for value in ["4", "4", "3"]:
        respond(assessment, **{"1_1": value})
    for value in ["1", "2", "1"]:
        respond(assessment, channel="workshop", submitted=False, **{"1_1": value})
    context = browser.new_context(
        viewport=DESKTOP, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, cast.executive.email)
    page.goto(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    # The workshop's voters were anonymous: they may be three of the questionnaire's three.
    expect(
        page.get_by_text(
            "6 people took part: 3 answered the questionnaire, 3 voted in a workshop "
            "(3 voted anonymously and may also have answered the questionnaire)."
        )
    ).to_be_visible()

    whose = page.get_by_role("group", name="Whose answers")
    expect(whose.get_by_role("radio", name="Questionnaire and workshops")).to_be_checked()
    whose.get_by_role("radio", name="Workshop votes only").check()
    page.get_by_role("button", name="Show").click()

    # Without a group chosen, the address says so with empty values: everyone's answers.
    expect(page).to_have_url(re.compile(r"/results/\?channel=workshop&group=&versus=$"))
    expect(page.get_by_text("3 people voted in a workshop, all anonymously.")).to_be_visible()
    expect(whose.get_by_role("radio", name="Workshop votes only")).to_be_checked()
    context.close()


def test_a_question_shortened_in_a_table_opens_to_its_whole_words(new_page, cast, bank):
    both = make_assessment(cast, basis="both")
    for value in ["4", "4", "4", "3"] * 2:
        respond(both, role="coordinator", **{"1_2": value, "1_2__external": "1"})
    for value in ["1", "1", "2", "1"] * 2:
        respond(both, role="board_member", **{"1_2": value, "1_2__external": "4"})
    words = both.items.get(key="1.2").text

    page = new_page({"width": 375, "height": 812})
    sign_in(page, cast.executive.email)
    page.goto(reverse("results", args=[cast.partnership.pk, both.pk]))
    differ = page.get_by_role("table", name="Differences unlikely to be chance and large")
    first = differ.get_by_role("row").nth(1)
    summary = first.locator("summary")
    expect(summary).to_contain_text("1.2 How well is the long-term SCS")
    expect(summary).to_contain_text("(Against other LSPs)")
    whole = first.locator(".lsp-item-name__words")
    expect(whole).to_be_hidden()
    summary.focus()
    page.keyboard.press("Enter")
    expect(whole).to_be_visible()
    expect(whole).to_have_text(words)
    assert summary.evaluate("s => s.getBoundingClientRect().height") >= 24
    screenshot(page, "results-question-words-phone")


def test_two_groups_side_by_side_from_the_filter_without_javascript(
    browser, live_server, cast, assessment
):
    for value in ["4", "4", "3"]:
        respond(assessment, role="coordinator", **{"1_1": value})
    for value in ["1", "2", "1"]:
        respond(assessment, role="board_member", **{"1_1": value})
    context = browser.new_context(
        viewport=DESKTOP, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, cast.executive.email)
    page.goto(reverse("results", args=[cast.partnership.pk, assessment.pk]))

    page.get_by_label("Show the results of").select_option(label="Coordinators")
    page.get_by_label("Side by side with").select_option(label="Board members")
    page.get_by_role("button", name="Show").click()

    # The address carries the view, so it can be shared.
    expect(page).to_have_url(re.compile(r"group=role%3Acoordinators&versus=role%3Aboard"))
    expect(page.get_by_text("Coordinators and Board members, side by side")).to_be_visible()
    scores = page.get_by_role("table", name=re.compile("^Element scores"))
    expect(scores.get_by_role("row").nth(1)).to_contain_text("3.7")
    expect(scores.get_by_role("row").nth(1)).to_contain_text("100%")
    expect(scores.get_by_role("row").nth(1)).to_contain_text("1.3")
    for name in ("Coordinators", "Board members"):
        chart = page.get_by_role("img", name=re.compile(f"^{name}: 7S chart"))
        expect(chart).to_be_visible()
        assert chart.evaluate("img => img.complete && img.naturalWidth > 100")
    expect(page.get_by_label("Show the results of")).to_have_value("role:coordinators")
    context.close()


def test_an_executive_reads_which_differences_from_other_partnerships_are_not_chance(
    new_page, cast, assessment
):
    cast.partnership.share_benchmarks = True
    cast.partnership.save()
    # Six others rate 1.1 at 3 or 4 and 1.2 from 2 to 4; ours rate 1.1 at 1, 1.2 at 3.
    for n, (first, second) in enumerate(["43", "42", "33", "34", "43", "32"]):
        other = make_assessment(cast, partnership=partnership(f"Sharing {n}"))
        for _ in range(3):
            respond(other, **{"1_1": first, "1_2": second})
    for _ in range(3):
        respond(assessment, **{"1_1": "1", "1_2": "3"})

    page = new_page(PHONE, axe=True)
    sign_in(page, cast.executive.email)
    page.goto(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    table = page.get_by_role(
        "table", name=re.compile("^Ratings compared with other partnerships: unlikely to be")
    )
    rows = table.get_by_role("row")
    expect(rows).to_have_count(5)
    for n in (1, 2):
        expect(rows.nth(n)).to_contain_text("Rated 1.0 here; 3.5 across")
        expect(rows.nth(n)).to_contain_text("Unlikely to be chance")
    for n in (3, 4):
        expect(rows.nth(n)).to_contain_text("Rated 3.0 here; 2.8 across")
        expect(rows.nth(n)).to_contain_text("Could be chance")
    expect(
        page.get_by_text("2 of the 4 rating comparisons are unlikely to be chance.")
    ).to_be_visible()
    check(page, "results with other partnerships (executive)")
    screenshot(page, "results-other-partnerships-phone")
