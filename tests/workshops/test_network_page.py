"""The network page in results and its map: who may see them, what they say when there is
no network to show, the table holding every fact the map shows, and that nothing said
there is any one person's answer."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.builders import build_network, make_assessment
from tests.workshops.network_shapes import CLUSTERS, COUNCIL, clusters
from tests.workshops.test_results import respond
from workshops.models import Answer, Organisation


def page(client, assessment, name="results-network"):
    return client.get(reverse(name, args=[assessment.partnership_id, assessment.pk]))


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def row_of(html: str, organisation: Organisation) -> str:
    match = re.search(rf'<tr[^>]*id="network-organisation-{organisation.pk}".*?</tr>', html, re.S)
    assert match, organisation.name
    return text_of(match.group(0))


@pytest.mark.django_db
def test_the_page_shows_findings_the_map_and_the_table(client, cast, bank):
    assessment = make_assessment(cast)
    clusters(assessment)
    client.force_login(cast.executive)

    response = page(client, assessment)

    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    assert "Chamber of commerce links partners that would otherwise be apart" in text
    assert "1 organisation works with no other partner: Parish council." in text
    assert reverse("results-network-map", args=[cast.partnership.pk, assessment.pk]) in html
    assert "Not known, so not on the map: Water company." in text
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_the_table_holds_every_organisation_and_tie_the_map_draws(client, cast, bank):
    assessment = make_assessment(cast)
    organisations = clusters(assessment)
    by_pk = {o.pk: o for o in organisations.values()}
    client.force_login(cast.executive)

    svg = page(client, assessment, "results-network-map").content.decode()
    html = page(client, assessment).content.decode()

    drawn = [int(pk) for pk in re.findall(r'id="organisation-(\d+)"', svg)]
    assert sorted(by_pk[pk].name for pk in drawn) == sorted(
        name for name in CLUSTERS if name != "Water company"
    )
    for pk in drawn:
        organisation = by_pk[pk]
        row = row_of(html, organisation)
        assert row.startswith(organisation.name)
        assert organisation.get_sector_display() in row
        assert organisation.name.replace("District Council", "District") in svg  # labelled
    ties = re.findall(r'id="tie-(\d+)-(\d+)"', svg)
    assert len(ties) == 8
    for a, b in ties:
        first, second = by_pk[int(a)], by_pk[int(b)]
        assert second.name + " (" in row_of(html, first)
        assert first.name + " (" in row_of(html, second)
    council = row_of(html, organisations[COUNCIL])
    assert "Health trust (monthly); Police (monthly)" in council
    assert "Chamber of commerce (a few times a year)" in council
    food_bank = row_of(html, organisations["Food bank"])
    assert "Chamber of commerce (monthly, said by one side only)" in food_bank
    assert "0.38 (high)" in food_bank
    assert "No partner" in row_of(html, organisations["Parish council"])
    title = re.search(r"<title>([^<]*)</title>", svg).group(1)
    assert "8 organisations and 8 ties" in title
    assert unescape(title) in unescape(html)  # the map's text alternative


@pytest.mark.django_db
def test_an_outsider_gets_404_and_a_participant_403(client, cast, bank):
    assessment = make_assessment(cast)
    clusters(assessment)
    for user, status in ((cast.outsider, 404), (cast.participant, 403)):
        client.force_login(user)
        for name in ("results-network", "results-network-map"):
            response = page(client, assessment, name)
            assert response.status_code == status
            # Refused, the page names none of the partnership's organisations.
            assert "Food bank" not in response.content.decode()
            assert "Chamber of commerce" not in response.content.decode()


@pytest.mark.django_db
def test_without_the_section_the_page_says_so_and_results_do_not_link_it(client, cast, bank):
    assessment = make_assessment(cast)
    respond(assessment, **{"1_1": "3"})
    client.force_login(cast.coordinator)

    text = text_of(page(client, assessment).content.decode())

    assert "This assessment did not ask how partner organisations work together." in text
    assert "see the partnership network" not in page(client, assessment, "results").content.decode()
    svg = page(client, assessment, "results-network-map").content.decode()
    assert "This assessment did not ask" in svg


@pytest.mark.django_db
def test_with_the_section_on_results_link_the_network(client, cast, bank):
    assessment = make_assessment(cast)
    clusters(assessment)
    client.force_login(cast.coordinator)

    html = page(client, assessment, "results").content.decode()

    network = reverse("results-network", args=[cast.partnership.pk, assessment.pk])
    assert f'href="{network}">see the partnership network</a>' in html


@pytest.mark.django_db
def test_with_too_few_answers_the_page_says_how_many_more_are_needed(client, cast, bank):
    assessment = make_assessment(cast)
    build_network(assessment, {COUNCIL: "public", "Police": "public"}, {(COUNCIL, "Police"): 3})
    client.force_login(cast.executive)

    text = text_of(page(client, assessment).content.decode())

    assert "The network is shown once at least 3 people have answered its questions" in text
    assert "Police" not in text


@pytest.mark.django_db
def test_one_persons_organisation_shows_only_as_its_view_and_nothing_else_they_said(
    client, cast, bank
):
    """Attack: in an anonymous assessment, the only respondent from the Lone trust also
    answered the questionnaire. The network page shows its organisation's view of its
    partners (that is the section's purpose), and nothing else of theirs: no rating, no
    open answer, no count of people by organisation, and no rating of another organisation
    drawn from fewer people than a group may have."""
    assessment = make_assessment(cast, anonymous=True)
    sectors = {"Lone trust": "third", COUNCIL: "public", "Police": "public"}
    build_network(
        assessment,
        sectors,
        {
            ("Lone trust", COUNCIL): (3, 1, 1),
            (COUNCIL, "Lone trust"): (3, 4, 4),
            ("Police", COUNCIL): (2, 4, 4),
        },
    )
    lone = assessment.respondents.get(organisation="Lone trust")
    items = {item.key: item for item in assessment.items.filter(key__in=["1.1", "1.2.1"])}
    Answer.objects.create(respondent=lone, item=items["1.1"], basis="internal", rating=1)
    Answer.objects.create(respondent=lone, item=items["1.2.1"], text="Lone secret")
    client.force_login(cast.executive)

    html = page(client, assessment).content.decode()
    text = text_of(html)

    assert "Lone trust" in text and "3 people" in text
    assert "Lone secret" not in html
    assert not re.search(r"\b1 (person|people|respondent)", text)
    # The council's reliability as others see it comes from two people: not shown.
    assert "Too few ratings" in row_of(html, Organisation.objects.get(name=COUNCIL))
    assert "1.2.1" not in text and "Rating" not in text
