from __future__ import annotations

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Size
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone

from questions.models import BankVersion
from workshops.forms.fields import CheckedModelMultipleChoiceField, RealDateField, gds_helper
from workshops.models import Assessment, Invitation, Person
from workshops.models.assessment import Scope


class AssessmentForm(forms.Form):
    title = forms.CharField(
        max_length=200, error_messages={"required": "Enter a title for the assessment"}
    )
    scope = forms.ChoiceField(
        label="Which questions",
        choices=Scope.CHOICES,
        widget=forms.RadioSelect,
        initial=Scope.FULL,
        error_messages={"required": "Choose which questions to ask"},
    )
    sections = forms.TypedMultipleChoiceField(
        label="Elements to ask about",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    basis = forms.ChoiceField(
        label="How partners rate the 'how well' questions",
        choices=Assessment.BasisChoice.choices,
        widget=forms.RadioSelect,
        initial=Assessment.BasisChoice.INTERNAL,
        error_messages={"required": "Choose the basis for ratings"},
    )
    opens_on = RealDateField(label="Opens on", help_text="For example, 27 3 2026")
    closes_on = RealDateField(label="Closes on", help_text="The last day answers are taken")
    anonymous = forms.BooleanField(
        required=False,
        label="Anonymous: coordinators see response counts by group, never who answered what",
    )
    network = forms.BooleanField(
        required=False,
        label="Ask how partner organisations work together (the network section)",
        help_text=Assessment._meta.get_field("network").help_text,
    )

    def __init__(self, *args, bank: BankVersion | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = (
            [(s.number, s.heading) for s in bank.sections.filter(local=False)] if bank else []
        )
        # Each date says which it is: the library's "Enter the day, month and year" for
        # both would be two links of one name in the error summary, to different fields.
        self.fields["opens_on"].error_messages |= {
            "required": "Enter the date the questionnaire opens",
            "incomplete": "The opening date must include a day, month and year",
        }
        self.fields["closes_on"].error_messages |= {
            "required": "Enter the closing date, the last day answers are taken",
            "incomplete": "The closing date must include a day, month and year",
        }
        self.helper = gds_helper(
            Field.text("title"),
            # The elements are asked for only under "Chosen elements only", revealed when
            # it is picked (GOV.UK Frontend's conditional reveal); without JavaScript
            # they are all shown.
            ConditionalRadios(
                "scope",
                *[
                    ConditionalQuestion(
                        label, Field.checkboxes("sections", legend_size=Size.SMALL, small=True)
                    )
                    if value == Scope.ELEMENTS
                    else label
                    for value, label in Scope.CHOICES
                ],
            ),
            Field.radios("basis", legend_size=Size.SMALL, small=True),
            Field("opens_on"),
            Field("closes_on"),
            Field.checkbox("anonymous", small=True),
            Field.checkbox("network", small=True),
            submit="Create assessment",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == Scope.ELEMENTS and not cleaned.get("sections"):
            self.add_error("sections", "Choose at least one element")
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", "The closing date must be on or after the opening date")
        return cleaned


class AssessmentInviteForm(forms.Form):
    """Choosing people of the partnership to invite to an assessment.

    Everyone is listed, those not yet invited first; each already invited says when,
    and what became of their email. Choosing someone again is allowed: it keeps their
    one invitation, and sends their email if it had to wait (services.assessment.invite).
    Nothing says whether anyone has answered, so an anonymous assessment's list shows
    no more than its page does.
    """

    people = CheckedModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label="Who to invite",
        error_messages={"required": "Choose at least one person to invite"},
    )

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = {i.person_id: i for i in assessment.invitations.all()}
        invited = Exists(assessment.invitations.filter(person=OuterRef("pk")))
        self.fields["people"].queryset = (
            assessment.partnership.people.select_related("organisation")
            .annotate(invited=invited)
            .order_by("invited", "name")
        )
        self.fields["people"].label_from_instance = self._label
        self.helper = gds_helper(
            Field.checkboxes("people", legend_size=Size.MEDIUM, small=True),
            submit="Send invitations",
        )

    def _label(self, person: Person) -> str:
        label = f"{person.name}, {person.get_role_display()}, {person.organisation.name}"
        invitation = self.invitations.get(person.pk)
        if invitation is None:
            if not person.email:
                label += " (no email address: pass the link on by hand)"
            return label
        email = _email(invitation, person)
        return f"{label} (already invited {_day(invitation.created_at)}: {email})"

    @property
    def invited_count(self) -> int:
        return len(self.invitations)


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y}"


def _email(invitation: Invitation, person: Person) -> str:
    if invitation.is_revoked:
        return "link withdrawn"
    if invitation.sent_at:
        return f"emailed {_day(invitation.sent_at)}"
    if not (invitation.sent_to or person.email):
        return "no email address"
    return "email waiting to be sent"
