"""CSV files for the import tests, and what an import made of them."""

from __future__ import annotations

import pytest

from workshops.models import Answer
from workshops.services.csv_rows import ImportProblems

RESPONSES_HEADER = "respondent,role,sector,layer,organisation,item,basis,answer"
INVITEES_HEADER = "name,email,organisation,role,layer"
# A good answer row, to put before a bad one so the bad one is on line 3.
GOOD = "P-017,board_member,public,strategic,Eastvale District Council,1.1,internal,3"
INVITEE = "Ann Lee,ann@example.org,Eastvale District Council,chair,strategic"


def csv_file(header: str, *rows: str) -> bytes:
    return "\n".join([header, *rows]).encode()


def problems_of(call) -> list[str]:
    with pytest.raises(ImportProblems) as raised:
        call()
    return raised.value.problems


def answers_of(reference: str) -> dict[tuple[str, str], str]:
    return {
        (a.item.key, a.basis): a.value
        for a in Answer.objects.filter(respondent__reference=reference).select_related("item")
    }


def row_with(**changes: str) -> str:
    cells = dict(zip(RESPONSES_HEADER.split(","), GOOD.split(","), strict=True))
    return ",".join({**cells, **changes}.values())
