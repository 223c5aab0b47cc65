"""Partnerships side by side (workshops/services/comparisons.py and its pages): groups of
authority types as means and shares, and a county partnership's districts that share with it."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.builders import make_assessment, make_user
from tests.workshops.test_results import respond
from workshops.models import Membership, Partnership

COUNTY_TYPE = "Counties, metropolitan districts and London boroughs"
DISTRICT_TYPE = "Districts and unitaries"


def sharing(cast, count: int, authority: str, ratings: list[str], plan: str, **more) -> list:
    """Verified partnerships sharing their results, each with one respondent per rating."""
    made = []
    for n in range(count):
        p = Partnership.objects.create(
            name=f"LSP {authority} {n} {'-'.join(ratings)}",
            area="Somewhere",
            authority_type=authority,
            **{"share_benchmarks": True, "verified_at": timezone.now(), **more},
        )
        assessment = make_assessment(cast, partnership=p)
        for rating in ratings:
            respond(assessment, **{"1_1": rating, "1_1_2": plan})
        made.append(p)
    return made


def row_cells(page: str, key: str) -> list[str]:
    """The figures of a question's row, as the page shows them."""
    row = re.search(rf'lsp-item-name__key">{re.escape(key)}<.*?</tr>', page, re.S)
    assert row, key
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row.group(0), re.S)
    return [c.strip() for c in cells]


def comparison_page(client, cast) -> str:
    client.force_login(cast.executive)
    response = client.get(reverse("comparison-authority-types", args=[cast.partnership.pk]))
    assert response.status_code == 200
    return response.content.decode()


def opt_in(partnership: Partnership) -> None:
    partnership.share_benchmarks = True
    partnership.save()


# --- Types of authority ---------------------------------------------------------------------


def test_authority_types_side_by_side_as_means_and_shares(client, cast, bank):
    opt_in(cast.partnership)
    # Counties, metropolitan districts and London boroughs: 4, 4 and 2 (two of three rate it
    # 3 or 4), all saying yes. Districts and unitaries: 2, 2 and 3, all saying no.
    sharing(cast, 3, "county", ["4", "4", "2"], "yes")
    sharing(cast, 1, "metropolitan", ["4", "4", "2"], "yes")
    sharing(cast, 1, "london", ["4", "4", "2"], "yes")
    sharing(cast, 4, "district", ["2", "2", "3"], "no")
    sharing(cast, 1, "unitary", ["2", "2", "3"], "no")

    page = comparison_page(client, cast)

    assert f"{COUNTY_TYPE}: 5 partnerships" in page
    assert f"{DISTRICT_TYPE}: 5 partnerships" in page
    assert "All participating partnerships: 10 partnerships" in page
    # Means 10/3 and 7/3, shares 2/3 and 1/3; everyone is the mean of the ten partnerships.
    assert row_cells(page, "1.1") == ["3.3", "67%", "2.3", "33%", "2.8", "50%"]
    assert row_cells(page, "1.1.2") == ["100%", "0%", "50%"]
    elements = re.search(r'id="elements".*?</table>', page, re.S).group(0)
    first = re.search(r"1\. .*?</tr>", elements, re.S).group(0)
    assert re.findall(r"numeric\">(.*?)</td>", first) == ["3.3", "67%", "2.3", "33%", "2.8", "50%"]
    assert '<th scope="colgroup" colspan="2" class="govuk-table__header">' in page
    assert "<caption" in page and 'scope="row"' in page
    assert "LSP county" not in page and "LSP district" not in page  # never named


def test_a_group_with_too_few_partnerships_says_why_and_shows_no_figure(client, cast, bank):
    opt_in(cast.partnership)
    sharing(cast, 3, "county", ["4", "4", "4"], "yes")
    sharing(cast, 5, "unitary", ["1", "2", "2"], "no")
    own = make_assessment(cast)
    for _ in range(3):  # the viewer's own answers are never in the figures
        respond(own, **{"1_1": "4", "1_1_2": "yes"})

    page = comparison_page(client, cast)

    assert (
        f"{COUNTY_TYPE}: only 3 other partnerships of this kind share their results; "
        "at least 5 are needed, so no figures are shown" in page
    )
    assert f'colspan="2" class="govuk-table__header">{COUNTY_TYPE}' not in page
    # Districts and unitaries (5), then all eight: 1.67 and (5 × 1.67 + 3 × 4) / 8 = 2.5.
    assert row_cells(page, "1.1") == ["1.7", "0%", "2.5", "38%"]
    assert "4.0" not in row_cells(page, "1.1")


def test_partnerships_that_do_not_share_or_are_not_verified_are_left_out(client, cast, bank):
    opt_in(cast.partnership)
    sharing(cast, 4, "district", ["3", "3", "3"], "yes")
    quiet = sharing(cast, 1, "district", ["1", "1", "1"], "no")[0]
    Partnership.objects.filter(pk=quiet.pk).update(share_benchmarks=False)
    sharing(cast, 1, "unitary", ["1", "1", "1"], "no", verified_at=None)

    page = comparison_page(client, cast)

    assert f"{DISTRICT_TYPE}: only 4 other partnerships" in page
    Partnership.objects.filter(pk=quiet.pk).update(share_benchmarks=True)
    page = comparison_page(client, cast)
    assert f"{DISTRICT_TYPE}: 5 partnerships" in page
    assert row_cells(page, "1.1")[:2] == ["2.6", "80%"]  # (4 × 3 + 1) / 5


def test_a_partnership_that_does_not_share_sees_no_comparison(client, cast, bank):
    sharing(cast, 5, "district", ["3", "3", "3"], "yes")
    page = comparison_page(client, cast)
    assert "does not share anonymised results, so it sees no comparison" in page
    assert "3.0" not in page


def test_the_comparison_takes_the_same_queries_for_more_partnerships(client, cast, bank):
    opt_in(cast.partnership)
    sharing(cast, 5, "county", ["3", "4", "2"], "yes")
    sharing(cast, 5, "district", ["3", "4", "2"], "yes")
    client.force_login(cast.executive)
    url = reverse("comparison-authority-types", args=[cast.partnership.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    sharing(cast, 10, "unitary", ["1", "4", "4"], "no")
    with CaptureQueriesContext(connection) as more:
        page = client.get(url).content.decode()
    assert "All participating partnerships: 20 partnerships" in page
    assert len(more) == len(few)


def test_the_results_page_links_to_the_comparison(client, cast, assessment):
    client.force_login(cast.executive)
    page = client.get(reverse("results", args=[cast.partnership.pk, assessment.pk]))
    url = reverse("comparison-authority-types", args=[cast.partnership.pk])
    assert f'href="{url}"' in page.content.decode()


# --- A county's districts -------------------------------------------------------------------


def two_tier(cast):
    """Northshire (a county) over Eastvale (the cast's district, sharing with it), Southdale
    (sharing, too few answers) and Hillcombe (not sharing); Farshire, another county, over
    Lowmere (sharing)."""
    county = Partnership.objects.create(name="Northshire", area="N", authority_type="county")
    county_exec = make_user("executive@northshire.example.org", "County executive")
    Membership.objects.create(partnership=county, user=county_exec, role="executive")
    far = Partnership.objects.create(name="Farshire", area="F", authority_type="county")
    far_coordinator = make_user("coordinator@farshire.example.org", "Far coordinator")
    Membership.objects.create(partnership=far, user=far_coordinator, role="coordinator")
    Partnership.objects.filter(pk=cast.partnership.pk).update(
        county_partnership=county, share_with_county=True
    )
    eastvale = make_assessment(cast, title="Eastvale spring review")
    for rating in ("4", "3", "1"):
        respond(eastvale, **{"1_1": rating})
    districts = {}
    for name, parent, shares, people in [
        ("Southdale", county, True, 2),
        ("Hillcombe", county, False, 3),
        ("Lowmere", far, True, 3),
    ]:
        p = Partnership.objects.create(
            name=name,
            area=name,
            authority_type="district",
            county_partnership=parent,
            share_with_county=shares,
        )
        assessment = make_assessment(cast, partnership=p, title=f"{name} review")
        for _ in range(people):
            respond(assessment, **{"1_1": "2"})
        districts[name] = p
    return county, county_exec, far, far_coordinator, districts


def districts_page(client, user, county) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(reverse("comparison-districts", args=[county.pk]))
    return response.status_code, response.content.decode()


def test_a_county_sees_its_sharing_districts_side_by_side_by_name(client, cast, bank):
    county, county_exec, *_ = two_tier(cast)

    status, page = districts_page(client, county_exec, county)

    assert status == 200
    row = re.search(r"Eastvale LSP.*?</tr>", page, re.S).group(0)
    assert "Eastvale spring review" in row
    # 1.1 rated 4, 3 and 1: element 1 averages 2.7, two of three rate it 3 or 4.
    assert re.findall(r"numeric\">(.*?)</td>", row)[:2] == ["2.7", "67%"]
    assert "Southdale" in page and "Too few answers to show" in page
    assert "Hillcombe" not in page  # not sharing: not there at all
    assert "Lowmere" not in page  # another county's district, never


def test_opting_out_removes_a_district_at_once(client, cast, bank):
    county, county_exec, *_ = two_tier(cast)
    Partnership.objects.filter(pk=cast.partnership.pk).update(share_with_county=False)
    _, page = districts_page(client, county_exec, county)
    assert "Eastvale" not in page and "2.7" not in page


def test_a_districts_coordinator_sees_neither_the_county_page_nor_a_sibling(client, cast, bank):
    county, _, _, _, districts = two_tier(cast)
    status, page = districts_page(client, cast.coordinator, county)
    assert status == 404 and "Southdale" not in page
    # Their own partnership is no county: its page shows no district, its own siblings none.
    status, page = districts_page(client, cast.coordinator, cast.partnership)
    assert status == 200 and "is not a county partnership" in page
    assert "Southdale" not in page and "Hillcombe" not in page
    status, _ = districts_page(client, cast.coordinator, districts["Southdale"])
    assert status == 404


def test_another_county_sees_nothing_of_the_district(client, cast, bank):
    county, _, far, far_coordinator, _ = two_tier(cast)
    status, page = districts_page(client, far_coordinator, county)
    assert status == 404 and "Eastvale" not in page
    status, page = districts_page(client, far_coordinator, far)
    assert status == 200 and "Lowmere" in page
    assert "Eastvale" not in page and "Southdale" not in page


def test_a_county_participant_may_not_see_the_districts(client, cast, bank):
    county, *_ = two_tier(cast)
    member = make_user("participant@northshire.example.org", "County participant")
    Membership.objects.create(partnership=county, user=member, role="participant")
    status, page = districts_page(client, member, county)
    assert status == 403 and "Eastvale" not in page


def test_a_coordinator_opts_in_to_share_with_the_county_on_the_partnership_form(client, cast):
    county = Partnership.objects.create(name="Northshire", area="N", authority_type="county")
    Partnership.objects.filter(pk=cast.partnership.pk).update(county_partnership=county)
    client.force_login(cast.coordinator)
    url = reverse("partnership-edit", args=[cast.partnership.pk])
    form = client.get(url).content.decode()
    assert "Share our results with our county partnership" in form
    assert 'name="share_with_county"' in form and "checked" not in form.split("share_with")[1]
    data = {"name": "Eastvale LSP", "area": "Eastvale", "authority_type": "district"}
    # The coordinator is no member of the county: it stays a choice, and stays linked.
    response = client.post(
        url, {**data, "county_partnership": county.pk, "share_with_county": "on"}
    )
    assert response.status_code == 302
    cast.partnership.refresh_from_db()
    assert cast.partnership.share_with_county and cast.partnership.county_partnership == county
    # Without a county there is no one to share with.
    response = client.post(url, {**data, "county_partnership": "", "share_with_county": "on"})
    assert "Choose the county partnership to share results with" in response.content.decode()
    cast.partnership.refresh_from_db()
    assert cast.partnership.county_partnership == county
    response = client.post(url, {**data, "county_partnership": county.pk})
    cast.partnership.refresh_from_db()
    assert not cast.partnership.share_with_county
