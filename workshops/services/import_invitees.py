"""Importing the people to invite to an assessment from a CSV file (the reading is in
services.csv_rows).

The invitation emails go after the people are committed (services.mail): a
mail server that refuses leaves the import stored and the emails to be tried
again. Files of more than IMPORT_INLINE_ROWS rows are imported by the worker
(services.import_jobs).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from workshops.models import Assessment, Person
from workshops.services import mail
from workshops.services.assessment import AssessmentError, queue_invitations
from workshops.services.csv_rows import (
    ImportProblems,
    Progress,
    check_choices,
    check_text,
    in_file_order,
    no_progress,
    number_of,
    read_rows,
)

INVITEE_COLUMNS = ("name", "email", "organisation", "role", "layer")


@dataclass(frozen=True)
class InviteeResult:
    created: int
    updated: int
    invited: int
    delivery: mail.Delivery

    @property
    def emailed(self) -> int:
        return self.delivery.sent

    @property
    def summary(self) -> str:
        return (
            f"{number_of(self.created, 'person', 'people')} added and "
            f"{number_of(self.updated, 'person', 'people')} updated; "
            f"{self.invited:,} newly invited and {number_of(self.emailed, 'email')} sent."
        )

    @property
    def warning(self) -> str | None:
        return self.delivery.failure_note("invitation")


def import_invitees(
    assessment: Assessment, data: bytes, *, progress: Progress = no_progress
) -> InviteeResult:
    """Add or update the people in the file, then invite them all to the assessment.

    A row whose email belongs to someone already in the partnership updates
    that person; anyone else is added. Raises ImportProblems, storing nothing,
    when any row is wrong. The emails go once the people are committed; one the
    mail server refuses is in the result, not an exception.
    """
    # Checked before the rows, so nobody fixes a whole file for an assessment
    # that could not take it; invite() enforces the same rule.
    if assessment.status() == "closed":
        raise ImportProblems(["This assessment has closed; nobody more can be invited."])
    partnership = assessment.partnership
    rows, problems = read_rows(data, INVITEE_COLUMNS)
    progress(step="checking", rows=len(rows))

    organisations = {}
    for organisation in partnership.organisations.all():
        organisations.setdefault(organisation.name.casefold(), organisation)
    email_lines: dict[str, int] = {}
    wanted: dict[str, dict] = {}  # by email
    for row in rows:
        name = check_text(row, "name", Person._meta.get_field("name").max_length, problems)
        email = row["email"].lower()
        if not email:
            problems.append(f"Line {row.line}: email is blank.")
            email = None
        else:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"Line {row.line}: email '{row['email']}' is not valid.")
                email = None
        if email and email in email_lines:
            problems.append(
                f"Line {row.line}: email {email} is already on line {email_lines[email]}."
            )
            email = None
        elif email:
            email_lines[email] = row.line
        organisation = organisations.get(row["organisation"].casefold())
        if not row["organisation"]:
            problems.append(f"Line {row.line}: organisation is blank.")
        elif organisation is None:
            problems.append(
                f"Line {row.line}: organisation '{row['organisation']}' is not in {partnership}; "
                "add the organisation first, then upload the file again."
            )
        choices = check_choices(row, {"role": Person.Role, "layer": Person.Layer}, problems)
        if name and email and organisation and choices:
            wanted[email] = {"name": name, "organisation": organisation, **choices}
    if problems:
        raise ImportProblems(in_file_order(problems))

    progress(step="storing")
    try:
        with transaction.atomic():
            people, created, updated = _store_people(assessment, wanted)
            invited, sends = queue_invitations(assessment, people)
    except AssessmentError as exc:
        raise ImportProblems([str(exc)]) from None
    except IntegrityError:
        # Someone added one of these people while the file was being imported.
        raise ImportProblems(
            ["The people of this partnership changed during the import. Upload the file again."]
        ) from None
    progress(step="emailing", emails_to_send=len(sends))
    delivery = mail.deliver(
        sends, lambda done: progress(emails_sent=done.sent, emails_failed=done.failed)
    )
    return InviteeResult(created, updated, invited, delivery)


def _store_people(assessment: Assessment, wanted: dict[str, dict]) -> tuple[list[Person], int, int]:
    """The people of these emails, added or brought up to date; and how many of each."""
    partnership = assessment.partnership
    known = partnership.people.select_related("organisation").exclude(email="")
    existing = {p.email.lower(): p for p in known}
    people, new, changed = [], [], []
    for email, fields in wanted.items():
        person = existing.get(email)
        if person is None:
            new.append(Person(partnership=partnership, email=email, **fields))
            continue
        if any(getattr(person, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(person, name, value)
            changed.append(person)
        people.append(person)
    Person.objects.bulk_create(new)
    Person.objects.bulk_update(changed, ["name", "organisation", "role", "layer"])
    # Read back rather than trust bulk_create to have set primary keys, which
    # depends on the database (and without email__in, which could pass more
    # parameters than it allows).
    added = {p.email for p in new}
    people += [p for p in partnership.people.exclude(email="") if p.email in added]
    return people, len(new), len(changed)
