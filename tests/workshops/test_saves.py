"""Saved means saved: a page out of date, a retry, a second window or a paper return
never loses or quietly replaces an answer someone else stored.

Every write carries the version of each answer it was based on; the pages carry
each answer's value as loaded, so a page save stores only what was changed on it.
"""

from __future__ import annotations

from html.parser import HTMLParser

from tests.builders import respond
from tests.workshops.questionnaire_helpers import paper_url, url
from workshops.models import Answer, EvidenceNote, Respondent

CHANGED_ELSEWHERE = "This answer was changed in another window or device"


class _Form(HTMLParser):
    """What a browser would post from the page's questionnaire form, untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        attrs = dict(attrs)
        name = attrs.get("name")
        if not name or name == "csrfmiddlewaretoken":
            return
        if tag == "textarea":
            self._textarea = name
            self.data[name] = ""
        elif tag == "input":
            kind = attrs.get("type")
            if kind == "hidden" or (kind in ("radio", "checkbox") and "checked" in attrs):
                self.data[name] = attrs.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            # The HTML parser drops the newline straight after <textarea>, as browsers do.
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def form_on(response) -> dict[str, str]:
    assert response.status_code == 200
    reader = _Form()
    reader.feed(response.content.decode())
    return reader.data


def stored(respondent: Respondent) -> dict[str, str]:
    answers = {
        f"{a.item.key}:{a.basis}" if a.basis else a.item.key: a.value
        for a in Answer.objects.filter(respondent=respondent).select_related("item")
    }
    notes = {
        f"{n.item.key}:note": n.text for n in EvidenceNote.objects.filter(respondent=respondent)
    }
    return answers | notes


def test_save_and_continue_from_an_out_of_date_tab_changes_only_what_it_touched(client, invitation):
    respondent = respond(invitation, {"1.1:internal": "1"})
    tab_a = form_on(client.get(url(invitation, "section", 1)))
    tab_b = form_on(client.get(url(invitation, "section", 1)))
    assert tab_a["1.1:internal"] == "1" and tab_a["version-1.1:internal"] == "1"

    # Tab B changes the rating and writes a note and an open answer, one by one.
    for name, value in [
        ("1.1:internal", "4"),
        ("1.1:note", "Board minutes, March."),
        ("1.2.1", "Housing."),
    ]:
        body = {name: value, f"was-{name}": tab_b[f"was-{name}"]}
        body[f"version-{name}"] = tab_b[f"version-{name}"]
        assert client.post(url(invitation, "save"), body).status_code == 200

    # Tab A, still showing the page as it was, answers 1.1.2 and saves the whole page.
    tab_a["1.1.2"] = "yes"
    response = client.post(url(invitation, "section", 1), tab_a)
    assert response.status_code == 302
    assert stored(respondent) == {
        "1.1:internal": "4",
        "1.1:note": "Board minutes, March.",
        "1.2.1": "Housing.",
        "1.1.2": "yes",
    }


def test_a_stale_page_save_is_refused_for_that_answer_only_and_shows_what_is_saved(
    client, invitation
):
    respondent = respond(invitation, {"1.1:internal": "1"})
    tab_a = form_on(client.get(url(invitation, "section", 1)))
    respond(invitation, {"1.1:internal": "4"})  # another device changes it meanwhile

    tab_a["1.1:internal"] = "2"
    tab_a["1.1.2"] = "no"
    response = client.post(url(invitation, "section", 1), tab_a)
    page = response.content.decode()
    assert response.status_code == 200
    assert CHANGED_ELSEWHERE in page
    assert "It now shows what is saved." in page
    assert form_on(response)["1.1:internal"] == "4"
    # The answer nobody else touched is saved; the one changed elsewhere is kept.
    respondent.refresh_from_db()
    assert stored(respondent) == {"1.1:internal": "4", "1.1.2": "no"}
    # The page now carries the stored version, so saving it again goes on.
    again = form_on(response)
    again["1.1:internal"] = "2"
    assert client.post(url(invitation, "section", 1), again).status_code == 302
    assert stored(respondent)["1.1:internal"] == "2"


def test_a_stale_autosave_is_refused_and_told_what_is_stored(client, invitation):
    respondent = respond(invitation, {"1.1:internal": "1"})
    respond(invitation, {"1.1:internal": "4"})
    response = client.post(
        url(invitation, "save"),
        {"1.1:internal": "2", "was-1.1:internal": "1", "version-1.1:internal": "1"},
    )
    assert response.status_code == 409
    result = response.json()
    assert CHANGED_ELSEWHERE in result["error"]
    assert result["conflicts"] == ["1.1:internal"]
    assert result["answers"]["1.1:internal"] == {"value": "4", "version": 2}
    assert stored(respondent) == {"1.1:internal": "4"}


def test_a_change_without_the_version_it_was_based_on_is_refused(client, invitation):
    respondent = respond(invitation, {"1.1:internal": "4"})
    response = client.post(url(invitation, "save"), {"1.1:internal": "1"})
    assert response.status_code == 409
    assert stored(respondent) == {"1.1:internal": "4"}


def test_an_answer_cleared_and_given_again_elsewhere_still_refuses_the_stale_page(
    client, invitation
):
    respondent = respond(invitation, {"1.2.1": "Housing."})
    tab_a = form_on(client.get(url(invitation, "section", 1)))
    # Elsewhere: cleared, then given again. Its version starts again from 1.
    body = {"1.2.1": "", "was-1.2.1": "Housing.", "version-1.2.1": "1"}
    assert client.post(url(invitation, "save"), body).status_code == 200
    body = {"1.2.1": "Skills.", "was-1.2.1": "", "version-1.2.1": "0"}
    assert client.post(url(invitation, "save"), body).json()["answers"]["1.2.1"]["version"] == 1
    tab_a["1.2.1"] = "Transport."
    response = client.post(url(invitation, "section", 1), tab_a)
    assert CHANGED_ELSEWHERE in response.content.decode()
    assert stored(respondent) == {"1.2.1": "Skills."}


def test_a_written_answer_that_may_be_not_applicable_can_be_changed_on_its_own(client, invitation):
    # The text and the "not applicable" box of 3.5 are one stored answer. A save of
    # the text alone (the box untouched, so not sent) changes the text: the box the
    # page did not send is not a change made elsewhere.
    body = {"3.5": "Through the theme groups.", "was-3.5": "", "version-3.5": "0"}
    assert client.post(url(invitation, "save"), body).status_code == 200
    body = {"3.5": "Through the board.", "was-3.5": "Through the theme groups."}
    response = client.post(url(invitation, "save"), body | {"version-3.5": "1"})
    assert response.status_code == 200, response.json()
    assert stored(Respondent.objects.get(invitation=invitation)) == {"3.5": "Through the board."}


def test_a_retried_save_is_stored_once_and_confirmed(client, invitation):
    body = {"1.1:internal": "3", "was-1.1:internal": "", "version-1.1:internal": "0"}
    first = client.post(url(invitation, "save"), body)
    retry = client.post(url(invitation, "save"), body)  # the reply to the first was lost
    assert first.status_code == retry.status_code == 200
    assert retry.json()["answers"]["1.1:internal"] == {"value": "3", "version": 1}
    respondent = Respondent.objects.get(invitation=invitation)
    assert stored(respondent) == {"1.1:internal": "3"}
    assert respondent.answers.get().version == 1


def test_each_save_moves_the_answers_version_on(client, invitation):
    body = {"1.1:internal": "3", "was-1.1:internal": "", "version-1.1:internal": "0"}
    assert client.post(url(invitation, "save"), body).json()["answers"]["1.1:internal"] == {
        "value": "3",
        "version": 1,
    }
    body = {"1.1:internal": "4", "was-1.1:internal": "3", "version-1.1:internal": "1"}
    response = client.post(url(invitation, "save"), body)
    assert response.json()["answers"]["1.1:internal"] == {"value": "4", "version": 2}
    answer = Answer.objects.get(respondent__invitation=invitation)
    assert (answer.rating, answer.version) == (4, 2)


def test_a_version_that_is_not_a_number_gets_a_clear_message_and_stores_nothing(client, invitation):
    for version in ["x", "-1", "9" * 5000]:
        body = {"1.1:internal": "3", "version-1.1:internal": version}
        response = client.post(url(invitation, "save"), body)
        assert response.status_code == 400
        assert "reload the page" in response.json()["error"]
        response = client.post(url(invitation, "section", 1), body)
        assert "There is a problem" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_paper_return_refuses_a_stale_change_the_same_way(client, cast, assessment):
    client.force_login(cast.coordinator)
    first = form_on(client.get(paper_url(assessment, cast.person, "section", 1)))
    first["1.1:internal"] = "2"
    assert client.post(paper_url(assessment, cast.person, "section", 1), first).status_code == 302
    # A second coordinator's page, loaded before that save, changes the same rating.
    response = client.post(
        paper_url(assessment, cast.person, "section", 1),
        first
        | {
            "1.1:internal": "3",
        },
    )
    assert CHANGED_ELSEWHERE in response.content.decode()
    body = {"1.1:internal": "4", "was-1.1:internal": "2", "version-1.1:internal": "1"}
    assert client.post(paper_url(assessment, cast.person, "save"), body).status_code == 200
    respondent = Respondent.objects.get(invitation__person=cast.person)
    assert stored(respondent) == {"1.1:internal": "4"}


def test_one_answer_saved_by_the_script_costs_a_handful_of_queries(
    client, invitation, django_assert_max_num_queries
):
    respond(invitation, {"1.1:internal": "1"})
    body = {"1.1:internal": "2", "was-1.1:internal": "1", "version-1.1:internal": "1"}
    # The link, the item, the stored answer, the conditional update, and the count of
    # answers stored for the progress the page shows.
    with django_assert_max_num_queries(5):
        response = client.post(url(invitation, "save"), body)
    assert response.json()["answers"]["1.1:internal"] == {"value": "2", "version": 2}
