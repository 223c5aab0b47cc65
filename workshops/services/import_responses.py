"""Importing answers collected elsewhere (paper returns, another survey tool) from a CSV
file, one row per answer (the reading is in services.csv_rows).

Files of more than IMPORT_INLINE_ROWS rows are imported by the worker
(services.import_jobs).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from questions.models import Item
from workshops.models import Answer, Assessment, Person, Respondent, Sector, User
from workshops.models.slots import MAX_TEXT
from workshops.services.csv_rows import (
    CsvRow,
    ImportProblems,
    Progress,
    check_choices,
    check_text,
    in_file_order,
    matching_choice,
    no_progress,
    number_of,
    read_rows,
)
from workshops.services.import_network import NetworkResult, import_network, is_network_file

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
            f"{number_of(self.answers, 'answer')} from {number_of(respondents, 'respondent')} "
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
    progress: Progress = no_progress,
) -> ResponseResult | NetworkResult:
    """Store the answers in the file, one row per answer; raises ImportProblems when any is wrong.
    A network file (``import_network``) is told apart by its header, and imported as one.

    Respondents are found again by their reference, so importing the same file
    twice stores each answer once, and a corrected file replaces the answers
    it gives. Answers stored before and left out of the file are kept.

    The assessment's dates are not checked: paper returns are often keyed in
    after the closing date, and refusing them then would lose them.
    """
    if is_network_file(data):
        return import_network(assessment, data, progress=progress)
    rows, problems = read_rows(data, RESPONSE_COLUMNS)
    progress(step="checking", rows=len(rows))
    items = {item.key: item for item in assessment.items.all()}
    scale = [str(value) for value, _ in assessment.bank.scale_choices()]

    attributes: dict[str, tuple[int, dict]] = {}  # reference -> (first line, attributes)
    answer_lines: dict[tuple[str, str, str], int] = {}
    answers: dict[str, list[Answer]] = {}  # by reference
    for row in rows:
        reference = check_text(row, "respondent", 100, problems)
        choices = check_choices(row, ATTRIBUTE_CHOICES, problems)
        organisation = check_text(row, "organisation", 200, problems)
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
        raise ImportProblems(in_file_order(problems))

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


def _check_basis(row: CsvRow, item: Item, bases: list[str], problems: list[str]) -> str | None:
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


def _check_answer(row: CsvRow, item: Item, scale: list[str], problems: list[str]) -> Answer | None:
    """An unsaved Answer holding the row's value in rating, choice or text."""
    raw = row["answer"]
    if not raw:
        problems.append(
            f"Line {row.line}: the answer to {item.key} is blank; "
            "leave out the rows of questions that were not answered."
        )
        return None
    choice = matching_choice(raw, Answer.Choice)
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
