"""Reading a coordinator's CSV file into rows, and checking their cells: what the
invitee and response imports (services.import_invitees, services.import_responses) share.

Both read and check the whole file before storing anything, then store it in
one transaction: a coordinator fixes the file and uploads it again, rather
than untangling half an import. Every problem is reported with its line, the
header being line 1, so one upload shows everything there is to fix.

The file formats are described for coordinators in docs/csv-formats.md.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

MAX_ROWS = 50_000


class ImportProblems(Exception):
    """The file cannot be imported; ``problems`` says why, one line each, for the coordinator."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CsvRow:
    """One record of the file: its line (as a spreadsheet numbers it) and its cells by column."""

    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells[column]


def number_of(count: int, word: str, plural: str | None = None) -> str:
    """The count with its word: "1 answer", "2,000 answers"."""
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def read_rows(data: bytes, columns: tuple[str, ...]) -> tuple[list[CsvRow], list[str]]:
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
    rows: list[CsvRow] = []
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
                    f"Line {read}: has {number_of(len(cells), 'value')}, "
                    f"but the header has {number_of(len(header), 'column')}."
                )
                continue
            cells = [cell.strip() for cell in cells]
            rows.append(CsvRow(read, dict(zip(header, cells, strict=True))))
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


def matching_choice(value: str, choices: type[models.TextChoices]) -> str | None:
    """The value of a choice given by its value or its label, ignoring case."""
    wanted = value.casefold()
    for choice_value, label in choices.choices:
        if wanted in (choice_value.casefold(), str(label).casefold()):
            return choice_value
    return None


def check_choices(
    row: CsvRow, specs: dict[str, type[models.TextChoices]], problems: list[str]
) -> dict[str, str] | None:
    """Row values of choice columns, or None (with a problem added) when any is bad."""
    values = {}
    for column, choices in specs.items():
        raw = row[column]
        value = matching_choice(raw, choices) if raw else None
        if value is None:
            given = f"{column} '{raw}' is not" if raw else f"{column} is blank, but must be"
            problems.append(f"Line {row.line}: {given} one of: {', '.join(choices.values)}.")
        values[column] = value
    return None if None in values.values() else values


def check_text(row: CsvRow, column: str, max_length: int, problems: list[str]) -> str | None:
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


def in_file_order(problems: list[str]) -> list[str]:
    # Rows of the wrong shape are reported while the file is read and the rest
    # afterwards; a stable sort by line puts them back in file order.
    def line(problem: str) -> int:
        head = problem.split(":", 1)[0]
        return int(head.removeprefix("Line ")) if head.startswith("Line ") else 0

    return sorted(problems, key=line)


# Told where an import is: step=, and counts (rows=, emails_to_send=, emails_sent=, ...).
Progress = Callable[..., None]


def no_progress(**counts: object) -> None:
    pass
