"""A coordinator sets up an assessment (the elements asked for only under "Chosen
elements only", revealed when it is picked) and invites everyone with "Select all";
both work without JavaScript too."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.builders import make_assessment, make_person
from workshops.models import Assessment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_dates(page) -> None:
    year = str(timezone.localdate().year + 1)
    for legend, day in (("Opens on", "1"), ("Closes on", "31")):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill("Dec")
        group.get_by_label("Year").fill(year)


def test_the_elements_are_revealed_only_under_chosen_elements(new_page, cast, bank):
    page = new_page(PHONE)
    sign_in(page, cast.coordinator.email)
    page.goto(reverse("assessment-create", args=[cast.partnership.pk]))
    elements = page.get_by_role("group", name="Elements to ask about")
    chosen = page.get_by_label("Chosen elements only")
    expect(elements).to_be_hidden()
    expect(chosen).to_have_attribute("aria-controls", "conditional_scope_2")
    chosen.check()
    expect(elements).to_be_visible()
    page.get_by_label("Top-level questions only").check()
    expect(elements).to_be_hidden()

    chosen.check()
    page.get_by_label("Title").fill("Two elements")
    elements.get_by_role("checkbox").nth(0).check()
    elements.get_by_role("checkbox").last.check()
    fill_dates(page)
    page.get_by_role("button", name="Create assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two elements")
    assert Assessment.objects.get(title="Two elements").items.count() == 18


def test_a_refused_form_shows_the_chosen_elements_again(new_page, cast, bank):
    page = new_page(DESKTOP)
    sign_in(page, cast.coordinator.email)
    page.goto(reverse("assessment-create", args=[cast.partnership.pk]))
    page.get_by_label("Chosen elements only").check()
    page.get_by_role("button", name="Create assessment").click()
    expect(page.get_by_text("Choose at least one element").first).to_be_visible()
    expect(page.get_by_role("group", name="Elements to ask about")).to_be_visible()


def test_without_javascript_every_element_is_shown(browser, live_server, cast, bank):
    context = browser.new_context(
        viewport=PHONE, java_script_enabled=False, base_url=live_server.url
    )
    page = context.new_page()
    sign_in(page, cast.coordinator.email)
    page.goto(reverse("assessment-create", args=[cast.partnership.pk]))
    elements = page.get_by_role("group", name="Elements to ask about")
    expect(elements).to_be_visible()
    expect(elements.get_by_role("checkbox")).to_have_count(8)
    # Nothing claims to control a part that cannot be hidden.
    expect(page.get_by_label("Chosen elements only")).not_to_have_attribute(
        "aria-controls", re.compile(".")
    )
    context.close()


def test_select_all_ticks_everyone_in_place_and_says_so(new_page, cast, bank):
    assessment = make_assessment(cast)
    for n in range(4):
        make_person(cast, f"Person {n}", f"person{n}@eastvale.example.org")
    page = new_page(DESKTOP)
    sign_in(page, cast.coordinator.email)
    page.goto(reverse("assessment-invite", args=[cast.partnership.pk, assessment.pk]))
    people = page.get_by_role("group", name="Who to invite").get_by_role("checkbox")
    everyone = page.get_by_label("Select all 5 people")
    expect(page.get_by_role("link", name="Select all 5 people")).to_be_hidden()
    expect(people).to_have_count(5)
    everyone.check()
    for n in range(5):
        expect(people.nth(n)).to_be_checked()
    expect(page.locator("[data-live-announce]")).to_have_text("All 5 selected.")
    people.nth(0).uncheck()
    expect(everyone).not_to_be_checked()
    assert page.evaluate("document.getElementById('select-all').indeterminate")
    everyone.check()
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("5 invited; 4 emails sent.")).to_be_visible()
    assert assessment.invitations.count() == 5


def test_without_javascript_select_all_is_a_link_to_the_boxes_ticked(
    browser, live_server, cast, bank
):
    assessment = make_assessment(cast)
    make_person(cast, "Ann Lee", "ann@eastvale.example.org")
    context = browser.new_context(
        viewport=PHONE, java_script_enabled=False, base_url=live_server.url
    )
    page = context.new_page()
    sign_in(page, cast.coordinator.email)
    page.goto(reverse("assessment-invite", args=[cast.partnership.pk, assessment.pk]))
    expect(page.get_by_label("Select all 2 people")).to_be_hidden()
    page.get_by_role("link", name="Select all 2 people").click()
    people = page.get_by_role("group", name="Who to invite").get_by_role("checkbox")
    expect(people.nth(0)).to_be_checked()
    expect(people.nth(1)).to_be_checked()
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("2 invited; 1 email sent.")).to_be_visible()
    context.close()
