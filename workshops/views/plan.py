"""The improvement plan: priorities, proposed and agreed actions, progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from workshops import audit
from workshops.access import POST_ONLY, READ_ONLY, Need, get_action, get_assessment, get_priority
from workshops.forms.plan import (
    ActionForm,
    DecideDraftsForm,
    DotsForm,
    PriorityForm,
    ProgressForm,
    WithdrawForm,
)
from workshops.forms.targets import TargetForm
from workshops.models import Action, PlanPdf
from workshops.reporting import plan_pdf_queue
from workshops.services import draft_actions, priorities
from workshops.services import plan as services
from workshops.views.common import integer, posted


@login_required
def plan(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    assessment, membership = get_assessment(request, partnership_id, assessment_id, Need.RESULTS)
    return _plan_page(request, assessment, membership)


def _plan_page(
    request,
    assessment,
    membership,
    *,
    dots_form=None,
    priority_form=None,
    target_form=None,
    status=200,
) -> HttpResponse:
    """The plan page; with a refused form (``dots_form``, ``priority_form`` or
    ``target_form``) shown again as it was sent, its errors summarised and marked on its
    fields."""
    improvement_plan = services.plan_for(assessment)
    actions = list(
        assessment.actions.select_related(
            "owner", "owner_person", "item__section"
        ).prefetch_related("sections")
    )
    draft_actions.number_same_titles(actions)
    today = timezone.localdate()
    proposed = [a for a in actions if a.status == Action.Status.PROPOSED]
    rejected = [a for a in actions if a.status == Action.Status.REJECTED]
    shown = list(improvement_plan.priorities.filter(dropped=False))
    context = {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "membership": membership,
        "plan": improvement_plan,
        "priorities": shown,
        "proposed": proposed,
        "drafts": draft_actions.grouped_drafts(proposed),
        "agreed": [a for a in actions if a.is_in_plan],
        "rejected": rejected,
        "withdrawn": [a for a in actions if a.status == Action.Status.WITHDRAWN],
        "overdue": {a.pk for a in actions if a.is_overdue(today)},
        "dots_form": dots_form or DotsForm(priorities=shown, most=priorities.MOST_DOTS),
        "priority_form": priority_form or PriorityForm(),
        "targets": list(improvement_plan.targets.select_related("section", "item")),
        "target_form": target_form or TargetForm(plan=improvement_plan),
    }
    return render(request, "workshops/plan/plan.html", context, status=status)


def _back(assessment, fragment: str = "") -> HttpResponse:
    """Back to the plan page, at the part the change was made in (``fragment``)."""
    url = reverse("plan", args=[assessment.partnership_id, assessment.pk])
    return redirect(f"{url}#{fragment}" if fragment else url)


def _count(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


@login_required
def plan_change(request: HttpRequest, partnership_id: int, assessment_id: int, change: str):
    """The plan-wide buttons: propose drafts, gather priorities, rank by votes, agree."""
    assessment, membership = get_assessment(
        request, partnership_id, assessment_id, Need.MANAGE, methods=POST_ONLY
    )
    improvement_plan = services.plan_for(assessment)
    try:
        if change == "propose":
            added = draft_actions.propose_drafts(assessment, request.user, by=request.user)
            messages.success(
                request,
                f"{_count(added, 'new draft action')} proposed from the results."
                if added
                else "No new draft actions: the results suggest nothing not proposed before.",
            )
        elif change == "gather":
            added = priorities.gather_priorities(improvement_plan, by=request.user)
            messages.success(
                request, f"{added} new candidate priorit{'y' if added == 1 else 'ies'}."
            )
        elif change == "rank":
            priorities.order_priorities_by_votes(improvement_plan, by=request.user)
            messages.success(request, "Priorities ranked by the board's dot vote.")
        elif change == "agree":
            shown = integer(request.POST, "version")
            if shown is None:
                raise services.PlanError(
                    "The page was out of date. Nothing was recorded: check the plan below "
                    "and record the agreement again."
                )
            improvement_plan = services.agree_plan(
                improvement_plan, request.user, shown, by=request.user
            )
            messages.success(request, f"Version {improvement_plan.version} of the plan agreed.")
        elif change == "priority":
            form = PriorityForm(request.POST)
            if not form.is_valid():
                return _plan_page(request, assessment, membership, priority_form=form, status=400)
            priority = priorities.add_priority(
                improvement_plan, form.cleaned_data["text"], by=request.user
            )
            messages.success(request, f"Priority “{priority.text}” added.")
    except services.PlanError as exc:
        messages.error(request, str(exc))
    return _back(assessment, {"propose": "drafts", "agree": ""}.get(change, "priorities"))


@login_required
def priority_change(request: HttpRequest, partnership_id, assessment_id, priority_id):
    priority, _ = get_priority(
        request, partnership_id, assessment_id, priority_id, methods=POST_ONLY
    )
    change = request.POST.get("change")
    try:
        if change in ("up", "down"):
            priorities.move_priority(priority, -1 if change == "up" else 1, by=request.user)
        elif change == "drop":
            priorities.drop_priority(priority, by=request.user)
        elif change == "votes":
            count = integer(request.POST, "votes")
            if count is None:
                count = -1  # refused by set_votes, with the message saying what it takes
            priorities.set_votes(priority, count, by=request.user)
        else:
            messages.error(request, "Choose to move the priority, drop it or save its dots.")
    except services.PlanError as exc:
        messages.error(request, str(exc))
    return _back(priority.plan.assessment, "priorities")


@login_required
def priority_votes(request: HttpRequest, partnership_id: int, assessment_id: int):
    """Every priority's dots, saved together by the one "Save dots" button."""
    assessment, membership = get_assessment(
        request, partnership_id, assessment_id, Need.MANAGE, methods=POST_ONLY
    )
    improvement_plan = services.plan_for(assessment)
    form = DotsForm(
        request.POST,
        priorities=list(improvement_plan.priorities.filter(dropped=False)),
        most=priorities.MOST_DOTS,
    )
    if not form.is_valid():
        return _plan_page(request, assessment, membership, dots_form=form, status=400)
    try:
        changed = priorities.set_all_votes(improvement_plan, form.votes, by=request.user)
        messages.success(
            request,
            f"Dots saved for {_count(changed, 'priority', 'priorities')}."
            if changed
            else "The dots are as they were: nothing to save.",
        )
    except services.PlanError as exc:
        messages.error(request, str(exc))
    return _back(assessment, "priorities")


def _action_page(
    request, action: Action | None, assessment, form, *, status=200, withdraw_form=None
):
    context = {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "action": action,
        "form": form,
        "progress_form": ProgressForm(),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "history": action.changes.select_related("user") if action else [],
        "notes": action.progress.select_related("user") if action else [],
    }
    return render(request, "workshops/plan/action.html", context, status=status)


@login_required
def action_new(request: HttpRequest, partnership_id: int, assessment_id: int):
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.MANAGE)
    form = ActionForm(
        posted(request),
        instance=Action(
            assessment=assessment,
            source=Action.Source.COORDINATOR,
            status=Action.Status.NOT_STARTED,
        ),
        assessment=assessment,
    )
    if request.method == "POST" and form.is_valid():
        action = form.save(commit=False)
        action.created_by = request.user
        action.save()
        form.save_m2m()
        # Logged here: a model form saves the action, with no service of its own.
        audit.record(
            "action.added",
            by=request.user,
            partnership=assessment.partnership,
            target=f"Action “{action}”",
            data={"action": str(action), "id": action.pk, "fields": form.changed_data},
        )
        messages.success(request, f"“{action}” added to the plan.")
        return _back(assessment)
    return _action_page(request, None, assessment, form)


@login_required
def action_edit(request: HttpRequest, partnership_id, assessment_id, action_id):
    action, _ = get_action(request, partnership_id, assessment_id, action_id)
    assessment = action.assessment
    if request.method != "POST":
        return _action_page(
            request, action, assessment, ActionForm(instance=action, assessment=assessment)
        )
    # The form works on a copy, so a refused save leaves the stored action untouched.
    form = ActionForm(
        request.POST, instance=assessment.actions.get(pk=action.pk), assessment=assessment
    )
    if action.status == Action.Status.WITHDRAWN:
        form.add_error(None, "This action was withdrawn from the plan, so it cannot be changed.")
    if not form.is_valid():
        return _action_page(request, action, assessment, form, status=400)
    values = {name: form.cleaned_data[name] for name in services.TRACKED}
    values["sections"] = form.cleaned_data["sections"]
    try:
        services.update_action(
            action.pk, values, form.cleaned_data["revision"] or 0, request.user, by=request.user
        )
    except services.ConflictError as exc:
        form.add_error(None, str(exc))
        action.refresh_from_db()
        return _action_page(request, action, assessment, form, status=409)
    messages.success(request, f"“{form.cleaned_data['title']}” saved.")
    return redirect("plan-action", partnership_id, assessment_id, action_id)


@login_required
def action_decide(request: HttpRequest, partnership_id, assessment_id, action_id):
    action, _ = get_action(request, partnership_id, assessment_id, action_id, methods=POST_ONLY)
    decision = request.POST.get("decision")
    if decision not in ("accept", "reject"):
        # Anything else is not a rejection: a draft is only rejected on purpose.
        messages.error(request, "Choose to accept or reject the draft action.")
        return _back(action.assessment)
    accept = decision == "accept"
    try:
        services.decide(action, accept, request.user, by=request.user)
        messages.success(request, f"{'Accepted' if accept else 'Rejected'}: “{action}”.")
    except services.PlanError as exc:
        messages.error(request, str(exc))
    anchor = draft_actions.anchor_of(draft_actions.element_of(action))
    return _back(action.assessment, draft_actions.still_waiting(action.assessment, anchor))


@login_required
def actions_decide(request: HttpRequest, partnership_id: int, assessment_id: int):
    """Drafts accepted or rejected together: the ticked ones, or all of an element's."""
    assessment, _ = get_assessment(
        request, partnership_id, assessment_id, Need.MANAGE, methods=POST_ONLY
    )
    form = DecideDraftsForm(request.POST, assessment=assessment)
    if not form.is_valid():
        messages.error(request, form.problem)
        return _back(assessment, form.fragment)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        decided = services.decide_many(
            list(form.cleaned_data["action"]), accept, request.user, by=request.user
        )
        # A long list would bury the message: the first few, then how many more.
        named = "; ".join(f"“{action}”" for action in decided[:3])
        if len(decided) > 3:
            named += f" and {len(decided) - 3} more"
        messages.success(
            request,
            f"{'Accepted' if accept else 'Rejected'} "
            f"{_count(len(decided), 'draft action')}: {named}.",
        )
    except services.PlanError as exc:
        messages.error(request, str(exc))
    return _back(assessment, draft_actions.still_waiting(assessment, form.fragment))


@login_required
def action_withdraw(request: HttpRequest, partnership_id, assessment_id, action_id):
    action, _ = get_action(request, partnership_id, assessment_id, action_id, methods=POST_ONLY)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        edit = ActionForm(instance=action, assessment=action.assessment)
        return _action_page(
            request, action, action.assessment, edit, status=400, withdraw_form=form
        )
    try:
        services.withdraw_action(action, form.cleaned_data["reason"], request.user, by=request.user)
    except services.PlanError as exc:
        messages.error(request, str(exc))
        return redirect("plan-action", partnership_id, assessment_id, action_id)
    messages.success(request, f"“{action}” withdrawn from the plan.")
    return _back(action.assessment)


@login_required
def action_progress(request: HttpRequest, partnership_id, assessment_id, action_id):
    action, _ = get_action(request, partnership_id, assessment_id, action_id, methods=POST_ONLY)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            services.add_progress(action, form.cleaned_data["text"], request.user, by=request.user)
            messages.success(request, "Progress update added.")
        except services.PlanError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, " ".join(form.errors["text"]))
    return redirect("plan-action", partnership_id, assessment_id, action_id)


def _pdf_urls(assessment, job: PlanPdf) -> tuple[str, str]:
    """The download, and the waiting page for this very PDF, in the same print size."""
    args = [assessment.partnership_id, assessment.pk]
    download = reverse("plan-pdf", args=args) + ("?print=large" if job.large else "")
    status = reverse("plan-pdf-status", args=args) + ("?print=large&" if job.large else "?")
    return download, f"{status}job={job.pk}"


@login_required
def plan_pdf(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    """The PDF if it is ready; otherwise it is asked for and the waiting page shown."""
    assessment, _ = get_assessment(request, partnership_id, assessment_id, Need.RESULTS)
    large = request.GET.get("print") == "large"
    job = plan_pdf_queue.request(assessment, large=large)
    if job.state != PlanPdf.State.DONE:
        return redirect(_pdf_urls(assessment, job)[1])
    version = services.plan_for(assessment).version
    name = "-".join(
        [
            slugify(assessment.partnership.name),
            slugify(assessment.title),
            "improvement-plan",
            f"v{version}" if version else "draft",
        ]
        + (["large-print"] if large else [])
    )
    response = HttpResponse(job.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@login_required
def plan_pdf_status(request: HttpRequest, partnership_id: int, assessment_id: int) -> HttpResponse:
    """The waiting page ("Your PDF is being prepared"), and the JSON its script polls."""
    assessment, _ = get_assessment(
        request, partnership_id, assessment_id, Need.RESULTS, methods=READ_ONLY
    )
    large = request.GET.get("print") == "large"
    job = plan_pdf_queue.check(assessment, large=large, job_id=request.GET.get("job", ""))
    download, status = _pdf_urls(assessment, job)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"state": job.state, "download": download, "slow": job.is_slow})
    context = {
        "assessment": assessment,
        "partnership": assessment.partnership,
        "job": job,
        "large": large,
        "download": download,
        "status": status,
    }
    failed = job.state == PlanPdf.State.FAILED
    return render(request, "workshops/plan/pdf_status.html", context, status=500 if failed else 200)
