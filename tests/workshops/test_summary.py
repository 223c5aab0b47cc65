"""The published summary of an assessment: publishing it, who may read it and through
which door, what it never shows, its email, and its PDF."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from scripts.check_pdf_ua import problems
from tests.builders import make_assessment, make_person, make_workshop
from tests.builders import respond as respond_online
from tests.smtp import smtp_server  # noqa: F401 - a fixture
from tests.workshops.live_helpers import joined, page
from tests.workshops.test_results import respond
from workshops.models import Action, AuditEvent, EmailSend, Invitation, Priority
from workshops.reporting import summary_pdf
from workshops.services import mail, priorities
from workshops.services import plan as plan_service
from workshops.services import summary as services
from workshops.services.workshop import record_consensus

PLANTED = "Zanzibar-marmalade-quokka"
NOT_PUBLISHED = "The summary of results is not published"


@pytest.fixture
def planned(cast, assessment):
    """Three answers (one open answer and note planted), a workshop's agreement, a
    priority and an action with its owner."""
    for value in ["4", "3", "3"]:
        respond(assessment, role="coordinator", **{"1_1": value, "1_1_2": "no", "8_1": PLANTED})
    plan = plan_service.plan_for(assessment)
    Priority.objects.create(plan=plan, text="Joint commissioning with health", source="coordinator")
    # The planted Looking forward answers become candidate priorities, word for word.
    assert priorities.gather_priorities(plan) == 3
    Action.objects.create(
        assessment=assessment,
        title="Refresh the community strategy",
        owner=cast.council,
        owner_person=cast.person,
        status="in_progress",
    )
    workshop = make_workshop(cast, assessment)
    record_consensus(
        workshop.agenda.first(), {"agreed_internal": 3, "rationale": "Most partners know the SCS"}
    )
    return assessment


@pytest.fixture
def link(planned, cast):
    """Priya Shah's personal link, after she answered through it."""
    invitation = Invitation.objects.create(assessment=planned, person=cast.person)
    respond_online(
        invitation, {"1.1:internal": "2", "8.1": f"Only mine: {PLANTED}"}, submitted=True
    )
    return invitation.token


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_nothing_is_shown_before_publishing_or_after_withdrawing(client, cast, planned, link):
    workshop = planned.workshops.get()
    doors = [
        reverse("summary-link", args=[link]),
        reverse("summary-code", args=[workshop.code]),
    ]
    for url in doors:
        page = client.get(url).content.decode()
        assert NOT_PUBLISHED in page and "Refresh the community strategy" not in page
    assert client.get(reverse("summary-link-pdf", args=[link])).status_code == 302
    assert client.get(reverse("summary-link-7s", args=[link])).status_code == 404

    services.publish(planned, by=cast.coordinator)
    for url in doors:
        page = client.get(url).content.decode()
        assert NOT_PUBLISHED not in page and "Refresh the community strategy" in page

    services.withdraw(planned, by=cast.coordinator)
    for url in doors:
        response = client.get(url)
        assert response.status_code == 200
        assert NOT_PUBLISHED in response.content.decode()
        assert "Refresh the community strategy" not in response.content.decode()
    assert client.get(reverse("summary-code-pdf", args=[workshop.code])).status_code == 302


def test_members_read_it_once_published_and_coordinators_preview_it_first(client, cast, planned):
    url = reverse("summary", args=[cast.partnership.pk, planned.pk])
    client.force_login(cast.participant)
    assert NOT_PUBLISHED in client.get(url).content.decode()
    client.force_login(cast.coordinator)
    preview = client.get(url).content.decode()
    assert "Preview: not published" in preview and "Refresh the community strategy" in preview
    # The preview draws the results page's chart: the summary's own waits for publishing.
    assert reverse("results-7s", args=[cast.partnership.pk, planned.pk]) in preview
    chart = reverse("summary-7s", args=[cast.partnership.pk, planned.pk])
    assert client.get(chart).status_code == 404

    response = client.post(
        reverse("summary-publish", args=[cast.partnership.pk, planned.pk]), {"change": "publish"}
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.summary_is_published and planned.summary_published_by == cast.coordinator
    assert AuditEvent.objects.filter(action="summary.published").count() == 1
    client.force_login(cast.participant)
    home = client.get(reverse("partnership", args=[cast.partnership.pk])).content.decode()
    assert url in home  # members find it from the partnership's page
    page = client.get(url).content.decode()
    assert "Joint commissioning with health" in page and "Priya Shah" in page
    assert "Most partners know the SCS" in page  # what the workshop agreed
    assert "Nothing recorded" not in page  # and only that: not every item on its agenda
    assert (
        client.get(reverse("summary-7s", args=[cast.partnership.pk, planned.pk])).status_code == 200
    )


def test_each_elements_share_stands_beside_its_score(client, cast, planned):
    """Three coordinators rated 1.1 4, 3 and 3: element 1 scores 3.3, and all three ratings
    (100%) say it performs well or better."""
    client.force_login(cast.coordinator)
    page = client.get(reverse("summary", args=[cast.partnership.pk, planned.pk])).content.decode()
    table = page.split('aria-label="Element scores"')[1].split("</table>")[0]
    assert "the share of the element's ratings that say it performs well or better" in table
    assert re.search(r'<th scope="col"[^>]*>Performs well or better</th>', table)
    row = re.search(r"<th scope=\"row\"[^>]*>1\. .*?</tr>", table, re.S)[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row)[:2] == ["3.3", "100%"]
    text = text_of(summary_pdf.render_summary_pdf(planned))
    assert "performs well or better" in text and re.search(r"1\. [^0-9]* 3\.3 100%", text)


def test_only_coordinators_publish_or_withdraw(client, cast, planned):
    url = reverse("summary-publish", args=[cast.partnership.pk, planned.pk])
    for role in ["facilitator", "executive", "participant"]:
        client.force_login(getattr(cast, role))
        assert client.post(url, {"change": "publish"}).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(url, {"change": "publish"}).status_code == 404
    planned.refresh_from_db()
    assert not planned.summary_is_published
    client.force_login(cast.coordinator)
    client.post(url, {"change": "publish"})
    client.post(url, {"change": "withdraw"})
    planned.refresh_from_db()
    assert not planned.summary_is_published
    assert AuditEvent.objects.filter(action="summary.withdrawn").count() == 1


def test_it_never_shows_an_individuals_answer(client, cast, planned, link):
    services.publish(planned, by=cast.coordinator)
    page = client.get(reverse("summary-link", args=[link])).content.decode()
    assert "Refresh the community strategy" in page
    assert PLANTED not in page
    assert "The plan also holds 3 priorities taken from what partners wrote" in page
    assert PLANTED not in text_of(summary_pdf.render_summary_pdf(planned))


def test_another_assessments_or_partnerships_link_cannot_open_it(client, cast, planned, link, bank):
    services.publish(planned, by=cast.coordinator)
    other = make_assessment(cast, title="Another round")
    theirs = make_assessment(cast, title="Westmoor round", partnership=cast.other)
    for assessment, person in [(other, cast.person), (theirs, cast.other_person)]:
        invitation = Invitation.objects.create(assessment=assessment, person=person)
        page = client.get(reverse("summary-link", args=[invitation.token])).content.decode()
        assert "Refresh the community strategy" not in page and NOT_PUBLISHED in page
    assert client.get(reverse("summary-link", args=["not-a-real-token"])).status_code == 404
    assert client.get(reverse("summary-link-pdf", args=["not-a-real-token"])).status_code == 404


def test_a_withdrawn_link_cannot_open_it(client, cast, planned, link):
    services.publish(planned, by=cast.coordinator)
    Invitation.objects.filter(assessment=planned).update(revoked_at=planned.created_at)
    for name in ["summary-link", "summary-link-pdf", "summary-link-7s"]:
        assert client.get(reverse(name, args=[link])).status_code == 404


def test_another_workshops_code_gets_nothing_of_it(client, cast, planned, bank):
    services.publish(planned, by=cast.coordinator)
    other = make_workshop(cast, make_assessment(cast, title="Another round"))
    page = client.get(reverse("summary-code", args=[other.code])).content.decode()
    assert NOT_PUBLISHED in page and "Refresh the community strategy" not in page
    assert client.get(reverse("summary-code", args=["ZZZZ9999"])).status_code == 404


def test_an_anonymous_summary_shows_nothing_under_the_minimum(client, cast, bank, settings):
    anonymous = make_assessment(cast, title="Quiet round", anonymous=True)
    for _ in range(settings.MIN_GROUP_SIZE - 1):
        respond(anonymous, **{"1_1": "4", "1_1_2": "no"})
    services.publish(anonymous, by=cast.coordinator)
    workshop = make_workshop(cast, anonymous)
    page = client.get(reverse("summary-code", args=[workshop.code])).content.decode()
    assert "Results are shown once at least" in page
    assert "Element scores" not in page and "answered 'no'" not in page
    chart = client.get(reverse("summary-code-7s", args=[workshop.code])).content.decode()
    assert "No ratings yet" in chart and "4.0" not in chart


def test_a_named_summary_shows_no_figure_either_when_too_few_answered(client, cast, bank, settings):
    few = make_assessment(cast, title="Small round")
    for _ in range(settings.MIN_GROUP_SIZE - 1):
        respond(few, **{"1_1": "4", "1_1_2": "no"})
    services.publish(few, by=cast.coordinator)
    workshop = make_workshop(cast, few)
    page = client.get(reverse("summary-code", args=[workshop.code])).content.decode()
    assert "Figures are shown once at least" in page and "1 more is needed" in page
    assert "Element scores" not in page and "answered 'no'" not in page
    chart = client.get(reverse("summary-code-7s", args=[workshop.code])).content.decode()
    assert "No ratings yet" in chart and "4.0" not in chart
    text = text_of(summary_pdf.render_summary_pdf(few))
    assert "Figures are shown once at least" in text and "4.0" not in text


def test_publishing_emails_each_respondent_once(client, cast, planned, smtp_server):  # noqa: F811
    answered = []
    for n in range(3):
        person = make_person(cast, f"Partner {n}", f"partner{n}@eastvale.example.org")
        invitation = Invitation.objects.create(assessment=planned, person=person)
        respond_online(invitation, {"1.1:internal": "3"}, submitted=n < 2)
        answered.append(invitation)
    no_address = Invitation.objects.create(assessment=planned, person=cast.person)
    respond_online(no_address, {"1.1:internal": "3"}, submitted=True)

    client.force_login(cast.coordinator)
    url = reverse("summary-publish", args=[cast.partnership.pk, planned.pk])
    for change in ["publish", "publish", "withdraw", "publish"]:
        client.post(url, {"change": change})
    to = sorted(message["To"] for message in smtp_server.messages)
    assert to == ["partner0@eastvale.example.org", "partner1@eastvale.example.org"]
    assert EmailSend.objects.filter(kind="summary").count() == 2
    links = smtp_server.links(r"http://testserver(/a/[\w-]+/summary/)")
    assert len(links) == 2
    for link in links:
        assert "Refresh the community strategy" in client.get(link).content.decode()


def test_the_pdf_reads_back_with_the_plan_and_meets_pdf_ua(cast, planned, tmp_path):
    pdf = summary_pdf.render_summary_pdf(planned)
    text = text_of(pdf)
    assert "Summary of results" in text and "Eastvale LSP" in text
    assert "Joint commissioning with health" in text
    assert (
        "Refresh the community strategy" in text and "Priya Shah, Eastvale District Council" in text
    )
    assert "Most partners know the SCS" in text
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    assert problems(path) == []


def test_the_pdf_downloads_once_published(client, cast, planned, link):
    services.publish(planned, by=cast.coordinator)
    response = client.get(reverse("summary-link-pdf", args=[link]))
    assert response["Content-Type"] == "application/pdf"
    assert "Refresh the community strategy" in text_of(response.content)


def test_the_pages_partners_already_have_link_to_it_once_published(client, cast, planned, link):
    workshop = planned.workshops.get()
    join = reverse("workshop-join", args=[workshop.code])
    done = reverse("questionnaire", args=[link])
    assert "Read the summary of results" not in client.get(join).content.decode()
    assert "Read the summary of results" not in client.get(done).content.decode()
    services.publish(planned, by=cast.coordinator)
    assert reverse("summary-code", args=[workshop.code]) in client.get(join).content.decode()
    assert reverse("summary-link", args=[link]) in client.get(done).content.decode()


def test_a_phone_that_joined_finds_it_in_its_room_from_the_workshops_code(cast, planned):
    # A joined phone opening the code's page is taken back to its room: the room links it.
    workshop = planned.workshops.get()
    phone = joined(workshop)
    landed = phone.get(reverse("workshop-join", args=[workshop.code]), follow=True)
    assert landed.redirect_chain[-1][0] == reverse("workshop-room", args=[workshop.code])
    assert "Read the summary of results" not in landed.content.decode()
    services.publish(planned, by=cast.coordinator)
    room = page(phone, reverse("workshop-room", args=[workshop.code]))
    assert reverse("summary-code", args=[workshop.code]) in room


def test_an_email_the_mail_server_refused_goes_once_it_is_published_again(
    client,
    cast,
    planned,
    smtp_server,  # noqa: F811
):
    person = make_person(cast, "Partner", "partner@eastvale.example.org")
    invitation = Invitation.objects.create(assessment=planned, person=person)
    respond_online(invitation, {"1.1:internal": "3"}, submitted=True)
    smtp_server.accept(0)
    client.force_login(cast.coordinator)
    url = reverse("summary-publish", args=[cast.partnership.pk, planned.pk])
    page = client.post(url, {"change": "publish"}, follow=True).content.decode()
    assert "could not be sent because the mail server refused it" in page
    client.post(url, {"change": "withdraw"})
    smtp_server.accept(10**6)
    mail.retry_failed()  # the scheduled retry, after the summary was withdrawn: not sent
    assert smtp_server.messages == []
    assert EmailSend.objects.get(kind="summary").state == "cancelled"

    client.post(url, {"change": "publish"})
    client.post(url, {"change": "publish"})
    mail.retry_failed()
    assert [m["To"] for m in smtp_server.messages] == ["partner@eastvale.example.org"]
    assert EmailSend.objects.get(kind="summary").state == "sent"


def test_a_backup_keeps_whether_and_by_whom_the_summary_was_published(cast, planned):
    from tests.workshops.backup_helpers import delete_partnership
    from workshops.services.backup_export import export_partnership
    from workshops.services.backup_import import import_partnership

    services.publish(planned, by=cast.coordinator)
    data = export_partnership(cast.partnership)
    delete_partnership(cast.partnership)
    restored = import_partnership(data).assessments.get(title=planned.title)
    assert restored.summary_is_published and restored.summary_published_by == cast.coordinator
