"""Anonymity that holds: the ways a coordinator could learn who answered what in an
anonymous assessment, each tried here and refused. And reading never changes data."""

from __future__ import annotations

import csv
import io
import re

from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.builders import make_assessment, make_person, respond
from tests.conftest import Cast
from workshops.access import get_invitation_by_token
from workshops.models import Assessment, Invitation, PersonalLink, Respondent
from workshops.models.assessment import hash_token
from workshops.reporting.plan_pdf import render_plan_pdf
from workshops.services.assessment import invite


def dashboard_url(assessment: Assessment) -> str:
    return reverse("assessment", args=[assessment.partnership_id, assessment.pk])


def results_url(assessment: Assessment, page: str = "results", *args) -> str:
    return reverse(page, args=[assessment.partnership_id, assessment.pk, *args])


def paper_url(assessment: Assessment, person, page: str = "", *args) -> str:
    name = f"paper-{page}" if page else "paper"
    return reverse(name, args=[assessment.partnership_id, assessment.pk, person.pk, *args])


def link_in(body: str) -> str:
    return re.search(r"/a/([A-Za-z0-9_-]+)/", body)[1]


def answered(cast: Cast, assessment: Assessment, count: int, **answers: str) -> list[Invitation]:
    """``count`` people who answered and submitted, each with their own open answer."""
    made = []
    start = assessment.invitations.count()
    for n in range(start, start + count):
        person = make_person(cast, f"Partner {n}", f"partner{n}@example.org")
        invitation = Invitation.objects.create(assessment=assessment, person=person)
        values = {"1.1:internal": str(1 + n % 4), "1.2.1": f"Open view number {n}", **answers}
        respond(invitation, values, submitted=True)
        made.append(invitation)
    return made


# --- The paper-return page tells nothing of anyone's online answers ---------------------------


def test_the_paper_return_page_is_the_same_for_someone_who_answered_online(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    carol = make_person(cast, "Carol Online", "carol@example.org")
    dan = make_person(cast, "Dan Notyet", "dan@example.org")
    respond(
        Invitation.objects.create(assessment=anonymous, person=carol),
        {"1.1:internal": "4"},
        submitted=True,
    )
    Invitation.objects.create(assessment=anonymous, person=dan)
    client.force_login(cast.coordinator)
    pages = {}
    for person in (carol, dan):
        for page in ("", "section", "review"):
            url = paper_url(anonymous, person, page, *([1] if page == "section" else []))
            response = client.get(url)
            assert response.status_code == 200, (person, page)
            text = response.content.decode().replace(person.name, "NAME")
            text = re.sub(r"/\d+/(?=(part/\d+/|review/|save/)?\")", "/N/", text)
            # The person's id in the URLs and the form's CSRF token differ; nothing else may.
            pages[(person.name, page)] = re.sub(r'value="[\w-]{40,}"', "TOKEN", text)
    for page in ("", "section", "review"):
        assert pages[("Carol Online", page)] == pages[("Dan Notyet", page)]
        assert "answered online" not in pages[("Carol Online", page)]
    # Her paper return is a response of its own: her online one is untouched.
    client.post(paper_url(anonymous, carol, "save"), {"1.1:internal": "1"})
    client.post(paper_url(anonymous, carol, "review"))
    online = Respondent.objects.get(invitation__person=carol)
    assert online.answers.get().rating == 4
    paper = anonymous.respondents.get(channel="paper")
    assert paper.submitted_at and paper.person is None and paper.invitation is None


# --- The answers export ------------------------------------------------------------------------


def answers_csv(client, assessment: Assessment) -> list[list[str]]:
    response = client.get(results_url(assessment, "results-export", "answers", "csv"))
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_respondents_are_numbered_in_a_random_order_not_the_order_they_started(client, cast, bank):
    assessment = make_assessment(cast)
    answered(cast, assessment, 6)  # started in order: partner n rated 1 + n % 4
    client.force_login(cast.coordinator)
    orders = set()
    for _ in range(4):
        rows = answers_csv(client, assessment)
        column = rows[0].index("Text")
        texts = {r[0]: r[column] for r in rows[1:] if r[column]}
        orders.add(tuple(texts[f"R{n}"] for n in range(1, 7)))
    started = tuple(f"Open view number {n}" for n in range(6))
    assert orders != {started}  # by chance once in 720**4


def test_no_combination_of_attributes_in_the_export_singles_anyone_out(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    # Three board members, one of them strategic; four officers, two of them strategic.
    # Each role and each layer has three or more, but a strategic board member is one person.
    for n, (role, layer) in enumerate(
        [("board_member", "strategic"), ("board_member", "executive")]
        + [("board_member", "executive")]
        + [("officer", "strategic")] * 2
        + [("officer", "operational")] * 2
    ):
        person = make_person(cast, f"Person {n}", role=role, layer=layer)
        respond(
            Invitation.objects.create(assessment=anonymous, person=person),
            {"1.1:internal": "3"},
            submitted=True,
        )
    client.force_login(cast.coordinator)
    rows = answers_csv(client, anonymous)
    header = rows[0]
    described = header[1 : header.index("Element")]
    people: dict[tuple, set[str]] = {}
    for row in rows[1:]:
        people.setdefault(tuple(row[1 : 1 + len(described)]), set()).add(row[0])
    assert all(len(respondents) >= 3 for respondents in people.values()), people
    assert "Board member" not in {v for key in people for v in key} or "Role" in described


# --- Nothing until enough have answered --------------------------------------------------------


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_no_results_at_all_until_enough_have_submitted(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    answered(cast, anonymous, 1, **{"1.1:internal": "1"})
    client.force_login(cast.coordinator)
    page = text_of(client.get(results_url(anonymous)))
    assert "Results are shown once at least 3 people have answered" in page
    assert "2 more are needed" in page
    assert "Open view number 0" not in page and "1 person" not in page
    for what, kind in [("answers", "csv"), ("answers", "xlsx"), ("items", "csv")]:
        response = client.get(results_url(anonymous, "results-export", what, kind))
        assert response["Content-Type"].startswith("text/html")
        assert "2 more are needed" in text_of(response)
    chart = client.get(results_url(anonymous, "results-7s")).content.decode()
    assert "1.00" not in chart and "1.0" not in chart
    dashboard = text_of(client.get(dashboard_url(anonymous)))
    assert "By role" not in dashboard and "Completion by element" not in dashboard
    pdf = PdfReader(io.BytesIO(render_plan_pdf(anonymous)))
    report = " ".join(page.extract_text() for page in pdf.pages)
    assert "more are needed" in " ".join(report.split())
    assert "1 person" not in report

    answered(cast, anonymous, 2)
    page = text_of(client.get(results_url(anonymous)))
    assert "3 people answered the questionnaire" in page and "more are needed" not in page


def test_open_answers_need_more_people_than_figures(client, cast, bank, settings):
    settings.MIN_GROUP_SIZE_COMMENTS = 5
    anonymous = make_assessment(cast, anonymous=True)
    answered(cast, anonymous, 4)
    client.force_login(cast.coordinator)
    page = text_of(client.get(results_url(anonymous)))
    assert "4 people answered the questionnaire" in page
    assert "Open answers are shown once at least 5 people have answered" in page
    assert "Open view number" not in page
    rows = answers_csv(client, anonymous)
    assert "Text" not in rows[0] and "Open view number" not in str(rows)
    answered(cast, anonymous, 1)
    page = text_of(client.get(results_url(anonymous)))
    assert "Open view number 0" in page


def test_a_channel_of_one_or_two_is_not_shown_apart(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    answered(cast, anonymous, 3)
    Respondent.objects.create(
        assessment=anonymous,
        channel="workshop",
        role="officer",
        sector="public",
        layer="operational",
        organisation="Council",
    ).answers.create(item=anonymous.items.get(key="1.1"), basis="internal", rating=4)
    client.force_login(cast.coordinator)
    everyone = text_of(client.get(results_url(anonymous) + "?channel=all"))
    assert "4 people took part: 3 answered the questionnaire, 1 voted in a workshop" in everyone
    alone = text_of(client.get(results_url(anonymous) + "?channel=questionnaire"))
    assert "shown apart once each has at least 3 people" in alone
    assert "3 people answered the questionnaire" not in alone


# --- Withdrawing a link shows nothing of the person --------------------------------------------


def test_withdrawing_a_link_leaves_the_anonymous_counts_as_they_were(client, cast, bank):
    anonymous = make_assessment(cast, anonymous=True)
    carol = answered(cast, anonymous, 3)[0]
    client.force_login(cast.coordinator)
    before = text_of(client.get(dashboard_url(anonymous)))
    url = reverse("invitation-revoke-choose", args=[cast.partnership.pk, anonymous.pk])
    client.post(url, {"invitation": carol.pk})
    carol.refresh_from_db()
    assert carol.is_revoked
    after = text_of(client.get(dashboard_url(anonymous)))
    counts = re.compile(r"\d+ of \d+ invited people have finished \(\d+%\); \d+ have started")
    assert (
        counts.search(before)[0]
        == counts.search(after)[0]
        == ("3 of 3 invited people have finished (100%); 3 have started")
    )


# --- A coordinator cannot get someone's link ---------------------------------------------------


def test_changing_an_email_withdraws_the_link_and_tells_the_old_address(
    client, cast, bank, django_capture_on_commit_callbacks
):
    assessment = make_assessment(cast, anonymous=True)
    carol = make_person(cast, "Carol Jones", "carol@example.org")
    invite(assessment, [carol])
    token = link_in(mail.outbox[0].body)
    respond(get_invitation_by_token(token), {"1.1:internal": "2"})
    mail.outbox.clear()

    client.force_login(cast.coordinator)
    edit = reverse("person-edit", args=[cast.partnership.pk, carol.pk])
    form = {
        "name": "Carol Jones",
        "email": "coordinator-own@example.org",
        "organisation": carol.organisation.pk,
        "role": carol.role,
        "layer": carol.layer,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(edit, form).status_code == 302
    carol.refresh_from_db()
    assert carol.email == "coordinator-own@example.org"
    # Her link is withdrawn, and her old address is told in plain words.
    assert [m.to for m in mail.outbox] == [["carol@example.org"]]
    assert "has been changed to a different one" in mail.outbox[0].body
    assert "coordinator-own" not in mail.outbox[0].body
    response = client.get(reverse("questionnaire", args=[token]))
    assert response.status_code == 410
    # Remind puts no link in the coordinator's hands.
    mail.outbox.clear()
    client.post(results_url(assessment, "assessment-remind"))
    assert mail.outbox == []


def test_reminders_go_only_to_the_address_the_link_was_first_sent_to(client, cast, bank):
    assessment = make_assessment(cast, anonymous=True)
    carol = make_person(cast, "Carol Jones", "carol@example.org")
    invite(assessment, [carol])
    # However the address is changed behind the form's back, the link stays hers.
    type(carol).objects.filter(pk=carol.pk).update(email="coordinator-own@example.org")
    Invitation.objects.update(sent_at=None)  # due a reminder now
    mail.outbox.clear()
    client.force_login(cast.coordinator)
    client.post(results_url(assessment, "assessment-remind"))
    assert [m.to for m in mail.outbox] == [["carol@example.org"]]


def test_links_are_kept_only_as_hashes(cast, bank):
    assessment = make_assessment(cast)
    carol = make_person(cast, "Carol Jones", "carol@example.org")
    invite(assessment, [carol])
    token = link_in(mail.outbox[0].body)
    stored = list(PersonalLink.objects.values_list("token_hash", flat=True))
    assert stored == [hash_token(token)] and token not in stored
    assert get_invitation_by_token(token).person == carol


# --- After submitting, the link shows nothing --------------------------------------------------


def test_a_submitted_link_shows_no_answers_and_a_copy_is_emailed_if_asked(client, cast, bank):
    assessment = make_assessment(cast, anonymous=True)
    carol = make_person(cast, "Carol Jones", "carol@example.org")
    invite(assessment, [carol])
    token = link_in(mail.outbox[0].body)
    mail.outbox.clear()
    client.post(reverse("questionnaire-save", args=[token]), {"1.2.1": "Board meets too rarely"})
    review = reverse("questionnaire-review", args=[token])
    assert "Email me a copy of my answers" in client.get(review).content.decode()
    client.post(review, {"email_copy": "yes"})
    assert [m.to for m in mail.outbox] == [["carol@example.org"]]
    assert "Board meets too rarely" in mail.outbox[0].body
    for url in (
        reverse("questionnaire", args=[token]),
        reverse("questionnaire-section", args=[token, 1]),
        review,
    ):
        page = client.get(url).content.decode()
        assert "You have submitted your answers" in page
        assert "Board meets too rarely" not in page


def test_no_copy_is_sent_unless_asked(client, cast, bank):
    assessment = make_assessment(cast)
    invite(assessment, [make_person(cast, "Carol Jones", "carol@example.org")])
    token = link_in(mail.outbox[0].body)
    mail.outbox.clear()
    client.post(reverse("questionnaire-save", args=[token]), {"1.1:internal": "3"})
    client.post(reverse("questionnaire-review", args=[token]))
    assert mail.outbox == []


# --- Reading changes nothing -------------------------------------------------------------------


def test_the_paper_page_invites_nobody_by_being_read(client, cast, assessment):
    client.force_login(cast.coordinator)
    for page in ("", "review"):
        assert client.get(paper_url(assessment, cast.person, page)).status_code == 200
    assert not Invitation.objects.exists() and not Respondent.objects.exists()
    client.post(paper_url(assessment, cast.person, "save"), {"1.1:internal": "3"})
    assert Invitation.objects.get().person == cast.person


def test_a_save_on_a_closed_assessment_leaves_no_empty_response(client, cast, bank):
    closed = make_assessment(cast, opens=-10, closes=-1)
    invitation = Invitation.objects.create(assessment=closed, person=cast.person)
    response = client.post(
        reverse("questionnaire-save", args=[invitation.token]), {"1.1:internal": "3"}
    )
    assert response.status_code == 409
    assert "closed" in response.json()["error"]
    assert not Respondent.objects.exists()


def test_results_questionnaire_and_dashboard_are_never_cached(client, cast, bank):
    assessment = make_assessment(cast)
    invitation = answered(cast, assessment, 1)[0]
    fresh = Invitation.objects.create(assessment=assessment, person=cast.person)
    client.force_login(cast.coordinator)
    urls = [
        results_url(assessment),
        results_url(assessment, "results-7s"),
        results_url(assessment, "results-heat-map"),
        results_url(assessment, "results-export", "answers", "csv"),
        results_url(assessment, "results-export", "aggregates", "xlsx"),
        dashboard_url(assessment),
        paper_url(assessment, cast.person),
        reverse("questionnaire", args=[fresh.token]),
        reverse("questionnaire-section", args=[fresh.token, 1]),
        reverse("questionnaire-review", args=[invitation.token]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


# --- Links already emailed keep working once only their hashes are kept -------------------------


def test_the_migration_turns_existing_tokens_into_hashes(transactional_db):
    executor = MigrationExecutor(connection)
    before, after = [("workshops", "0009_one_person_one_vote")], [("workshops", "0010_anonymity")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    partnership = old.get_model("workshops", "Partnership").objects.create(
        name="Eastvale LSP", area="Eastvale", authority_type="district"
    )
    organisation = partnership.organisations.create(name="Council", sector="public")
    person = partnership.people.create(
        organisation=organisation,
        name="Carol",
        email="carol@example.org",
        role="officer",
        layer="operational",
    )
    bank = old.get_model("questions", "BankVersion").objects.create(
        number=99, title="Bank", checksum="x" * 64, scale=[], bands=[]
    )
    today = timezone.localdate()
    assessment = partnership.assessments.create(
        title="Old", bank=bank, basis="internal", opens_on=today, closes_on=today
    )
    old.get_model("workshops", "Invitation").objects.create(
        assessment=assessment, person=person, token="emailed-token", sent_at=timezone.now()
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    link = new.get_model("workshops", "PersonalLink").objects.get()
    assert link.token_hash == hash_token("emailed-token")
    assert link.invitation.sent_to == "carol@example.org"
    assert "token" not in {f.name for f in new.get_model("workshops", "Invitation")._meta.fields}
    # Back to the latest schema for the tests after this one.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
