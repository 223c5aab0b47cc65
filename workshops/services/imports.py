"""CSV imports: the people to invite to an assessment, and answers collected elsewhere.

Both read and check the whole file before storing anything, then store it in
one transaction: a coordinator fixes the file and uploads it again, rather
than untangling half an import. Every problem is reported with its line, the
header being line 1, so one upload shows everything there is to fix.

The invitation emails go after that transaction has committed (services.mail):
a mail server that refuses leaves the import stored and the emails to be tried
again. Files of more than IMPORT_INLINE_ROWS rows are imported by the worker
(services.import_jobs).

The file formats are described for coordinators in docs/csv-formats.md.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from questions.models import Item
from workshops.models import Answer, Assessment, Person, Respondent, Sector, User
from workshops.models.slots import MAX_TEXT
from workshops.services import mail
from workshops.services.assessment import AssessmentError, queue_invitations

MAX_ROWS = 50_000

INVITEE_COLUMNS = ("name", "email", "organisation", "role", "layer")
RESPONSE_COLUMNS = (
    "respondent",
    "role",
    "sector",
    "layer",
    "organisation",
    "item",
    "basis",
    "answer",
)


class ImportProblems(Exception):
    """The file cannot be imported; ``problems`` says why, one line each, for the coordinator."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells[column]


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def read_rows(data: bytes, columns: tuple[str, ...]) -> tuple[list[Row], list[str]]:
    """The rows of a CSV file with the given columns (in any order), and problems of shape.

    Raises ImportProblems when the file as a whole cannot be read: not UTF-8,
    empty, a wrong header, too many rows, or broken CSV quoting.
    """
    try:
        # utf-8-sig drops the byte order mark Excel writes at the start of "CSV UTF-8".
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportProblems(
            [
                f"The file is not saved as UTF-8 text (see line {line}). "
                "Save it as “CSV UTF-8” and upload it again."
            ]
        ) from None
    if not text.strip():
        raise ImportProblems(["The file is empty."])
    if "\x00" in text:
        # No stored text may hold one (PostgreSQL refuses it); a spreadsheet saved
        # in another encoding is the usual cause.
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportProblems(
            [
                f"The file holds a null character (see line {line}), which is not text. "
                "Save it as “CSV UTF-8” and upload it again."
            ]
        )

    # Lines are counted as records, the way a spreadsheet numbers its rows, so
    # an open answer running over several lines inside quotes is still one line.
    reader = csv.reader(io.StringIO(text, newline=""))
    read = 0  # records read so far: a record that cannot be parsed is line read + 1
    rows: list[Row] = []
    problems: list[str] = []
    try:
        header = next(reader)
        read = 1
        # Refused before anything else looks at it: a header of thousands of
        # columns is no spreadsheet's, and every check below is linear in it.
        if len(header) > len(columns):
            raise ImportProblems(
                [
                    f"Line 1: the file has {len(header):,} columns, but the format has "
                    f"{len(columns)}: {','.join(columns)}."
                ]
            )
        header = [name.strip().lower() for name in header]
        _check_header(header, columns)
        given = 0
        for cells in reader:
            read += 1
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheets often save trailing empty rows
            given += 1
            if given > MAX_ROWS:
                raise ImportProblems(
                    [f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files."]
                )
            if len(cells) != len(header):
                problems.append(
                    f"Line {read}: has {_plural(len(cells), 'value')}, "
                    f"but the header has {_plural(len(header), 'column')}."
                )
                continue
            cells = [cell.strip() for cell in cells]
            rows.append(Row(read, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        problem = f"Line {read + 1}: the file cannot be read as CSV ({exc})."
        raise ImportProblems([problem]) from None
    if not rows and not problems:
        raise ImportProblems(["The file has a header but no rows below it."])
    return rows, problems


def _check_header(header: list[str], columns: tuple[str, ...]) -> None:
    given, known = Counter(header), set(columns)
    missing = [c for c in columns if c not in given]
    unknown = [h or "(blank)" for h in header if h not in known]
    repeated = sorted(h for h, count in given.items() if h and count > 1)
    if not (missing or unknown or repeated):
        return
    details = []
    if missing:
        details.append(f"missing: {', '.join(missing)}")
    if unknown:
        details.append(f"not recognised: {', '.join(unknown)}")
    if repeated:
        details.append(f"given twice: {', '.join(repeated)}")
    raise ImportProblems(
        [f"Line 1: the header must be {','.join(columns)} ({'; '.join(details)})."]
    )


def _choice(value: str, choices: type[models.TextChoices]) -> str | None:
    """The value of a choice given by its value or its label, ignoring case."""
    wanted = value.casefold()
    for choice_value, label in choices.choices:
        if wanted in (choice_value.casefold(), str(label).casefold()):
            return choice_value
    return None


def _check_choices(
    row: Row, specs: dict[str, type[models.TextChoices]], problems: list[str]
) -> dict[str, str] | None:
    """Row values of choice columns, or None (with a problem added) when any is bad."""
    values = {}
    for column, choices in specs.items():
        raw = row[column]
        value = _choice(raw, choices) if raw else None
        if value is None:
            given = f"{column} '{raw}' is not" if raw else f"{column} is blank, but must be"
            problems.append(f"Line {row.line}: {given} one of: {', '.join(choices.values)}.")
        values[column] = value
    return None if None in values.values() else values


def _check_text(row: Row, column: str, max_length: int, problems: list[str]) -> str | None:
    value = row[column]
    if not value:
        problems.append(f"Line {row.line}: {column} is blank.")
        return None
    if len(value) > max_length:
        problems.append(
            f"Line {row.line}: {column} is {len(value):,} characters long; "
            f"the most is {max_length:,}."
        )
        return None
    return value


# Invitees --------------------------------------------------------------------


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
            f"{_plural(self.created, 'person', 'people')} added and "
            f"{_plural(self.updated, 'person', 'people')} updated; "
            f"{self.invited:,} newly invited and {_plural(self.emailed, 'email')} sent."
        )

    @property
    def warning(self) -> str | None:
        return self.delivery.failure_note("invitation")


# Told where an import is: step=, and counts (rows=, emails_to_send=, emails_sent=, ...).
Progress = Callable[..., None]


def _no_progress(**counts: object) -> None:
    pass


def import_invitees(
    assessment: Assessment, data: bytes, *, progress: Progress = _no_progress
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
        name = _check_text(row, "name", Person._meta.get_field("name").max_length, problems)
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
        choices = _check_choices(row, {"role": Person.Role, "layer": Person.Layer}, problems)
        if name and email and organisation and choices:
            wanted[email] = {"name": name, "organisation": organisation, **choices}
    if problems:
        raise ImportProblems(_in_file_order(problems))

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


def _in_file_order(problems: list[str]) -> list[str]:
    # Rows of the wrong shape are reported while the file is read and the rest
    # afterwards; a stable sort by line puts them back in file order.
    def line(problem: str) -> int:
        head = problem.split(":", 1)[0]
        return int(head.removeprefix("Line ")) if head.startswith("Line ") else 0

    return sorted(problems, key=line)


# Responses -------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseResult:
    respondents_created: int
    respondents_existing: int
    answers: int
    warning = None  # answers send no emails

    @property
    def summary(self) -> str:
        respondents = self.respondents_created + self.respondents_existing
        return (
            f"{_plural(self.answers, 'answer')} from {_plural(respondents, 'respondent')} "
            f"imported ({self.respondents_created:,} new, "
            f"{self.respondents_existing:,} already imported before)."
        )


ATTRIBUTE_CHOICES = {"role": Person.Role, "sector": Sector, "layer": Person.Layer}
KIND_NAMES = {Item.Kind.YES_NO: "a yes/no question", Item.Kind.OPEN: "an open question"}


def import_responses(
    assessment: Assessment,
    data: bytes,
    *,
    entered_by: User | None = None,
    progress: Progress = _no_progress,
) -> ResponseResult:
    """Store the answers in the file, one row per answer; raises ImportProblems when any is wrong.

    Respondents are found again by their reference, so importing the same file
    twice stores each answer once, and a corrected file replaces the answers
    it gives. Answers stored before and left out of the file are kept.

    The assessment's dates are not checked: paper returns are often keyed in
    after the closing date, and refusing them then would lose them.
    """
    rows, problems = read_rows(data, RESPONSE_COLUMNS)
    progress(step="checking", rows=len(rows))
    items = {item.key: item for item in assessment.items.all()}
    scale = [str(value) for value, _ in assessment.bank.scale_choices()]

    attributes: dict[str, tuple[int, dict]] = {}  # reference -> (first line, attributes)
    answer_lines: dict[tuple[str, str, str], int] = {}
    answers: dict[str, list[Answer]] = {}  # by reference
    for row in rows:
        reference = _check_text(row, "respondent", 100, problems)
        choices = _check_choices(row, ATTRIBUTE_CHOICES, problems)
        organisation = _check_text(row, "organisation", 200, problems)
        if reference and choices and organisation:
            mine = {**choices, "organisation": organisation}
            first_line, theirs = attributes.setdefault(reference, (row.line, mine))
            differ = [n for n in mine if mine[n] != theirs[n]]
            if differ:
                changes = "; ".join(
                    f"{n} '{mine[n]}' here but '{theirs[n]}' on line {first_line}" for n in differ
                )
                problems.append(
                    f"Line {row.line}: {reference} has {changes}. A respondent's role, sector, "
                    "layer and organisation must be the same on all their rows."
                )

        item = items.get(row["item"])
        if item is None:
            given = f"item '{row['item']}' is not" if row["item"] else "item is blank, but must be"
            problems.append(f"Line {row.line}: {given} a question of this assessment.")
            continue
        basis = _check_basis(row, item, assessment.bases, problems)
        answer = _check_answer(row, item, scale, problems)
        if basis is None or answer is None or not reference:
            continue
        key = (reference, item.key, basis)
        if key in answer_lines:
            where = f" ({basis})" if basis else ""
            problems.append(
                f"Line {row.line}: {reference}'s answer to {item.key}{where} "
                f"is already on line {answer_lines[key]}."
            )
            continue
        answer_lines[key] = row.line
        answer.item, answer.basis = item, basis
        answers.setdefault(reference, []).append(answer)
    if problems:
        raise ImportProblems(_in_file_order(problems))

    progress(step="storing")
    with transaction.atomic():
        respondents, created = _store_respondents(
            assessment, {ref: attrs for ref, (_, attrs) in attributes.items()}, entered_by
        )
        stored = []
        for reference, given in answers.items():
            for answer in given:
                answer.respondent = respondents[reference]
                stored.append(answer)
        Answer.objects.bulk_create(
            stored,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["respondent", "item", "basis"],
            update_fields=["rating", "choice", "text", "updated_at"],
        )
    return ResponseResult(created, len(respondents) - created, len(stored))


def _check_basis(row: Row, item: Item, bases: list[str], problems: list[str]) -> str | None:
    raw = row["basis"].lower()
    if item.kind != Item.Kind.RATING:
        if raw:
            problems.append(
                f"Line {row.line}: basis must be blank for {item.key}, "
                f"which is {KIND_NAMES[item.kind]}."
            )
            return None
        return ""
    if not raw and len(bases) == 1:
        return bases[0]  # an assessment asking one basis needs no column to say which
    if raw not in bases:
        given = f"basis '{row['basis']}' is not" if raw else "basis is blank, but must be"
        problems.append(
            f"Line {row.line}: {given} one of: {', '.join(bases)} "
            f"(for rating question {item.key} in this assessment)."
        )
        return None
    return raw


def _check_answer(row: Row, item: Item, scale: list[str], problems: list[str]) -> Answer | None:
    """An unsaved Answer holding the row's value in rating, choice or text."""
    raw = row["answer"]
    if not raw:
        problems.append(
            f"Line {row.line}: the answer to {item.key} is blank; "
            "leave out the rows of questions that were not answered."
        )
        return None
    choice = _choice(raw, Answer.Choice)
    if choice == Answer.Choice.NA and item.na_allowed:
        return Answer(choice=choice)
    if item.kind == Item.Kind.OPEN:
        if len(raw) > MAX_TEXT:
            problems.append(
                f"Line {row.line}: the answer to {item.key} is {len(raw):,} characters long; "
                f"the most is {MAX_TEXT:,}."
            )
            return None
        return Answer(text=raw)
    if item.kind == Item.Kind.RATING:
        allowed = [*scale, Answer.Choice.DONT_KNOW]
        if raw in scale:
            return Answer(rating=int(raw))
    else:
        allowed = [Answer.Choice.YES, Answer.Choice.NO, Answer.Choice.DONT_KNOW]
    if choice in allowed:
        return Answer(choice=choice)
    if item.na_allowed:
        allowed.append(Answer.Choice.NA)
    problems.append(
        f"Line {row.line}: answer '{raw}' to {item.key} is not one of: "
        f"{', '.join(str(value) for value in allowed)}."
    )
    return None


def _store_respondents(
    assessment: Assessment, wanted: dict[str, dict], entered_by: User | None
) -> tuple[dict[str, Respondent], int]:
    """The respondents of these references, made or brought up to date; and how many are new."""
    # All imported respondents of the assessment, not reference__in: a file may
    # name more references than the database allows parameters in one query.
    imported = assessment.respondents.exclude(reference="")
    existing = set(imported.values_list("reference", flat=True))
    now = timezone.now()
    # A returned file is a finished response, so it counts as finished
    # wherever results count submitted responses only.
    new = [
        Respondent(
            assessment=assessment,
            channel=Respondent.Channel.IMPORT,
            reference=reference,
            entered_by=entered_by,
            submitted_at=now,
            **fields,
        )
        for reference, fields in wanted.items()
        if reference not in existing
    ]
    # ignore_conflicts: an import of the same file running at the same moment
    # has made the respondent already; the query below finds it either way.
    Respondent.objects.bulk_create(new, ignore_conflicts=True)
    respondents = {r.reference: r for r in imported.all() if r.reference in wanted}
    # A corrected file may correct who answered, too.
    changed = []
    for reference, fields in wanted.items():
        respondent = respondents[reference]
        if any(getattr(respondent, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(respondent, name, value)
            changed.append(respondent)
    Respondent.objects.bulk_update(changed, ["role", "sector", "layer", "organisation"])
    return respondents, len(new)
