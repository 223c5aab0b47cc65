"""The questionnaire's network section: who is asked it, answering it by page and as
answers are given, resuming, skipping, checking and the bad input it refuses."""

from __future__ import annotations

import pytest

from tests.builders import answer_network, make_assessment, make_organisations, make_person
from tests.workshops.questionnaire_helpers import paper_url, url
from workshops.models import Invitation, NetworkAnswer, Organisation, Respondent
from workshops.models.assessment import Scope
from workshops.services.questionnaire import submit


@pytest.fixture
def partners(cast):
    """The council's partners: two public, one private, one third sector."""
    return make_organisations(
        cast.partnership,
        public=["Eastvale Police", "Eastvale Fire and Rescue"],
        private=["Eastvale Chamber"],
        third=["Age Concern Eastvale"],
    )


@pytest.fixture
def network_invitation(cast, bank, partners):
    """Priya Shah of the council, asked two short parts and the network section."""
    assessment = make_assessment(
        cast, title="Network round", scope=Scope.ELEMENTS, sections=(1, 8), network=True
    )
    return Invitation.objects.create(assessment=assessment, person=cast.person)


def stored(invitation) -> dict[str, str]:
    """The network answers of the invitation's response, as "how often|rely|contrib"."""
    rows = NetworkAnswer.objects.filter(respondent__invitation=invitation).select_related("partner")
    return {
        a.partner.name: f"{'dk' if a.dont_know else a.frequency}|{a.reliability or ''}|"
        f"{a.contribution or ''}"
        for a in rows
    }


def by_name(partners) -> dict[str, Organisation]:
    return {o.name: o for o in partners}


def test_the_section_comes_after_the_last_part_and_lists_the_other_organisations_by_sector(
    client, network_invitation, partners
):
    response = client.post(url(network_invitation, "section", 8), {})
    assert response.url == url(network_invitation, "network")
    page = client.get(response.url).content.decode()
    assert (
        '<h1 class="govuk-heading-xl govuk-!-margin-bottom-2">How your organisation works' in page
    )
    assert "Part 3 of 3" in page
    assert "shown only as Eastvale District Council's view" in page
    assert "never with your name" in page
    only_one = "If you are the only one from Eastvale District Council to answer, its view is yours"
    assert only_one in page
    assert "Skip this section" in page
    # Grouped by sector in the order public, private, third; organisations by name.
    order = [page.index(s) for s in ("Public sector", "Private sector", "Third sector")]
    assert order == sorted(order)
    assert page.index("Eastvale Fire and Rescue") < page.index("Eastvale Police")
    assert "How often does your organisation work with Eastvale Chamber" in page
    assert "How far can you rely on Age Concern Eastvale to deliver what it agrees?" in page
    assert "1 – Performs poorly" in page and "Don&#x27;t know this organisation" in page
    # Never about the respondent's own organisation.
    assert "work with Eastvale District Council" not in page
    # One more part in the navigation, with its own count.
    assert "0</span> of 4" in page


def test_the_start_page_says_the_section_follows_the_questions(client, network_invitation):
    page = client.get(url(network_invitation)).content.decode()
    assert "an optional last part asks how your organisation works with each of the" in page
    assert "partnership's 4 other organisations" in page


def test_the_section_is_not_asked_when_the_assessment_has_it_off(client, cast, bank, partners):
    assessment = make_assessment(cast, scope=Scope.ELEMENTS, sections=(8,))
    invitation = Invitation.objects.create(assessment=assessment, person=cast.person)
    assert "works with each of the" not in client.get(url(invitation)).content.decode()
    assert client.post(url(invitation, "section", 8), {}).url == url(invitation, "review")
    assert client.get(url(invitation, "network")).status_code == 404
    assert (
        "How your organisation works" not in client.get(url(invitation, "review")).content.decode()
    )


def test_the_section_is_not_asked_of_an_organisation_the_partnership_no_longer_lists(
    client, network_invitation, partners
):
    respondent = Respondent.objects.create(
        assessment=network_invitation.assessment,
        invitation=network_invitation,
        channel=Respondent.Channel.ONLINE,
        **Respondent.attributes_of(network_invitation.person),
    )
    Organisation.objects.filter(name=respondent.organisation).update(name="Eastvale Borough")
    assert client.get(url(network_invitation, "network")).status_code == 404
    review = client.get(url(network_invitation, "review")).content.decode()
    assert "How your organisation works" not in review


def test_saving_the_page_stores_each_answer_and_the_review_lists_them(
    client, network_invitation, partners
):
    orgs = by_name(partners)
    response = client.post(
        url(network_invitation, "network"),
        {
            f"freq-{orgs['Eastvale Police'].pk}": "3",
            f"rely-{orgs['Eastvale Police'].pk}": "4",
            f"contrib-{orgs['Eastvale Police'].pk}": "2",
            f"freq-{orgs['Eastvale Chamber'].pk}": "0",
            f"freq-{orgs['Age Concern Eastvale'].pk}": "dk",
            **{f"was-{o.pk}": "" for o in partners},
        },
    )
    assert response.url == url(network_invitation, "review")
    assert stored(network_invitation) == {
        "Eastvale Police": "3|4|2",
        "Eastvale Chamber": "0||",
        "Age Concern Eastvale": "dk||",
    }
    review = client.get(response.url).content.decode()
    assert "3 of 4" in review
    assert "Weekly or more" in review and "Don&#x27;t know this organisation" in review


def test_a_skipped_section_stores_nothing_and_the_review_says_so(client, network_invitation):
    page = client.get(url(network_invitation, "network")).content.decode()
    assert f'href="{url(network_invitation, "review")}">Skip this section' in page
    review = client.get(url(network_invitation, "review")).content.decode()
    assert "Skipped: no answers about the partnership's other organisations." in review
    assert not NetworkAnswer.objects.exists()


def test_coming_back_resumes_at_the_section_with_its_answers(client, network_invitation, partners):
    police = by_name(partners)["Eastvale Police"]
    client.post(url(network_invitation, "network"), {f"freq-{police.pk}": "2", "previous": "1"})
    client.post(url(network_invitation, "section", 8), {})  # on to the network section again
    response = client.get(url(network_invitation))
    assert response.url == url(network_invitation, "network")
    page = client.get(response.url).content.decode()
    assert f'name="freq-{police.pk}" type="radio" value="2" checked' in page
    assert f'name="was-{police.pk}" value="2||"' in page


@pytest.mark.parametrize(
    "given, error",
    [
        ({"freq": "0", "rely": "3"}, "Leave out how far you can rely on Eastvale Police"),
        ({"freq": "dk", "contrib": "2"}, "Leave out how far you can rely on Eastvale Police"),
        ({"rely": "2"}, "Say how often your organisation works with Eastvale Police"),
        ({"freq": "1", "rely": "7"}, "Choose a number from 1 to 4 for Eastvale Police"),
        ({"freq": "9"}, "Choose how often your organisation works with Eastvale Police"),
    ],
)
def test_bad_answers_are_named_and_nothing_of_the_page_is_stored(
    client, network_invitation, partners, given, error
):
    orgs = by_name(partners)
    police, chamber = orgs["Eastvale Police"], orgs["Eastvale Chamber"]
    data = {f"{part}-{police.pk}": value for part, value in given.items()}
    data[f"freq-{chamber.pk}"] = "2"  # a good answer beside the bad one
    response = client.post(url(network_invitation, "network"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert error in page
    assert not NetworkAnswer.objects.exists()
    assert not Respondent.objects.exists()


@pytest.mark.parametrize("whose", ["another partnership's", "the respondent's own"])
def test_an_organisation_the_section_does_not_ask_about_is_refused(
    client, cast, network_invitation, partners, whose
):
    organisation = cast.other_organisation if whose == "another partnership's" else cast.council
    data = {f"freq-{organisation.pk}": "3", f"freq-{partners[0].pk}": "3"}
    page = client.post(url(network_invitation, "network"), data).content.decode()
    assert "That organisation is not one of the other organisations" in page
    response = client.post(url(network_invitation, "network-save"), data)
    assert response.status_code == 400
    assert "not one of the other organisations" in response.json()["error"]
    assert not NetworkAnswer.objects.exists()


def test_answers_are_saved_as_given_and_a_retry_stores_one_row(
    client, network_invitation, partners
):
    police = by_name(partners)["Eastvale Police"].pk
    data = {
        f"freq-{police}": "2",
        f"rely-{police}": "3",
        f"was-{police}": "",
        f"version-{police}": "0",
    }
    first = client.post(url(network_invitation, "network-save"), data)
    assert first.status_code == 200
    assert first.json()["answers"] == {str(police): {"value": "2|3|", "version": 1}}
    assert first.json()["progress"]["sections"]["network"] == 1
    again = client.post(url(network_invitation, "network-save"), data)  # a lost reply, resent
    assert again.status_code == 200
    assert NetworkAnswer.objects.count() == 1
    assert stored(network_invitation) == {"Eastvale Police": "2|3|"}


def test_a_change_based_on_an_older_version_is_refused_and_the_stored_answer_kept(
    client, network_invitation, partners
):
    police = by_name(partners)["Eastvale Police"].pk
    base = {f"was-{police}": "", f"version-{police}": "0"}
    client.post(url(network_invitation, "network-save"), {f"freq-{police}": "3", **base})
    # A second window, loaded before the first save, changes the same answer.
    stale = client.post(url(network_invitation, "network-save"), {f"freq-{police}": "1", **base})
    assert stale.status_code == 409
    assert "changed in another window or device" in stale.json()["error"]
    assert stale.json()["answers"][str(police)] == {"value": "3||", "version": 1}
    page = client.post(url(network_invitation, "network"), {f"freq-{police}": "1", **base})
    assert "Some answers were changed in another window or device" in page.content.decode()
    assert stored(network_invitation) == {"Eastvale Police": "3||"}


def test_submitted_answers_cannot_be_changed(client, network_invitation, partners):
    police = by_name(partners)["Eastvale Police"].pk
    client.post(url(network_invitation, "network-save"), {f"freq-{police}": "3"})
    submit(Respondent.objects.get())
    response = client.post(url(network_invitation, "network-save"), {f"freq-{police}": "0"})
    assert response.status_code == 409
    page = client.post(url(network_invitation, "network"), {f"freq-{police}": "0"})
    assert "You have submitted your answers" in page.content.decode()
    assert stored(network_invitation) == {"Eastvale Police": "3||"}


def test_one_link_writes_only_its_own_response(client, cast, network_invitation, partners):
    colleague = make_person(cast, "Sam Lee")  # of the same council
    theirs = Invitation.objects.create(assessment=network_invitation.assessment, person=colleague)
    police = by_name(partners)["Eastvale Police"]
    answer_network(
        Respondent.objects.create(
            assessment=theirs.assessment,
            invitation=theirs,
            channel=Respondent.Channel.ONLINE,
            **Respondent.attributes_of(colleague),
        ),
        {police: "3|4|4"},
    )
    client.post(url(network_invitation, "network-save"), {f"freq-{police.pk}": "0"})
    assert stored(theirs) == {"Eastvale Police": "3|4|4"}
    assert stored(network_invitation) == {"Eastvale Police": "0||"}


def test_a_coordinator_enters_the_section_of_a_paper_return(
    client, cast, network_invitation, partners
):
    assessment = network_invitation.assessment
    person = make_person(cast, "Paper Person", sector="third")  # of the voluntary service
    client.force_login(cast.coordinator)
    police = by_name(partners)["Eastvale Police"].pk
    page = client.get(paper_url(assessment, person, "network")).content.decode()
    assert "paper return" in page and "How often does your organisation work with Eastvale" in page
    client.post(paper_url(assessment, person, "network-save"), {f"freq-{police}": "1"})
    # The page as it loads after that save: the answer and its version.
    loaded = {f"was-{police}": "1||", f"version-{police}": "1"}
    client.post(paper_url(assessment, person, "network"), {f"freq-{police}": "2", **loaded})
    answer = NetworkAnswer.objects.get()
    assert answer.respondent.channel == Respondent.Channel.PAPER
    assert answer.organisation.name == "Eastvale Council for Voluntary Service"
    assert answer.frequency == 2


def test_a_closed_questionnaire_keeps_the_network_answers_as_they_were(
    client, network_invitation, partners
):
    police = by_name(partners)["Eastvale Police"].pk
    client.post(url(network_invitation, "network-save"), {f"freq-{police}": "3"})
    assessment = network_invitation.assessment
    assessment.closes_on = assessment.opens_on
    assessment.save()
    page = client.post(url(network_invitation, "network"), {f"freq-{police}": "0"}, follow=True)
    assert "This questionnaire closed on" in page.content.decode()
    assert "Nothing was changed." in page.content.decode()
    assert (
        client.post(url(network_invitation, "network-save"), {f"freq-{police}": "0"}).status_code
        == 409
    )
    assert stored(network_invitation) == {"Eastvale Police": "3||"}
