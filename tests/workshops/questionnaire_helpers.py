"""What the tests of the questionnaire's pages share: where a link's or a paper
return's pages are, and what a link's response holds."""

from __future__ import annotations

from django.urls import reverse

from workshops.models import Answer


def url(invitation, page="", *args):
    if not page:
        return reverse("questionnaire", args=[invitation.token])
    return reverse(f"questionnaire-{page}", args=[invitation.token, *args])


def answers_of(invitation) -> dict[tuple[str, str], str]:
    return {
        (a.item.key, a.basis): a.value
        for a in Answer.objects.filter(respondent__invitation=invitation).select_related("item")
    }


def paper_url(assessment, person, page="", *args):
    base = [assessment.partnership_id, assessment.pk, person.pk]
    return reverse(f"paper-{page}" if page else "paper", args=[*base, *args])
