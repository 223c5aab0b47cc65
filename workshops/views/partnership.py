from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from workshops import audit, services
from workshops.access import (
    POST_ONLY,
    Need,
    check_method,
    get_organisation,
    get_partnership,
    get_person,
)
from workshops.forms import OrganisationForm, PartnershipForm, PersonForm
from workshops.forms.partnership import CoordinatorInviteForm, NewPartnershipForm
from workshops.models import AuditEvent, MemberInvitation, Membership, Partnership
from workshops.services import member_invitations, privacy
from workshops.views.common import posted

AUDIT_PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    memberships = []
    if request.user.is_authenticated:
        memberships = request.user.memberships.select_related(
            "partnership", "partnership__county_partnership"
        ).order_by("partnership__name")
    return render(request, "workshops/home.html", {"memberships": memberships})


def _county_choices(request: HttpRequest):
    counties = Partnership.objects.filter(authority_type=Partnership.AuthorityType.COUNTY)
    if request.user.is_staff:
        return counties  # support staff set partnerships up for anyone
    # Otherwise only counties the user belongs to: the list never reveals others.
    return counties.filter(memberships__user=request.user)


def _support_staff_only(request: HttpRequest) -> None:
    # Partnerships are set up and verified by support staff, never by anyone who
    # signs in: five made-up partnerships would let their maker work out another's
    # figures from the comparisons, or send email from our address.
    if not request.user.is_staff:
        raise PermissionDenied("Only support staff set up and verify partnerships.")


@login_required
def partnership_create(request: HttpRequest) -> HttpResponse:
    _support_staff_only(request)
    form = NewPartnershipForm(posted(request), county_choices=_county_choices(request))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        email = fields.pop("coordinator")
        try:
            partnership, invitation, delivery = services.create_partnership(
                email, request.user, request, **fields
            )
        except services.MembershipError as exc:
            form.add_error("coordinator", str(exc))
        else:
            # The same words whether or not the address has an account.
            messages.success(
                request,
                f"{partnership} is set up and verified. {invitation.email} is invited to be "
                "its coordinator; it has none until they accept.",
            )
            if delivery is None:
                messages.warning(request, member_invitations.held_back(partnership) or "")
            elif failed := delivery.failure_note("invitation email"):
                messages.warning(request, failed)
            return redirect("support-partnerships")
    return render(request, "workshops/form.html", {"form": form, "title": "Set up a partnership"})


@login_required
def support_partnerships(request: HttpRequest) -> HttpResponse:
    _support_staff_only(request)
    coordinators = Membership.objects.filter(
        partnership=OuterRef("pk"), role=Membership.Role.COORDINATOR
    )
    invited = MemberInvitation.objects.filter(
        partnership=OuterRef("pk"),
        role=Membership.Role.COORDINATOR,
        accepted_at=None,
        withdrawn_at=None,
    )
    partnerships = (
        Partnership.objects.select_related("verified_by")
        .annotate(has_coordinator=Exists(coordinators), coordinator_invited=Exists(invited))
        .order_by(F("verified_at").asc(nulls_first=True), "name")
    )
    return render(request, "workshops/support.html", {"partnerships": partnerships})


@login_required
def partnership_verify(request: HttpRequest, pk: int) -> HttpResponse:
    _support_staff_only(request)
    partnership = get_object_or_404(Partnership, pk=pk)
    check_method(request, POST_ONLY)
    delivery = services.verify_partnership(partnership, request.user, request.path)
    if delivery is None:
        messages.info(request, f"{partnership} was verified before.")
    else:
        messages.info(
            request, f"{partnership} is verified. {delivery.sent} waiting invitation emails sent."
        )
        if failed := delivery.failure_note():
            messages.warning(request, failed)
    return redirect("support-partnerships")


@login_required
def partnership_invite_coordinator(request: HttpRequest, pk: int) -> HttpResponse:
    """For a partnership whose first coordinator never accepted (or left): invite one."""
    _support_staff_only(request)
    partnership = get_object_or_404(Partnership, pk=pk)
    form = CoordinatorInviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation, delivery = member_invitations.invite_member(
                partnership,
                request.user,
                form.cleaned_data["email"],
                Membership.Role.COORDINATOR,
                by=request.user,
            )
        except services.MembershipError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request, f"{invitation.email} is invited to be the coordinator of {partnership}."
            )
            if delivery is None:
                messages.warning(request, member_invitations.held_back(partnership) or "")
            elif failed := delivery.failure_note("invitation email"):
                messages.warning(request, failed)
            return redirect("support-partnerships")
    context = {"form": form, "title": f"Invite a coordinator for {partnership}"}
    return render(request, "workshops/form.html", context)


@login_required
def partnership_detail(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, membership = get_partnership(request, partnership_id)
    context = {
        "partnership": partnership,
        "membership": membership,
        "assessments": partnership.assessments.prefetch_related("workshops"),
        "organisations": partnership.organisations.all(),
        "people": partnership.people.select_related("organisation"),
    }
    return render(request, "workshops/partnership.html", context)


@login_required
def partnership_edit(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _ = get_partnership(request, partnership_id, Need.MANAGE)
    form = PartnershipForm(
        posted(request), instance=partnership, county_choices=_county_choices(request)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.has_changed():
            _record_saved(request, form, "partnership.changed", partnership)
        messages.success(request, f"Partnership details of {partnership} saved.")
        return redirect(partnership)
    context = {"form": form, "title": f"Edit {partnership}", "partnership": partnership}
    return render(request, "workshops/form.html", context)


def _record_saved(request, form, action: str, saved) -> None:
    """Log a model form's save. Callers leave out an edit sent unchanged: it changed nothing.

    Here rather than in a service: these pages save a model form, with no workflow
    of their own. Only the names of the fields that changed are kept, not their
    values: a person's old address in the log would be personal data that erasing
    them would have to find.
    """
    kind = saved._meta.verbose_name.capitalize()
    audit.record(
        action,
        by=request.user,
        partnership=saved if isinstance(saved, Partnership) else saved.partnership,
        target=f"{kind} “{saved}”",
        data={"id": saved.pk, "name": str(saved), "fields": form.changed_data},
    )


def _save_form(request, form, partnership, title: str, done: str, action: str) -> HttpResponse:
    """``done`` names what was saved with ``{}``, for the message; ``action`` is the
    audit log's code for it."""
    if request.method == "POST" and form.is_valid():
        adding = form.instance._state.adding
        saved = form.save()
        if adding or form.has_changed():
            _record_saved(request, form, action, saved)
        messages.success(request, done.format(saved))
        return redirect(partnership)
    return render(
        request, "workshops/form.html", {"form": form, "title": title, "partnership": partnership}
    )


@login_required
def organisation_create(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _ = get_partnership(request, partnership_id, Need.MANAGE)
    form = OrganisationForm(posted(request), partnership=partnership)
    return _save_form(
        request,
        form,
        partnership,
        "Add an organisation",
        "Organisation {} added.",
        "organisation.added",
    )


@login_required
def organisation_edit(request: HttpRequest, partnership_id: int, organisation_id: int):
    organisation, _ = get_organisation(request, partnership_id, organisation_id, Need.MANAGE)
    partnership = organisation.partnership
    form = OrganisationForm(posted(request), instance=organisation, partnership=partnership)
    return _save_form(
        request,
        form,
        partnership,
        f"Edit {organisation}",
        "Organisation {} saved.",
        "organisation.changed",
    )


@login_required
def person_create(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _ = get_partnership(request, partnership_id, Need.MANAGE)
    form = PersonForm(posted(request), partnership=partnership)
    return _save_form(request, form, partnership, "Add a person", "{} added.", "person.added")


@login_required
def person_edit(request: HttpRequest, partnership_id: int, person_id: int) -> HttpResponse:
    person, _ = get_person(request, partnership_id, person_id, Need.MANAGE)
    partnership = person.partnership
    if person.erased_at:
        # Editing would put a name back on answers that were anonymised on request.
        messages.error(request, ERASED_FOR_GOOD.format(person.pk))
        return redirect(partnership)
    form = PersonForm(posted(request), instance=person, partnership=partnership)
    return _save_form(request, form, partnership, f"Edit {person}", "{} saved.", "person.changed")


@login_required
def audit_log(request: HttpRequest, partnership_id: int) -> HttpResponse:
    partnership, _ = get_partnership(request, partnership_id, Need.MANAGE)
    # The partnership's own entries, and what happened to its members' accounts
    # (signing in, passwords, second factors): a coordinator sees who got in, and
    # how. Only of members now, so someone who left takes their account's story.
    events = (
        AuditEvent.objects.filter(
            Q(partnership=partnership)
            | Q(
                action__startswith="account.",
                account__in=partnership.memberships.values("user"),
            )
        )
        .select_related("account")
        .order_by("-at", "-pk")
    )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "partnership": partnership,
        "page": page,
        "entries": [(event, audit.words(event)) for event in page],
    }
    return render(request, "workshops/audit.html", context)


ERASED_FOR_GOOD = (
    "The personal details of person #{} were erased and cannot be filled in again. "
    "If they rejoin the partnership, add them as a new person."
)


@login_required
def person_erase(request: HttpRequest, partnership_id: int, person_id: int) -> HttpResponse:
    person, _ = get_person(request, partnership_id, person_id, Need.MANAGE)
    partnership = person.partnership
    if request.method == "POST":
        if privacy.erase_person(person, request.user, by=request.user):
            messages.success(request, f"Personal details of person #{person.pk} erased.")
        else:
            messages.info(
                request, f"The personal details of person #{person.pk} were erased before."
            )
        return redirect(partnership)
    context = {
        "partnership": partnership,
        "person": person,
        "links": person.invitations.filter(revoked_at=None).count(),
        "title": f"Erase the personal details of {person}",
    }
    return render(request, "workshops/person_erase.html", context)
