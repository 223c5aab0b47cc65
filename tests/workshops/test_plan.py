"""Improvement plans: lifecycle, history, conflicting edits, and the pages.

The board's priorities: tests/workshops/test_priorities.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.workshops.test_results import respond
from tests.workshops.typical_plan import answer_typically
from workshops import audit
from workshops.models import Action, ActionChange, AuditEvent, ProgressNote
from workshops.services import draft_actions
from workshops.services import plan as services

# --- Lifecycle, history and conflicts ------------------------------------------------------------


@pytest.fixture
def action(cast, assessment) -> Action:
    return Action.objects.create(
        assessment=assessment, title="Refresh the SCS", description="With partners"
    )


def test_draft_to_agreed_to_progress_with_every_change_kept(cast, assessment, action):
    plan = services.plan_for(assessment)
    with pytest.raises(services.PlanError, match="Accept at least one action"):
        services.agree_plan(plan, cast.coordinator)
    with pytest.raises(services.PlanError, match="Accept the action first"):
        services.add_progress(action, "Started", cast.coordinator)
    services.decide(action, accept=True, user=cast.coordinator)
    plan = services.agree_plan(plan, cast.executive)
    assert (plan.version, plan.agreed_by) == (1, cast.executive) and plan.agreed_at
    action.refresh_from_db()
    due = timezone.localdate() + timedelta(days=30)
    services.update_action(
        action.pk,
        {"status": "in_progress", "due_on": due, "owner": cast.council},
        action.revision,
        cast.coordinator,
    )
    for _ in range(2):  # a resent form
        services.add_progress(action, "Workshop held with partners", cast.coordinator)
    assert ProgressNote.objects.count() == 1
    history = list(action.changes.values_list("revision", "changes"))
    assert history[0][0] == 3
    assert history[0][1] == {
        "Owner": ["–", "Eastvale District Council"],
        "Due on": ["–", f"{due:%-d %B %Y}"],
        "Status": ["Not started", "In progress"],
    }
    assert history[1] == (2, {"Status": ["Proposed", "Not started"]})
    assert services.agree_plan(plan, cast.executive).version == 2


def test_a_second_save_on_an_old_revision_is_refused_with_what_changed(cast, action):
    seen = action.revision
    services.update_action(action.pk, {"title": "Refresh the strategy"}, seen, cast.coordinator)
    with pytest.raises(services.ConflictError) as refused:
        services.update_action(action.pk, {"title": "Mine"}, seen, cast.facilitator)
    assert "Title" in str(refused.value) and "Coordinator" in str(refused.value)
    action.refresh_from_db()
    assert action.title == "Refresh the strategy" and action.revision == seen + 1
    assert ActionChange.objects.count() == 1


def test_an_unchanged_save_records_nothing(cast, action):
    services.update_action(action.pk, {"title": action.title}, action.revision, cast.coordinator)
    action.refresh_from_db()
    assert action.revision == 1 and not action.changes.exists()


def test_overdue_is_open_and_past_its_date(action):
    today = timezone.localdate()
    action.due_on = today - timedelta(days=1)
    action.status = "in_progress"
    assert action.is_overdue(today)
    action.status = "done"
    assert not action.is_overdue(today)
    action.status, action.due_on = "blocked", today
    assert not action.is_overdue(today)


# --- Pages ---------------------------------------------------------------------------------------


def test_the_coordinator_accepts_a_draft_and_edits_it_on_the_pages(client, cast, assessment):
    respond(assessment, **{"1_1_2": "no"})
    client.force_login(cast.coordinator)
    ids = [cast.partnership.pk, assessment.pk]
    client.post(reverse("plan-change", args=[*ids, "propose"]))
    draft = assessment.actions.get(source="investigate")
    page = client.get(reverse("plan", args=ids)).content.decode()
    assert "Proposed actions" in page and "Find out why: 1.1.2" in page
    client.post(reverse("plan-action-decide", args=[*ids, draft.pk]), {"decision": "accept"})
    draft.refresh_from_db()
    assert draft.status == "not_started"
    url = reverse("plan-action", args=[*ids, draft.pk])
    data = {
        "revision": draft.revision,
        "title": "",
        "description": "Ask partners",
        "status": "in_progress",
        "due_on_0": "",
        "due_on_1": "",
        "due_on_2": "",
    }
    response = client.post(url, data)
    assert (
        response.status_code == 400 and "Give the action a short title" in response.content.decode()
    )
    data["title"] = "Ask why the evidence base is out of date"
    response = client.post(url, data)
    assert response.status_code == 302
    stale = client.post(url, {**data, "title": "Overwrite"})  # same old revision
    assert stale.status_code == 409
    assert "was changed by" in stale.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Ask why the evidence base is out of date"


def test_executives_read_the_plan_but_cannot_change_it(client, cast, assessment, action):
    client.force_login(cast.executive)
    ids = [cast.partnership.pk, assessment.pk]
    page = client.get(reverse("plan", args=ids)).content.decode()
    assert "Refresh the SCS" in page and "Propose draft actions" not in page
    assert client.post(reverse("plan-change", args=[*ids, "agree"])).status_code == 403
    assert client.get(reverse("plan-action", args=[*ids, action.pk])).status_code == 403


@pytest.mark.parametrize("decision", [None, "", "Reject", "accept "])
def test_a_draft_is_only_rejected_on_purpose(client, cast, assessment, action, decision):
    client.force_login(cast.coordinator)
    url = reverse("plan-action-decide", args=[cast.partnership.pk, assessment.pk, action.pk])
    response = client.post(url, {} if decision is None else {"decision": decision}, follow=True)
    assert response.status_code == 200
    assert "Choose to accept or reject the draft action." in response.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.PROPOSED
    assert not action.changes.exists()


def test_an_element_id_no_row_can_have_is_refused_not_a_server_error(client, cast, assessment):
    # SQLite cannot compare 2**63 in Django's `pk__in` look-up of the ticked boxes.
    client.force_login(cast.coordinator)
    url = reverse("plan-action-new", args=[cast.partnership.pk, assessment.pk])
    data = {"title": "Refresh the SCS", "status": "not_started", "sections": [str(2**63)]}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select a valid choice" in page
    assert not Action.objects.exists()


# --- Saved means saved -----------------------------------------------------------------------


def test_changing_only_the_elements_moves_the_revision_and_is_in_the_history(cast, action, bank):
    leading, partners = bank.sections.filter(is_element=True).order_by("number")[:2]
    seen = action.revision
    services.update_action(action.pk, {"sections": [leading, partners]}, seen, cast.coordinator)
    action.refresh_from_db()
    assert action.revision == seen + 1
    assert action.changes.first().changes == {
        "Elements it addresses": ["–", f"{leading.number}, {partners.number}"]
    }
    # A second browser still on the old revision cannot silently put them back.
    with pytest.raises(services.ConflictError, match="Elements it addresses"):
        services.update_action(action.pk, {"sections": []}, seen, cast.facilitator)
    assert {s.pk for s in action.sections.all()} == {leading.pk, partners.pk}


def test_saving_the_same_elements_again_changes_nothing(cast, action, bank):
    leading = bank.sections.filter(is_element=True).order_by("number").first()
    services.update_action(action.pk, {"sections": [leading]}, action.revision, cast.coordinator)
    action.refresh_from_db()
    services.update_action(action.pk, {"sections": [leading]}, action.revision, cast.coordinator)
    action.refresh_from_db()
    assert (action.revision, action.changes.count()) == (2, 1)


def test_agreeing_carries_the_version_shown_and_a_second_click_is_refused(client, cast, action):
    services.decide(action, accept=True, user=cast.coordinator)
    assessment = action.assessment
    client.force_login(cast.coordinator)
    page = client.get(reverse("plan", args=[assessment.partnership_id, assessment.pk]))
    assert 'name="version" value="1"' in page.content.decode()
    url = reverse("plan-change", args=[assessment.partnership_id, assessment.pk, "agree"])
    first = client.post(url, {"version": "1"}, follow=True)
    assert "Version 1 of the plan agreed." in first.content.decode()
    second = client.post(url, {"version": "1"}, follow=True)  # the same page, clicked again
    text = second.content.decode()
    assert "already agreed as version 1" in text
    plan = services.plan_for(assessment)
    assert (plan.version, plan.is_agreed) == (1, True)


def test_agreeing_from_a_page_without_the_version_is_refused(client, cast, action):
    services.decide(action, accept=True, user=cast.coordinator)
    assessment = action.assessment
    client.force_login(cast.coordinator)
    url = reverse("plan-change", args=[assessment.partnership_id, assessment.pk, "agree"])
    for posted in ({}, {"version": "x"}, {"version": "7"}):
        response = client.post(url, posted, follow=True)
        assert "Nothing was recorded" in response.content.decode()
    assert services.plan_for(assessment).version == 0


# --- Deciding drafts, one by one or together ---------------------------------------------------


@pytest.fixture
def drafts(cast, assessment) -> list[Action]:
    answer_typically(assessment)
    draft_actions.propose_drafts(assessment, cast.coordinator)
    return list(assessment.actions.order_by("pk"))


def test_several_drafts_are_accepted_at_once_or_none_are(cast, drafts):
    first, second, third = drafts[:3]
    services.decide(third, accept=True, user=cast.coordinator)
    with pytest.raises(services.PlanError, match=f"“{third}” is not started, not a draft"):
        services.decide_many([first, second, third], True, cast.coordinator)
    first.refresh_from_db()
    assert first.status == "proposed" and not first.changes.exists()
    decided = services.decide_many([first, second], False, cast.coordinator, by=cast.coordinator)
    assert [a.status for a in decided] == ["rejected", "rejected"]
    entries = AuditEvent.objects.filter(action="action.rejected")
    assert sorted(e.data["id"] for e in entries) == [first.pk, second.pk]
    with pytest.raises(services.PlanError, match="Select the draft actions"):
        services.decide_many([], True, cast.coordinator)


def test_the_page_accepts_the_ticked_drafts_and_comes_back_to_the_list(client, cast, drafts):
    assessment = drafts[0].assessment
    ids = [cast.partnership.pk, assessment.pk]
    client.force_login(cast.coordinator)
    page = client.get(reverse("plan", args=ids)).content.decode()
    assert 'id="drafts-element-5"' in page and "Show 6 more drafts" in page
    url = reverse("plan-actions-decide", args=ids)
    response = client.post(url, {"action": [drafts[0].pk, drafts[1].pk], "decision": "accept"})
    assert response.status_code == 302
    assert response["Location"] == reverse("plan", args=ids) + "#drafts"
    text = client.get(response["Location"]).content.decode()
    assert f"Accepted 2 draft actions: “{drafts[0]}”; “{drafts[1]}”." in text
    assert {a.status for a in assessment.actions.filter(pk__in=[drafts[0].pk, drafts[1].pk])} == {
        "not_started"
    }


def test_an_elements_drafts_are_rejected_together_and_the_page_comes_back_to_it(
    client, cast, drafts
):
    assessment = drafts[0].assessment
    ids = [cast.partnership.pk, assessment.pk]
    client.force_login(cast.coordinator)
    waiting = assessment.actions.filter(status="proposed")
    element = draft_actions.grouped_drafts(
        list(waiting.select_related("item__section").prefetch_related("sections"))
    )[4]
    some, rest = element.drafts[:2], element.drafts[2:]
    url = reverse("plan-actions-decide", args=ids)
    data = {"action": [a.pk for a in some], "decision": "reject", "group": element.key}
    response = client.post(url, data)
    assert response["Location"].endswith("#drafts-element-5")  # drafts still wait there
    data = {"action": [a.pk for a in rest], "decision": "reject", "group": element.key}
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0].endswith("#drafts")  # the element has gone
    assert "Rejected 7 draft actions" in response.content.decode()
    assert not waiting.filter(pk__in=[a.pk for a in element.drafts]).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"decision": "accept"}, "Select the draft actions to accept or reject."),
        ({"action": "FIRST"}, "Choose to accept or reject the draft actions."),
        ({"action": "FIRST", "decision": "Accept"}, "Choose to accept or reject"),
        ({"action": ["FIRST", "DONE"], "decision": "reject"}, "since your page was loaded"),
        ({"action": ["FIRST", str(2**63)], "decision": "reject"}, "since your page was loaded"),
        ({"action": ["FIRST", "x"], "decision": "reject"}, "since your page was loaded"),
    ],
)
def test_a_bulk_decision_the_page_did_not_offer_changes_nothing(
    client, cast, drafts, data, message
):
    first, done = drafts[0], drafts[1]
    services.decide(done, accept=True, user=cast.coordinator)
    names = {"FIRST": str(first.pk), "DONE": str(done.pk)}
    if "action" in data:
        chosen = data["action"] if isinstance(data["action"], list) else [data["action"]]
        data = {**data, "action": [names.get(value, value) for value in chosen]}
    client.force_login(cast.coordinator)
    ids = [cast.partnership.pk, first.assessment_id]
    response = client.post(reverse("plan-actions-decide", args=ids), data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    first.refresh_from_db()
    assert first.status == "proposed" and not first.changes.exists()


def test_one_draft_decided_says_so_and_comes_back_to_its_element(client, cast, drafts):
    draft = drafts[0]
    ids = [cast.partnership.pk, draft.assessment_id]
    client.force_login(cast.coordinator)
    url = reverse("plan-action-decide", args=[*ids, draft.pk])
    response = client.post(url, {"decision": "reject"})
    element = draft_actions.element_of(draft)
    assert response["Location"].endswith(f"#drafts-element-{element.number}")
    text = client.get(response["Location"]).content.decode()
    assert f"Rejected: “{draft}”." in text


def test_proposing_says_how_many_drafts_in_words_that_agree(client, cast, assessment):
    respond(assessment, **{"1_1_2": "no"})
    client.force_login(cast.coordinator)
    url = reverse("plan-change", args=[cast.partnership.pk, assessment.pk, "propose"])
    first = client.post(url, follow=True).content.decode()
    assert "1 new draft action proposed from the results." in first
    again = client.post(url, follow=True).content.decode()
    assert "No new draft actions: the results suggest nothing not proposed before." in again
    event = AuditEvent.objects.get(action="plan.drafts_proposed")
    assert audit.words(event) == "1 new draft action proposed from the results."
