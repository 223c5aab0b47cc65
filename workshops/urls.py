from django.urls import include, path

from workshops.views import (
    agenda,
    agreed,
    assessment,
    imports,
    live,
    members,
    paper,
    partnership,
    plan,
    printing,
    questionnaire,
    results,
    workshop,
)

P = "partnerships/<int:partnership_id>/"
A = P + "assessments/<int:assessment_id>/"
PAPER = A + "paper/<int:person_id>/"
W = A + "workshops/<int:workshop_id>/"

questionnaire_patterns = [
    path("", questionnaire.questionnaire, name="questionnaire"),
    path("part/<int:number>/", questionnaire.questionnaire_section, name="questionnaire-section"),
    path("save/", questionnaire.questionnaire_save, name="questionnaire-save"),
    path("review/", questionnaire.questionnaire_review, name="questionnaire-review"),
]

urlpatterns = [
    # Phones join with a code and need no account. First in the list: hundreds of
    # phones poll and vote every second, and URLs are matched in order.
    path("w/", live.join_start, name="join"),
    path("w/<str:code>/join/", live.join, name="workshop-join"),
    path("w/<str:code>/", live.room, name="workshop-room"),
    path("w/<str:code>/live/", live.room_live, name="workshop-room-live"),
    path("w/<str:code>/vote/", live.vote, name="workshop-vote"),
    path("w/<str:code>/wait/", live.wait, name="workshop-wait"),
    path("", partnership.home, name="home"),
    path("account/", include("workshops.accounts.urls")),
    path("support/accounts/", include("workshops.accounts.urls_support")),
    path("support/sign-in-providers/", include("workshops.accounts.urls_sso")),
    path("partnerships/new/", partnership.partnership_create, name="partnership-create"),
    path("support/partnerships/", partnership.support_partnerships, name="support-partnerships"),
    path(
        "support/partnerships/<int:pk>/verify/",
        partnership.partnership_verify,
        name="partnership-verify",
    ),
    path(
        "support/partnerships/<int:pk>/invite-coordinator/",
        partnership.partnership_invite_coordinator,
        name="partnership-invite-coordinator",
    ),
    path(P, partnership.partnership_detail, name="partnership"),
    path(P + "edit/", partnership.partnership_edit, name="partnership-edit"),
    path(P + "organisations/new/", partnership.organisation_create, name="organisation-create"),
    path(
        P + "organisations/<int:organisation_id>/edit/",
        partnership.organisation_edit,
        name="organisation-edit",
    ),
    path(P + "people/new/", partnership.person_create, name="person-create"),
    path(P + "people/<int:person_id>/edit/", partnership.person_edit, name="person-edit"),
    path(P + "people/<int:person_id>/erase/", partnership.person_erase, name="person-erase"),
    path(P + "members/", members.member_list, name="members"),
    path(P + "members/invite/", members.member_invite, name="member-invite"),
    path(P + "members/<int:membership_id>/remove/", members.member_remove, name="member-remove"),
    path(P + "members/<int:membership_id>/role/", members.member_role, name="member-role"),
    path(
        P + "members/invitations/<int:invitation_id>/resend/",
        members.member_invitation_resend,
        name="member-invitation-resend",
    ),
    path(
        P + "members/invitations/<int:invitation_id>/withdraw/",
        members.member_invitation_withdraw,
        name="member-invitation-withdraw",
    ),
    path(P + "audit/", partnership.audit_log, name="audit-log"),
    path(P + "assessments/new/", assessment.assessment_create, name="assessment-create"),
    path(A, assessment.assessment_detail, name="assessment"),
    path(A + "invite/", assessment.invite, name="assessment-invite"),
    path(A + "remind/", assessment.remind, name="assessment-remind"),
    path(A + "invitations/revoke/", assessment.revoke_choose, name="invitation-revoke-choose"),
    path(
        A + "invitations/<int:invitation_id>/revoke/",
        assessment.revoke,
        name="invitation-revoke",
    ),
    path(A + "invitees/import/", imports.invitees_import, name="invitees-import"),
    path(A + "responses/import/", imports.responses_import, name="responses-import"),
    path(A + "imports/<int:job_id>/", imports.import_job, name="import-job"),
    path(A + "print/", printing.questionnaire_print, name="questionnaire-print"),
    path(A + "questionnaire.pdf", printing.questionnaire_pdf, name="questionnaire-pdf"),
    path(A + "paper/", paper.paper_choose, name="paper-choose"),
    path(PAPER, paper.paper, name="paper"),
    path(PAPER + "part/<int:number>/", paper.paper_section, name="paper-section"),
    path(PAPER + "save/", paper.paper_save, name="paper-save"),
    path(PAPER + "review/", paper.paper_review, name="paper-review"),
    path(A + "results/", results.results, name="results"),
    path(A + "results/7s.svg", results.chart_7s, name="results-7s"),
    path(A + "results/heat-map.svg", results.chart_heat_map, name="results-heat-map"),
    path(A + "results/<str:what>.<str:kind>", results.export, name="results-export"),
    path(A + "plan/", plan.plan, name="plan"),
    path(A + "improvement-plan.pdf", plan.plan_pdf, name="plan-pdf"),
    path(A + "improvement-plan-pdf/", plan.plan_pdf_status, name="plan-pdf-status"),
    path(A + "plan/<slug:change>/", plan.plan_change, name="plan-change"),
    path(A + "plan/priorities/<int:priority_id>/", plan.priority_change, name="priority-change"),
    path(A + "plan/priorities/dots/", plan.priority_votes, name="plan-priority-votes"),
    path(A + "plan/actions/decide/", plan.actions_decide, name="plan-actions-decide"),
    path(A + "plan/actions/new/", plan.action_new, name="plan-action-new"),
    path(A + "plan/actions/<int:action_id>/", plan.action_edit, name="plan-action"),
    path(A + "plan/actions/<int:action_id>/decide/", plan.action_decide, name="plan-action-decide"),
    path(
        A + "plan/actions/<int:action_id>/withdraw/",
        plan.action_withdraw,
        name="plan-action-withdraw",
    ),
    path(
        A + "plan/actions/<int:action_id>/progress/",
        plan.action_progress,
        name="plan-action-progress",
    ),
    path(A + "workshops/new/", workshop.workshop_create, name="workshop-create"),
    path(W, workshop.workshop_console, name="workshop"),
    path(W + "live/", workshop.workshop_console_live, name="workshop-console-live"),
    path(W + "control/", workshop.workshop_control, name="workshop-control"),
    path(W + "finish/", workshop.workshop_finish, name="workshop-finish"),
    path(W + "present/", workshop.workshop_present, name="workshop-present"),
    path(W + "present/live/", workshop.workshop_present_live, name="workshop-present-live"),
    path(W + "join.svg", workshop.workshop_qr, name="workshop-qr"),
    path(W + "waiting/<int:waiting_id>/", workshop.waiting_phone, name="workshop-waiting"),
    path(
        W + "participants/<int:participant_id>/remove/",
        workshop.participant_remove,
        name="workshop-participant-remove",
    ),
    path(W + "chart/<str:group>/<str:basis>.svg", workshop.workshop_chart, name="workshop-chart"),
    path(W + "agenda/", agenda.workshop_agenda, name="workshop-agenda"),
    path(W + "agenda/<int:agenda_id>/", agenda.agenda_change, name="agenda-change"),
    path(W + "agenda/<int:agenda_id>/agreed/", agreed.consensus, name="workshop-consensus"),
    path(W + "agenda/<int:agenda_id>/actions/", agreed.action_add, name="workshop-action-add"),
    path(
        W + "actions/<int:action_id>/delete/", agreed.action_delete, name="workshop-action-delete"
    ),
    # An invitation to join a partnership: the token is the credential, for its address.
    path("invitations/<str:token>/", members.member_invitation, name="member-invitation"),
    # Personal links: the token is the credential, so no sign-in is needed.
    path("a/<str:token>/", include(questionnaire_patterns)),
]
