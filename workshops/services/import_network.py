"""Importing the network section's answers from a CSV file, one row per pair: a
respondent (by the reference their answers were imported with) and an organisation
they were asked about.

Uploaded where answers are (``import_responses`` tells the two files apart by their
header), and all or nothing as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from workshops.models import Assessment, NetworkAnswer, Respondent
from workshops.models.network import Frequency
from workshops.models.network_slots import DONT_KNOW, NetworkValue
from workshops.services.csv_rows import (
    CsvRow,
    ImportProblems,
    Progress,
    in_file_order,
    no_progress,
    number_of,
    read_rows,
)

NETWORK_COLUMNS = ("respondent", "partner", "how_often", "reliability", "contribution")
# How often, as a file may write it: the words the questionnaire shows, or a short form.
HOW_OFTEN = {
    **{label.casefold(): str(value) for value, label in Frequency.choices},
    **{str(value): str(value) for value in Frequency.values},
    "dont_know": DONT_KNOW,
    "don't know": DONT_KNOW,
    "don't know this organisation": DONT_KNOW,
}
HOW_OFTEN_WORDS = "never, a few times a year, monthly, weekly or more, dont_know"


@dataclass(frozen=True)
class NetworkResult:
    """As ``ResponseResult`` says an import of answers; no respondent is made here."""

    respondents_created: int
    respondents_existing: int
    answers: int
    warning = None

    @property
    def summary(self) -> str:
        return (
            f"{number_of(self.answers, 'network answer')} from "
            f"{number_of(self.respondents_existing, 'respondent')} imported."
        )


def is_network_file(data: bytes) -> bool:
    """Whether the file's header is the network file's (any order, any case)."""
    first = data.decode("utf-8-sig", errors="replace").lstrip().split("\n", 1)[0]
    return {name.strip().strip('"').lower() for name in first.split(",")} == set(NETWORK_COLUMNS)


def import_network(
    assessment: Assessment, data: bytes, *, progress: Progress = no_progress
) -> NetworkResult:
    """Store the network answers in the file; raises ImportProblems when any row is wrong.

    A pair given again replaces what was stored for it, so a corrected file can be
    imported over the first; pairs left out of the file are kept.
    """
    if not assessment.network:
        raise ImportProblems(
            [
                "This assessment does not ask how partner organisations work together. "
                "Turn the network section on on the assessment's page first."
            ]
        )
    rows, problems = read_rows(data, NETWORK_COLUMNS)
    progress(step="checking", rows=len(rows))
    organisations = {o.name.casefold(): o for o in assessment.partnership.organisations.all()}
    respondents = {r.reference: r for r in assessment.respondents.exclude(reference="")}
    lines: dict[tuple[str, int], int] = {}
    answers: list[NetworkAnswer] = []
    for row in rows:
        respondent = _respondent(row, respondents, problems)
        own = organisations.get(respondent.organisation.casefold()) if respondent else None
        if respondent and own is None:
            problems.append(
                f"Line {row.line}: {respondent.reference}'s organisation "
                f"'{respondent.organisation}' is not one of the partnership's organisations, "
                "so they are not asked about the others."
            )
        partner = organisations.get(row["partner"].casefold())
        if partner is None:
            given = f"partner '{row['partner']}' is not" if row["partner"] else "partner is blank"
            problems.append(f"Line {row.line}: {given} one of the partnership's organisations.")
        elif own is not None and partner.pk == own.pk:
            problems.append(
                f"Line {row.line}: {respondent.reference} cannot answer about their own "
                f"organisation, {own.name}."
            )
            continue
        value = _value(row, partner.name if partner else row["partner"], problems)
        if not (respondent and own and partner and value):
            continue
        key = (respondent.reference, partner.pk)
        if key in lines:
            problems.append(
                f"Line {row.line}: {respondent.reference}'s answer about {partner.name} "
                f"is already on line {lines[key]}."
            )
            continue
        lines[key] = row.line
        answers.append(
            NetworkAnswer(
                respondent=respondent, organisation=own, partner=partner, **value.fields()
            )
        )
    if problems:
        raise ImportProblems(in_file_order(problems))
    progress(step="storing")
    now = timezone.now()
    for answer in answers:
        answer.updated_at = now
    with transaction.atomic():
        NetworkAnswer.objects.bulk_create(
            answers,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["respondent", "partner"],
            update_fields=[
                "organisation",
                "frequency",
                "dont_know",
                "reliability",
                "contribution",
                "updated_at",
            ],
        )
    return NetworkResult(0, len({a.respondent_id for a in answers}), len(answers))


def _respondent(row: CsvRow, respondents: dict, problems: list[str]) -> Respondent | None:
    respondent = respondents.get(row["respondent"])
    if respondent is None:
        given = f"respondent '{row['respondent']}'" if row["respondent"] else "respondent is blank"
        problems.append(
            f"Line {row.line}: {given}: give the reference of a respondent whose answers "
            "were imported into this assessment (import the answers file first)."
        )
    return respondent


def _value(row: CsvRow, name: str, problems: list[str]) -> NetworkValue | None:
    how_often = HOW_OFTEN.get(row["how_often"].casefold())
    if how_often is None:
        given = (
            f"how_often '{row['how_often']}' is not"
            if row["how_often"]
            else "how_often is blank, but must be"
        )
        problems.append(f"Line {row.line}: {given} one of: {HOW_OFTEN_WORDS}.")
        return None
    value = NetworkValue.given(how_often, row["reliability"], row["contribution"])
    problem = value.problem(name)
    if problem:
        problems.append(f"Line {row.line}: {problem}.")
        return None
    return value
