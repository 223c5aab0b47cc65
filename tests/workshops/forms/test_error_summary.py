"""The GOV.UK error summary: crispy-forms-gds's {% error_summary %} tag drawing the site's
markup (templates/_error_summary.html), and the include for what the tag cannot say."""

from __future__ import annotations

import re

from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client

from tests.workshops.test_members import NEW_ACCOUNT, invite, link_in
from workshops.forms.members import InviteForm


class SignIn(forms.Form):
    """A form without a FormHelper, like django-allauth's."""

    email = forms.EmailField(error_messages={"required": "Enter your email address"})
    token = forms.CharField(widget=forms.HiddenInput, error_messages={"required": "Try again"})

    def clean(self):
        raise forms.ValidationError("The email address or the password is not right.")


def summary_of(form) -> str:
    html = Template("{% load crispy_forms_gds %}{% error_summary form %}").render(
        Context({"form": form})
    )
    return " ".join(html.split())


def test_the_tag_links_each_error_to_its_field_in_the_site_markup():
    html = summary_of(InviteForm({"email": "not an address"}))
    # GOV.UK Frontend 5's markup: the alert inside, so screen readers read the list.
    assert html.startswith(
        '<div class="govuk-error-summary" data-module="govuk-error-summary"> <div role="alert">'
    )
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert '<a href="#id_email">Enter an email address like name@example.org</a>' in html
    assert '<a href="#id_role">Choose their permission role</a>' in html


def test_the_tag_serves_forms_without_a_helper_and_lists_hidden_fields_errors():
    html = summary_of(SignIn({}))
    assert "There is a problem" in html
    # The form's own error leads to its first field; a hidden field's cannot be reached.
    assert '<a href="#id_email">The email address or the password is not right.</a>' in html
    assert '<a href="#id_email">Enter your email address</a>' in html
    assert "<li>Try again</li>" in html


def test_no_summary_without_errors():
    assert summary_of(InviteForm()) == ""
    assert summary_of(InviteForm({"email": "a@example.org", "role": "executive"})) == ""
    assert summary_of(None) == ""


def test_the_include_adds_problems_a_count_a_note_or_a_message():
    form = InviteForm({"email": "a@example.org", "role": "executive"})
    form.is_valid()
    form.add_error("email", "Already a member")
    html = " ".join(
        render_to_string(
            "_error_summary.html",
            {
                "form": form,
                "problems": ["Line 3: no name"],
                "problems_link": "id_email",
                "not_shown": 2,
                "note": "Nothing was saved.",
            },
        ).split()
    )
    items = re.findall(r"<li>(.*?)</li>", html)
    assert items == [
        '<a href="#id_email">Already a member</a>',
        '<a href="#id_email">Line 3: no name</a>',
        "and 2 more problems not listed here",
    ]
    assert '<p class="govuk-body">Nothing was saved.</p>' in html

    message = render_to_string("_error_summary.html", {"message": "This invitation has expired"})
    assert '<p class="govuk-body">This invitation has expired</p>' in message
    assert "<ul" not in message


def test_the_passkey_summary_waits_hidden_for_its_script():
    html = render_to_string("mfa/webauthn/snippets/error.html", {})
    assert '<div class="govuk-error-summary" data-passkey-error hidden tabindex="-1">' in html
    assert "data-module" not in html  # nothing to focus when the page loads
    assert "Your passkey or security key was not used." in html


def test_a_summary_for_something_else_leaves_the_pages_form_to_its_own(client, cast, mailoutbox):
    # The invitation page has a summary of its form's errors and one for a refusal.
    client.force_login(cast.coordinator)
    invite(client, cast, "ann@example.org")
    response = Client().post(link_in(mailoutbox[0]), {**NEW_ACCOUNT, "password2": "other"})
    page = response.content.decode()
    assert "The two passwords do not match" in page
    assert page.count('class="govuk-error-summary"') == 1
