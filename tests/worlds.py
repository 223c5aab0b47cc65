"""The shared world: a partnership with one of everything, and every URL of the site as
a function of it.

``built_worlds`` builds two such partnerships for a test module. The permission
matrix, the enumeration test, the GET check and the bad-input fuzzer walk ``URLS``
over them; the injection tests type into them (``tests/typed_world.py``). A URL
pattern without a row here fails the matrix, so a new page is never left out of
the access rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from questions.bank_file import read_bank
from questions.loader import load_bank
from tests.builders import make_assessment, make_person, make_staff, make_workshop, respond
from tests.conftest import make_cast
from workshops.models import (
    Action,
    AuditEvent,
    DotCandidate,
    DotVote,
    Idea,
    IdeaCollection,
    ImportJob,
    Invitation,
    MemberInvitation,
    Membership,
    Organisation,
    Partnership,
    Target,
    User,
)
from workshops.services import local_questions, priorities
from workshops.services import participants as participants_service
from workshops.services import plan as plan_service
from workshops.services import voting as voting_service
from workshops.services import workshop as workshop_service


@dataclass
class World:
    """One partnership's objects, named by what the URLs need."""

    partnership: Partnership
    coordinator: User
    organisation: object
    person: object
    paper_person: object  # invited, has not answered
    membership: Membership  # one that may be removed
    assessment: object
    invitation: Invitation
    workshop: object
    agenda: object
    participant: object  # the person who voted in the workshop
    waiting_phone: object  # a second phone asking to be them
    workshop_action: Action
    priority: object
    action: Action
    marker: str  # a word in every name and text of this world, to look for where it must not be
    paper_token: str = ""  # the link of the person who has not answered (only its hash is stored)
    member_invitation: MemberInvitation | None = None  # to an address with no account
    member_token: str = ""  # its link (only the hash is stored)
    import_job: ImportJob | None = None  # a big import, finished
    dot_vote: DotVote | None = None  # priorities made ready to put to the room
    idea_collection: IdeaCollection | None = None  # ideas the room sent, not on the room now
    idea: Idea | None = None  # one of them, from the world's participant
    target: Target | None = None  # the plan's target for element 1, for the next assessment
    local_question: object = None  # a question of the partnership's own, not yet answered

    def objects(self) -> list:
        """The partnership's own objects, which a URL or a form may name by id (accounts
        are shared between partnerships, not owned)."""
        return [
            self.partnership,
            self.organisation,
            self.person,
            self.paper_person,
            self.membership,
            self.assessment,
            self.invitation,
            self.workshop,
            self.workshop_action,
            self.priority,
            self.action,
            self.member_invitation,
            self.dot_vote,
            self.idea_collection,
            self.idea,
            self.target,
            self.local_question,
            *self.workshop.agenda.all(),
        ]

    @property
    def token(self) -> str:
        return self.invitation.token

    @property
    def code(self) -> str:
        return self.workshop.code


def build_world(cast, partnership: Partnership, coordinator: User, marker: str) -> World:
    """Everything a URL can point at, in ``partnership``, with ``marker`` in its texts."""
    person = make_person(cast, f"{marker} Person", partnership=partnership)
    removable = Membership.objects.filter(partnership=partnership).exclude(user=coordinator)
    membership = removable.first() or Membership.objects.create(
        partnership=partnership,
        user=User.objects.create_user(f"member@{marker.lower()}.example.org", "x"),
        role=Membership.Role.PARTICIPANT,
    )
    cast_for = _CastView(cast, coordinator)
    # With the network section, asked of the council about the partnership's other organisation.
    assessment = make_assessment(
        cast_for, title=f"{marker} review", partnership=partnership, network=True
    )
    Organisation.objects.create(partnership=partnership, name=f"{marker} Police", sector="public")
    invitation = Invitation.objects.create(assessment=assessment, person=person)
    paper_person = make_person(cast, f"{marker} Paper Person", partnership=partnership)
    paper_token = Invitation.objects.create(assessment=assessment, person=paper_person).token
    respond(
        invitation,
        {"1.1:internal": "4", "1.2.1": f"{marker} open answer", "8.1": f"{marker} priority"},
        submitted=True,
    )
    workshop = make_workshop(cast_for, assessment, title=f"{marker} board workshop")
    # The room has voted on the first item and sees the results.
    workshop_service.change(workshop.pk, "next")
    workshop_service.change(workshop.pk, "open")
    agenda = workshop.agenda.first()
    voter = participants_service.join(workshop, person=person)
    waiting_phone = participants_service.ask_to_join(workshop, "192.0.2.1", person=person)
    voting_service.vote(workshop.code, voter.pk, agenda.pk, {"internal": "3"})
    workshop_service.change(workshop.pk, "close")
    workshop = workshop_service.change(workshop.pk, "reveal")
    workshop_action = workshop_service.add_action(
        agenda, coordinator, description=f"{marker} workshop action", owner=None, due_on=None
    )
    plan = plan_service.plan_for(assessment)
    priority = priorities.add_priority(plan, f"{marker} joint commissioning")
    action = Action.objects.create(
        assessment=assessment,
        title=f"{marker} refresh the plan",
        description=f"{marker} action description",
        owner=person.organisation,
        due_on=timezone.localdate(),
        status=Action.Status.NOT_STARTED,
        created_by=coordinator,
    )
    plan_service.add_progress(action, f"{marker} progress note", coordinator)
    target = Target.objects.create(
        plan=plan,
        section=assessment.bank.sections.get(number=1),
        basis="internal",
        kind=Target.Kind.MEAN,
        value=3,
        set_by=coordinator,
    )
    AuditEvent.objects.create(
        partnership=partnership,
        user=coordinator,
        actor=str(coordinator),
        summary=f"{marker} audit entry",
        path="/",
    )
    member_invitation = MemberInvitation(
        partnership=partnership,
        email=f"invitee@{marker.lower()}.example.org",
        role=Membership.Role.EXECUTIVE,
        invited_by=coordinator,
    )
    member_token = member_invitation.issue_link()
    member_invitation.save()
    import_job = ImportJob.objects.create(
        assessment=assessment,
        kind=ImportJob.Kind.INVITEES,
        digest="0" * 64,
        state=ImportJob.State.DONE,
        rows=5000,
        summary=f"{marker} people imported",
        created_by=coordinator,
    )
    # Made, not put to the room: the room stays on its revealed item for the other pages.
    dot_vote = DotVote.objects.create(workshop=workshop, title=f"{marker} priorities vote")
    DotCandidate.objects.create(vote=dot_vote, text=f"{marker} candidate", position=1)
    idea_collection = IdeaCollection.objects.create(workshop=workshop, prompt=f"{marker} ideas")
    idea = Idea.objects.create(
        collection=idea_collection, participant=voter, text=f"{marker} idea", token="world"
    )
    local_question = local_questions.add_local_question(
        assessment, text=f"{marker} local question?", kind="yes_no", section_number=2
    )
    return World(
        partnership=partnership,
        coordinator=coordinator,
        organisation=person.organisation,
        person=person,
        paper_person=paper_person,
        membership=membership,
        assessment=assessment,
        invitation=invitation,
        workshop=workshop,
        agenda=agenda,
        participant=voter,
        waiting_phone=waiting_phone,
        workshop_action=workshop_action,
        priority=priority,
        action=action,
        marker=marker,
        paper_token=paper_token,
        member_invitation=member_invitation,
        member_token=member_token,
        import_job=import_job,
        dot_vote=dot_vote,
        idea_collection=idea_collection,
        idea=idea,
        target=target,
        local_question=local_question,
    )


@contextmanager
def built_worlds(django_db_blocker) -> Iterator[tuple[World, World, dict[str, User]]]:
    """Two partnerships with one of everything, committed for a whole test module, and
    the users by role (the cast's members, ``other_coordinator`` and ``staff``).

    Module fixtures use it; each test still runs in a transaction that is rolled
    back, so what one POST changes does not reach the next.
    """
    with django_db_blocker.unblock():
        try:
            load_bank(read_bank(settings.QUESTION_BANK_PATH))
            cast = make_cast()
            mine = build_world(cast, cast.partnership, cast.coordinator, "Eastvale")
            theirs = build_world(cast, cast.other, cast.outsider, "Westmoor")
            staff = make_staff("Support")
            users = {role: cast.user(role) for role in Membership.Role.values}
            users |= {"other_coordinator": cast.outsider, "staff": staff}
            yield mine, theirs, users
        finally:
            # Committed outside the tests' transactions, so emptied by hand, even
            # when building failed half-way, so later modules start empty.
            call_command("flush", interactive=False, verbosity=0)


class _CastView:
    """The cast, with the coordinator who creates this world's objects."""

    def __init__(self, cast, coordinator):
        self._cast, self.coordinator = cast, coordinator
        self.facilitator = cast.facilitator

    def __getattr__(self, name):
        return getattr(self._cast, name)


# What a URL needs: who may use it.
PUBLIC = "public"  # anyone, signed in or not
SIGNED_IN = "signed in"  # any account
MEMBER = "member"  # any member of the partnership
MANAGE = "manage"  # coordinators
FACILITATE = "facilitate"  # coordinators and facilitators
RESULTS = "results"  # coordinators, facilitators and executives
LINK = "link"  # whoever holds the personal link (the token is the credential)
# Whoever holds an invitation's link, signed out (it offers an account for its address);
# signed in with another address, 403.
INVITEE = "invitee"
PHONE = "phone"  # whoever holds the workshop code
ADMIN = "admin"  # staff
STAFF = "staff"  # support staff's own pages: others signed in get 403
ENTRANCE = "entrance"  # signing in: for visitors; anyone signed in is sent on (302)
LOGOUT = "logout"  # signing out: a visitor is sent home (302)

GET_ONLY = {"get"}
POST_ONLY = {"post"}
BOTH = {"get", "post"}


@dataclass(frozen=True)
class Row:
    url: Callable[[World], str]
    access: str
    # The statuses an allowed user gets: for a plain GET, and for a POST with no data.
    get: int
    post: int


def _p(name: str, *extra: Callable[[World], object]):
    return lambda w: reverse(name, args=[w.partnership.pk, *(f(w) for f in extra)])


def _a(name: str, *extra: Callable[[World], object]):
    return lambda w: reverse(name, args=[w.partnership.pk, w.assessment.pk, *(f(w) for f in extra)])


def _w(name: str, *extra: Callable[[World], object]):
    return _a(name, lambda w: w.workshop.pk, *extra)


def _fixed(name: str, *args):
    return lambda w: reverse(name, args=list(args))


def _token(name: str, *extra):
    return lambda w: reverse(name, args=[w.token, *extra])


def _code(name: str):
    return lambda w: reverse(name, args=[w.code])


# Every named URL of the site. get/post: what an allowed user sees; 405 where a
# method is not offered, 302 where the page sends them on. Pages that only show
# something answer a POST as they answer a GET: it changes nothing.
URLS: dict[str, Row] = {
    # Public pages.
    "home": Row(_fixed("home"), PUBLIC, 200, 200),
    "instrument": Row(_fixed("instrument"), PUBLIC, 200, 200),
    # Public: only our plain-English explanations of the questions' terms.
    "glossary": Row(_fixed("glossary"), PUBLIC, 200, 200),
    "accessibility": Row(_fixed("accessibility"), PUBLIC, 200, 200),
    "login": Row(_fixed("login"), ENTRANCE, 200, 200),
    "healthz": Row(_fixed("healthz"), PUBLIC, 200, 405),
    "favicon": Row(_fixed("favicon"), PUBLIC, 200, 405),
    "logout": Row(_fixed("logout"), LOGOUT, 200, 302),
    "partnership-create": Row(_fixed("partnership-create"), STAFF, 200, 200),
    "support-partnerships": Row(_fixed("support-partnerships"), STAFF, 200, 200),
    "partnership-verify": Row(
        lambda w: reverse("partnership-verify", args=[w.partnership.pk]), STAFF, 405, 302
    ),
    "partnership-invite-coordinator": Row(
        lambda w: reverse("partnership-invite-coordinator", args=[w.partnership.pk]),
        STAFF,
        200,
        200,
    ),
    "admin:index": Row(_fixed("admin:index"), ADMIN, 200, 200),
    # Phones in a workshop: the code is the credential; a phone that has not
    # joined is sent to join.
    "join": Row(_fixed("join"), PUBLIC, 200, 200),
    "workshop-join": Row(_code("workshop-join"), PHONE, 200, 200),
    "workshop-room": Row(_code("workshop-room"), PHONE, 302, 302),
    "workshop-room-live": Row(_code("workshop-room-live"), PHONE, 403, 403),
    "workshop-vote": Row(_code("workshop-vote"), PHONE, 405, 302),
    "workshop-dots-vote": Row(_code("workshop-dots-vote"), PHONE, 405, 302),
    "workshop-ideas-send": Row(_code("workshop-ideas-send"), PHONE, 405, 302),
    "workshop-wait": Row(_code("workshop-wait"), PHONE, 302, 302),
    # A partner's questionnaire: the personal link is the credential.
    "questionnaire": Row(_token("questionnaire"), LINK, 200, 200),
    # The summary of results, unpublished in this world: each door says so.
    "summary-link": Row(_token("summary-link"), LINK, 200, 200),
    "summary-link-pdf": Row(_token("summary-link-pdf"), LINK, 302, 302),
    "summary-link-7s": Row(_token("summary-link-7s"), LINK, 404, 404),
    "summary-code": Row(_code("summary-code"), PHONE, 200, 200),
    "summary-code-pdf": Row(_code("summary-code-pdf"), PHONE, 302, 302),
    "summary-code-7s": Row(_code("summary-code-7s"), PHONE, 404, 404),
    "questionnaire-section": Row(_token("questionnaire-section", 1), LINK, 200, 200),
    "questionnaire-save": Row(_token("questionnaire-save"), LINK, 405, 400),
    "questionnaire-review": Row(_token("questionnaire-review"), LINK, 200, 302),
    "questionnaire-network": Row(_token("questionnaire-network"), LINK, 200, 200),
    "questionnaire-network-save": Row(_token("questionnaire-network-save"), LINK, 405, 400),
    # The partnership.
    "partnership": Row(_p("partnership"), MEMBER, 200, 200),
    "partnership-edit": Row(_p("partnership-edit"), MANAGE, 200, 200),
    "audit-log": Row(_p("audit-log"), MANAGE, 200, 200),
    # Partnerships side by side: types of authority, and a county's districts.
    "comparison-authority-types": Row(_p("comparison-authority-types"), RESULTS, 200, 200),
    "comparison-districts": Row(_p("comparison-districts"), RESULTS, 200, 200),
    "organisation-create": Row(_p("organisation-create"), MANAGE, 200, 200),
    "organisation-edit": Row(
        _p("organisation-edit", lambda w: w.organisation.pk), MANAGE, 200, 200
    ),
    "person-create": Row(_p("person-create"), MANAGE, 200, 200),
    "person-edit": Row(_p("person-edit", lambda w: w.person.pk), MANAGE, 200, 200),
    "person-erase": Row(_p("person-erase", lambda w: w.person.pk), MANAGE, 200, 302),
    "members": Row(_p("members"), MANAGE, 200, 200),
    "member-invite": Row(_p("member-invite"), MANAGE, 200, 200),
    "member-remove": Row(_p("member-remove", lambda w: w.membership.pk), MANAGE, 405, 302),
    "member-invitation-resend": Row(
        _p("member-invitation-resend", lambda w: w.member_invitation.pk), MANAGE, 405, 302
    ),
    "member-invitation-withdraw": Row(
        _p("member-invitation-withdraw", lambda w: w.member_invitation.pk), MANAGE, 405, 302
    ),
    "member-invitation": Row(
        lambda w: reverse("member-invitation", args=[w.member_token]), INVITEE, 200, 200
    ),
    # Assessments and invitations.
    "assessment-create": Row(_p("assessment-create"), MANAGE, 200, 200),
    "assessment": Row(_a("assessment"), MANAGE, 200, 200),
    "assessment-invite": Row(_a("assessment-invite"), MANAGE, 200, 200),
    "assessment-remind": Row(_a("assessment-remind"), MANAGE, 405, 302),
    "assessment-network": Row(_a("assessment-network"), MANAGE, 405, 302),
    "local-question-add": Row(_a("local-question-add"), MANAGE, 200, 200),
    "local-question-edit": Row(
        _a("local-question-edit", lambda w: w.local_question.pk), MANAGE, 200, 200
    ),
    "local-question-remove": Row(
        _a("local-question-remove", lambda w: w.local_question.pk), MANAGE, 200, 302
    ),
    "invitation-revoke-choose": Row(_a("invitation-revoke-choose"), MANAGE, 405, 302),
    "invitation-revoke": Row(_a("invitation-revoke", lambda w: w.invitation.pk), MANAGE, 405, 302),
    "invitees-import": Row(_a("invitees-import"), MANAGE, 200, 200),
    "responses-import": Row(_a("responses-import"), MANAGE, 200, 200),
    "import-job": Row(_a("import-job", lambda w: w.import_job.pk), MANAGE, 200, 405),
    "questionnaire-print": Row(_a("questionnaire-print"), MANAGE, 200, 200),
    "questionnaire-pdf": Row(_a("questionnaire-pdf"), MANAGE, 200, 200),
    "paper-choose": Row(_a("paper-choose"), MANAGE, 302, 302),
    "paper": Row(_a("paper", lambda w: w.paper_person.pk), MANAGE, 200, 200),
    "paper-section": Row(
        _a("paper-section", lambda w: w.paper_person.pk, lambda w: 1), MANAGE, 200, 302
    ),
    "paper-save": Row(_a("paper-save", lambda w: w.paper_person.pk), MANAGE, 405, 400),
    "paper-review": Row(_a("paper-review", lambda w: w.paper_person.pk), MANAGE, 200, 302),
    "paper-network": Row(_a("paper-network", lambda w: w.paper_person.pk), MANAGE, 200, 302),
    "paper-network-save": Row(
        _a("paper-network-save", lambda w: w.paper_person.pk), MANAGE, 405, 400
    ),
    # Results and the plan.
    "results": Row(_a("results"), RESULTS, 200, 200),
    "results-7s": Row(_a("results-7s"), RESULTS, 200, 200),
    "results-differences": Row(_a("results-differences"), RESULTS, 200, 200),
    "results-heat-map": Row(_a("results-heat-map"), RESULTS, 200, 200),
    "results-trends": Row(_a("results-trends"), RESULTS, 200, 200),
    "results-network": Row(_a("results-network"), RESULTS, 200, 200),
    "results-network-map": Row(_a("results-network-map"), RESULTS, 200, 200),
    "results-export": Row(
        _a("results-export", lambda w: "answers", lambda w: "csv"), RESULTS, 200, 200
    ),
    "plan": Row(_a("plan"), RESULTS, 200, 200),
    "plan-pdf": Row(_a("plan-pdf"), RESULTS, 200, 200),
    "summary": Row(_a("summary"), MEMBER, 200, 200),
    "summary-pdf": Row(_a("summary-pdf"), MEMBER, 302, 302),
    "summary-7s": Row(_a("summary-7s"), MEMBER, 404, 404),
    "summary-publish": Row(_a("summary-publish"), MANAGE, 405, 302),
    "plan-pdf-status": Row(_a("plan-pdf-status"), RESULTS, 200, 405),
    "plan-change": Row(_a("plan-change", lambda w: "agree"), MANAGE, 405, 302),
    "priority-change": Row(_a("priority-change", lambda w: w.priority.pk), MANAGE, 405, 302),
    "plan-priority-votes": Row(_a("plan-priority-votes"), MANAGE, 405, 302),
    "plan-actions-decide": Row(_a("plan-actions-decide"), MANAGE, 405, 302),
    "plan-target-set": Row(_a("plan-target-set"), MANAGE, 405, 400),
    "plan-target-remove": Row(_a("plan-target-remove", lambda w: w.target.pk), MANAGE, 405, 302),
    "plan-action-new": Row(_a("plan-action-new"), MANAGE, 200, 200),
    "plan-action": Row(_a("plan-action", lambda w: w.action.pk), MANAGE, 200, 400),
    "plan-action-decide": Row(_a("plan-action-decide", lambda w: w.action.pk), MANAGE, 405, 302),
    "plan-action-progress": Row(
        _a("plan-action-progress", lambda w: w.action.pk), MANAGE, 405, 302
    ),
    "plan-action-withdraw": Row(
        _a("plan-action-withdraw", lambda w: w.action.pk), MANAGE, 405, 400
    ),
    # Workshops.
    "workshop-create": Row(_a("workshop-create"), FACILITATE, 200, 200),
    "workshop": Row(_w("workshop"), FACILITATE, 200, 200),
    "workshop-console-live": Row(_w("workshop-console-live"), FACILITATE, 200, 200),
    "workshop-control": Row(_w("workshop-control"), FACILITATE, 405, 302),
    "workshop-finish": Row(_w("workshop-finish"), FACILITATE, 200, 405),
    "workshop-present": Row(_w("workshop-present"), FACILITATE, 200, 200),
    "workshop-present-live": Row(_w("workshop-present-live"), FACILITATE, 200, 200),
    "workshop-qr": Row(_w("workshop-qr"), FACILITATE, 200, 200),
    "workshop-waiting": Row(
        _w("workshop-waiting", lambda w: w.waiting_phone.pk), FACILITATE, 405, 302
    ),
    "workshop-participant-remove": Row(
        _w("workshop-participant-remove", lambda w: w.participant.pk), FACILITATE, 405, 302
    ),
    "workshop-chart": Row(
        _w("workshop-chart", lambda w: "room", lambda w: "internal"), FACILITATE, 200, 200
    ),
    "workshop-agenda": Row(_w("workshop-agenda"), FACILITATE, 200, 200),
    "workshop-dots-new": Row(_w("workshop-dots-new"), FACILITATE, 200, 400),
    "workshop-dots-plan": Row(
        _w("workshop-dots-plan", lambda w: w.dot_vote.pk), FACILITATE, 405, 302
    ),
    "workshop-ideas-new": Row(_w("workshop-ideas-new"), FACILITATE, 200, 400),
    "workshop-ideas": Row(
        _w("workshop-ideas", lambda w: w.idea_collection.pk), FACILITATE, 405, 302
    ),
    "workshop-idea": Row(
        _w("workshop-idea", lambda w: w.idea_collection.pk, lambda w: w.idea.pk),
        FACILITATE,
        405,
        302,
    ),
    "agenda-change": Row(_w("agenda-change", lambda w: w.agenda.pk), FACILITATE, 405, 302),
    "workshop-consensus": Row(
        _w("workshop-consensus", lambda w: w.agenda.pk), FACILITATE, 405, 302
    ),
    "workshop-action-add": Row(
        _w("workshop-action-add", lambda w: w.agenda.pk), FACILITATE, 405, 400
    ),
    "workshop-action-delete": Row(
        _w("workshop-action-delete", lambda w: w.workshop_action.pk), FACILITATE, 405, 302
    ),
    # Accounts (django-allauth): signing in, passwords, second factors, sessions.
    "account": Row(_fixed("account"), SIGNED_IN, 200, 200),
    "account_login": Row(_fixed("account_login"), ENTRANCE, 200, 200),
    "account_logout": Row(_fixed("account_logout"), LOGOUT, 200, 302),
    "account_signup": Row(_fixed("account_signup"), ENTRANCE, 200, 200),
    "account_inactive": Row(_fixed("account_inactive"), PUBLIC, 200, 405),
    "account_email": Row(_fixed("account_email"), PUBLIC, 302, 302),
    "account_email_verification_sent": Row(
        _fixed("account_email_verification_sent"), PUBLIC, 200, 405
    ),
    "account_confirm_email": Row(_fixed("account_confirm_email", "x"), PUBLIC, 200, 404),
    "account_confirm_login_code": Row(_fixed("account_confirm_login_code"), PUBLIC, 302, 302),
    "account_reset_password": Row(_fixed("account_reset_password"), PUBLIC, 200, 200),
    "account_reset_password_done": Row(_fixed("account_reset_password_done"), PUBLIC, 200, 405),
    "account_reset_password_from_key": Row(
        _fixed("account_reset_password_from_key", "x", "y"), PUBLIC, 200, 200
    ),
    "account_reset_password_from_key_done": Row(
        _fixed("account_reset_password_from_key_done"), PUBLIC, 200, 405
    ),
    "account_change_password": Row(_fixed("account_change_password"), SIGNED_IN, 200, 200),
    "account_set_password": Row(_fixed("account_set_password"), SIGNED_IN, 302, 302),
    "account_reauthenticate": Row(_fixed("account_reauthenticate"), SIGNED_IN, 200, 200),
    "account_request_reauthentication_code": Row(
        _fixed("account_request_reauthentication_code"), SIGNED_IN, 302, 302
    ),
    "account_confirm_reauthentication_code": Row(
        _fixed("account_confirm_reauthentication_code"), SIGNED_IN, 302, 302
    ),
    "mfa_index": Row(_fixed("mfa_index"), SIGNED_IN, 200, 405),
    "mfa_authenticate": Row(_fixed("mfa_authenticate"), PUBLIC, 302, 302),
    "mfa_reauthenticate": Row(_fixed("mfa_reauthenticate"), SIGNED_IN, 302, 302),
    # Setting up or changing a second factor asks for the password again first.
    "mfa_activate_totp": Row(_fixed("mfa_activate_totp"), SIGNED_IN, 302, 302),
    "mfa_deactivate_totp": Row(_fixed("mfa_deactivate_totp"), SIGNED_IN, 404, 404),
    "mfa_view_recovery_codes": Row(_fixed("mfa_view_recovery_codes"), SIGNED_IN, 404, 405),
    "mfa_download_recovery_codes": Row(_fixed("mfa_download_recovery_codes"), SIGNED_IN, 404, 404),
    "mfa_generate_recovery_codes": Row(_fixed("mfa_generate_recovery_codes"), SIGNED_IN, 302, 302),
    "mfa_list_webauthn": Row(_fixed("mfa_list_webauthn"), SIGNED_IN, 200, 405),
    "mfa_add_webauthn": Row(_fixed("mfa_add_webauthn"), SIGNED_IN, 302, 302),
    "mfa_edit_webauthn": Row(_fixed("mfa_edit_webauthn", 1), SIGNED_IN, 302, 302),
    "mfa_remove_webauthn": Row(_fixed("mfa_remove_webauthn", 1), SIGNED_IN, 302, 302),
    "mfa_reauthenticate_webauthn": Row(_fixed("mfa_reauthenticate_webauthn"), SIGNED_IN, 302, 302),
    "mfa_login_webauthn": Row(_fixed("mfa_login_webauthn"), PUBLIC, 302, 302),
    "usersessions_list": Row(_fixed("usersessions_list"), SIGNED_IN, 200, 302),
    "socialaccount_connections": Row(_fixed("socialaccount_connections"), SIGNED_IN, 200, 200),
    "socialaccount_signup": Row(_fixed("socialaccount_signup"), PUBLIC, 302, 302),
    "socialaccount_login_cancelled": Row(_fixed("socialaccount_login_cancelled"), PUBLIC, 200, 405),
    "socialaccount_login_error": Row(_fixed("socialaccount_login_error"), PUBLIC, 401, 405),
    # -- Two-factor rows --
    # Support staff's account pages, about the world's coordinator: find, see its second
    # factors, reset them, deactivate and reactivate.
    "support-accounts": Row(_fixed("support-accounts"), STAFF, 200, 200),
    "support-account": Row(
        lambda w: reverse("support-account", args=[w.coordinator.pk]), STAFF, 200, 200
    ),
    "support-account-mfa-reset": Row(
        lambda w: reverse("support-account-mfa-reset", args=[w.coordinator.pk]), STAFF, 200, 302
    ),
    "support-account-deactivate": Row(
        lambda w: reverse("support-account-deactivate", args=[w.coordinator.pk]), STAFF, 200, 302
    ),
    "support-account-reactivate": Row(
        lambda w: reverse("support-account-reactivate", args=[w.coordinator.pk]), STAFF, 405, 302
    ),
    # -- Two-factor rows (end) --
    # -- Single sign-on rows --
    # The world has no sign-in provider: allauth's addresses for one are a 404 for a
    # name no provider has, and support staff's pages for one are a 404 for an id none
    # has (tests/workshops/accounts/test_sso.py walks them with a real provider).
    "openid_connect_login": Row(_fixed("openid_connect_login", "council"), PUBLIC, 404, 404),
    "openid_connect_callback": Row(_fixed("openid_connect_callback", "council"), PUBLIC, 404, 404),
    "sso-sign-in": Row(_fixed("sso-sign-in"), PUBLIC, 200, 200),
    "sso-providers": Row(_fixed("sso-providers"), STAFF, 200, 200),
    "sso-provider-add": Row(_fixed("sso-provider-add"), STAFF, 200, 200),
    "sso-provider-edit": Row(_fixed("sso-provider-edit", 1), STAFF, 404, 404),
    "sso-provider-deactivate": Row(_fixed("sso-provider-deactivate", 1), STAFF, 404, 404),
    # -- Single sign-on rows (end) --
    # -- Session rows --
    "account-sign-ins": Row(_fixed("account-sign-ins"), SIGNED_IN, 200, 200),
    # -- Session rows (end) --
    # -- Member and support rows --
    "member-role": Row(_p("member-role", lambda w: w.membership.pk), MANAGE, 405, 302),
    # -- Member and support rows (end) --
}
