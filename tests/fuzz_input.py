"""What a hostile or careless browser could send, as Hypothesis strategies: form bodies
built from a form's own fields, and CSV files for the imports (tests/test_fuzz.py)."""

from __future__ import annotations

import csv
import io

from hypothesis import strategies as st

from tests.worlds import World
from workshops.models import Person, Sector

# A form's field names and the values it offers.
Fields = dict[str, set[str]]

CHARACTERS = st.characters(codec="utf-8")  # anything a browser can encode, NUL included
TEXT = st.text(CHARACTERS, max_size=30)
LONG_TEXT = st.builds(
    lambda char, length: char * length,
    st.sampled_from(["x", "é", "😀", "\x00", "<", " ", "\n"]),
    # Either side of the lengths the fields and columns allow.
    st.sampled_from([150, 151, 200, 201, 255, 256, 1000, 1001, 2000, 2001, 5000, 5001]),
)
NUMBERS = st.one_of(
    st.integers(-3, 12).map(str),
    st.integers(-(2**70), 2**70).map(str),
    st.floats().map(str),
    st.sampled_from(
        ["NaN", "-nan", "inf", "-0", "1e309", "0x1F", "1_000", " 7 ", "7\n", "+3", "3.0"]
    ),
    # Digits that str.isdigit() accepts but int() may not, and a number too long for int().
    st.sampled_from(["²", "٣", "１２", "⑦", "9" * 5000]),
)
DATES = st.one_of(
    st.sampled_from(
        [
            ("31", "2", "2026"),
            ("29", "2", "2025"),
            ("0", "0", "0"),
            ("32", "13", "2026"),
            ("1", "1", "0"),
            ("1", "1", "10000"),
            ("1", "1", "99999999999999999999"),
            ("9" * 30, "1", "2026"),
            ("1", "9" * 30, "2026"),
            ("15", "6", "1"),
            ("31", "12", "9999"),
            ("1", "1", "2026"),
            ("٣", "1", "2026"),
        ]
    ),
    st.tuples(NUMBERS, NUMBERS, NUMBERS),
)
UNKNOWN_KEYS = st.one_of(
    st.sampled_from(["id", "pk", "partnership", "assessment", "created_by", "state", "token"]),
    # Quotes and line breaks would break the test client's own multipart encoding.
    st.text(st.characters(codec="utf-8", exclude_characters='"\r\n'), min_size=1, max_size=12),
)


def world_values(mine: World, theirs: World) -> list[str]:
    """Ids, emails, codes and names of both partnerships: a tampered form sends these."""
    values = {"0", "-1"}
    for w in (mine, theirs):
        objects = [*w.objects(), w.coordinator]
        values |= {str(o.pk) for o in objects}
        values |= {w.coordinator.email, w.person.name, w.organisation.name, w.code, w.token}
        values.add(str(w.workshop.version))
    return sorted(values)


def values_for(known: set[str], ids: list[str]):
    # The form's own values first: Hypothesis shrinks towards them.
    offered = [st.sampled_from(sorted(known))] if known else []
    return st.one_of(
        *offered, st.just(""), TEXT, NUMBERS, st.sampled_from(ids), LONG_TEXT, st.emails()
    )


def _date_groups(names: list[str]) -> list[str]:
    """The fields that are a day, month and year (``due_on_0``, ``_1``, ``_2``)."""
    return [
        name[:-2]
        for name in names
        if name.endswith("_0") and {f"{name[:-2]}_1", f"{name[:-2]}_2"} <= set(names)
    ]


PLAIN_TEXT = st.from_regex(r"[A-Za-z][A-Za-z0-9 ,.'-]{0,39}", fullmatch=True)


def plausible(name: str, known: set[str]):
    """What a person filling the form in might give for ``name``."""
    if known and "email" not in name:
        return st.sampled_from(sorted(known))
    if name.endswith("_0"):
        return st.integers(1, 28).map(str)  # a day
    if name.endswith("_1"):
        return st.integers(1, 12).map(str)  # a month
    if name.endswith("_2"):
        return st.integers(2025, 2028).map(str)  # a year
    if "email" in name:
        return st.one_of(st.sampled_from(sorted(known)), st.emails()) if known else st.emails()
    if name in ("revision", "version", "seconds", "votes"):
        return st.integers(0, 120).map(str)
    return PLAIN_TEXT


@st.composite
def form_bodies(draw, fields: Fields, ids: list[str]) -> list[tuple[str, str]]:
    """A POST body as (name, value) pairs: the whole form or some of its fields, filled
    in as a person would with a few hostile values, or hostile throughout; now and
    then a field given several times, or one the form does not have."""
    names = sorted(fields)
    if names and draw(st.integers(0, 2)):
        chosen = names  # the whole form, as a browser sends it
    else:
        chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    hostile = set(chosen)
    if draw(st.integers(0, 2)):  # filled in, with up to two fields tampered with
        hostile = set(draw(st.lists(st.sampled_from(chosen), max_size=2))) if chosen else set()
    pairs = []
    for name in chosen:
        if name in hostile:
            for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
                pairs.append((name, draw(values_for(fields[name], ids))))
        else:
            pairs.append((name, draw(plausible(name, fields[name]))))
    for group in _date_groups(chosen):
        if {f"{group}_0", f"{group}_1", f"{group}_2"} & hostile and draw(st.booleans()):
            day, month, year = draw(DATES)
            parts = {f"{group}_0": day, f"{group}_1": month, f"{group}_2": year}
            pairs = [(n, parts.get(n, v)) for n, v in pairs]
    if draw(st.integers(0, 3)) == 0:
        pairs.append((draw(UNKNOWN_KEYS), draw(values_for(set(), ids))))
    return pairs


def plausible_rows(mine: World):
    """Rows a coordinator's spreadsheet might hold, for either import (by column)."""
    answers = st.sampled_from(
        [
            ("1.1", "internal", "4"),
            ("1.1", "", "dont_know"),
            ("1.1.2", "", "yes"),
            ("1.2.1", "", "Gaps in housing"),
            ("3.5", "", "na"),
            ("8.1", "", "Shared data"),
        ]
    )
    return st.builds(
        lambda who, answer, **cells: {
            **cells,
            "respondent": who,
            **dict(zip(("item", "basis", "answer"), answer, strict=True)),
        },
        st.from_regex(r"P-[0-9]{3}", fullmatch=True),
        answers,
        name=PLAIN_TEXT,
        email=st.emails(),
        organisation=st.just(mine.organisation.name),
        role=st.sampled_from(Person.Role.values),
        layer=st.sampled_from(Person.Layer.values),
        sector=st.sampled_from(Sector.values),
    )


@st.composite
def csv_files(draw, columns: tuple[str, ...], rows_like, hostile) -> tuple[str, bytes]:
    """A file named like a CSV or not: random bytes, or a CSV of rows filled in as a
    coordinator would with a few hostile cells, or hostile throughout; in UTF-8 or
    in an encoding the import does not read."""
    name = draw(st.sampled_from(["people.csv", "answers.CSV", "export.xlsx", "csv", "a" * 300]))
    if draw(st.integers(0, 3)) == 0:
        return name, draw(st.binary(max_size=2000))
    header = list(draw(st.permutations(columns)))
    if draw(st.integers(0, 3)) == 0:
        header = draw(st.lists(st.sampled_from([*columns, "", "extra"]), max_size=10))
    filled_in = draw(st.integers(0, 2)) > 0
    # Up to two cells of the whole file tampered with, or all of them.
    tampered = set(draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 9)), max_size=2)))
    ragged = draw(st.integers(0, 5)) == 0  # rows a cell short
    rows = []
    for r in range(draw(st.integers(0, 6))):
        row = draw(rows_like)
        width = len(header)
        if ragged and draw(st.booleans()):
            width = max(0, width - 1)
        rows.append(
            [
                row[column]
                if filled_in and column in row and (r, c) not in tampered
                else draw(hostile)
                for c, column in enumerate(header[:width])
            ]
        )
    text = io.StringIO()
    csv.writer(text).writerows([header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    return name, text.getvalue().encode(encoding, errors="replace")
