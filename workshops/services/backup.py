"""Backup and restore of one partnership: everything it holds, as one JSON file.

This module is the file itself: what it holds, and reading and checking one.
``backup_export.write_backup`` writes the partnership's rows (people,
assessments, answers, workshops, plans and their history) with Django's
serializer; ``backup_import.import_partnership`` loads such a file into this
installation, in one transaction, under new primary keys. Rows in the file
keep the ids they had where they came from, and every reference between them is
mapped from old id to new on the way in, because the target installation has
rows of its own.

What belongs to the installation rather than to a partnership is referred to,
never copied: the question bank by its checksum (items by key, sections by
number) and accounts by email address. A partnership's local questions are its own:
the file holds them whole (``local_items``), and rows refer to one by bank, key and
its id in the file, since "L1" names a different question in each assessment.

The file carries a format name and version, the export time and a SHA-256
checksum of its canonical payload, so a cut-short or altered file is refused
before anything is stored. Anything else wrong with it (a bank version this
installation lacks, a reference to a row that is not in the file, a clash with
rows already here) rolls the whole import back with a message saying what.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db import models

from workshops.models import User

FORMAT = "lsp-assess-partnership"
VERSION = 1

# Every model that belongs to a partnership, parents before children, with the
# lookup from it to its partnership. A reference to a model later in the list
# (or to its own model) is set once every row is in: Workshop.current points at
# one of the workshop's own agenda items.
EXPORTED: list[tuple[str, str]] = [
    ("workshops.Partnership", "pk"),
    ("workshops.Organisation", "partnership"),
    ("workshops.Person", "partnership"),
    ("workshops.Membership", "partnership"),
    ("workshops.Assessment", "partnership"),
    ("workshops.Invitation", "assessment__partnership"),
    # Hashes only: a restored link still opens its questionnaire, and the file opens none.
    ("workshops.PersonalLink", "invitation__assessment__partnership"),
    ("workshops.Workshop", "assessment__partnership"),
    ("workshops.AgendaItem", "workshop__assessment__partnership"),
    ("workshops.Respondent", "assessment__partnership"),
    ("workshops.Answer", "respondent__assessment__partnership"),
    ("workshops.EvidenceNote", "respondent__assessment__partnership"),
    # The network section: each respondent's view of the other partner organisations.
    ("workshops.NetworkAnswer", "respondent__assessment__partnership"),
    ("workshops.ImprovementPlan", "assessment__partnership"),
    ("workshops.Priority", "plan__assessment__partnership"),
    ("workshops.Target", "plan__assessment__partnership"),
    ("workshops.Action", "assessment__partnership"),
    ("workshops.ActionChange", "action__assessment__partnership"),
    ("workshops.ProgressNote", "action__assessment__partnership"),
    # Priorities voted from phones in a workshop (Workshop.dots is set once they are in).
    ("workshops.DotVote", "workshop__assessment__partnership"),
    ("workshops.DotCandidate", "vote__workshop__assessment__partnership"),
    ("workshops.DotAllocation", "vote__workshop__assessment__partnership"),
    ("workshops.DotMark", "allocation__vote__workshop__assessment__partnership"),
    # Ideas sent from phones in a workshop (Workshop.ideas is set once they are in).
    ("workshops.IdeaCollection", "workshop__assessment__partnership"),
    ("workshops.IdeaGroup", "collection__workshop__assessment__partnership"),
    ("workshops.Idea", "collection__workshop__assessment__partnership"),
    ("workshops.AuditEvent", "partnership"),
]

# Models of the workshops app that are deliberately not in a backup.
EXCLUDED: dict[str, str] = {
    # Accounts belong to the installation, and one person may work in several
    # partnerships: rows refer to them by email and import finds or creates them.
    "workshops.User": "installation-wide; referred to by email",
    # A rendered copy of the plan, not partnership data: the first download after
    # an import renders it again from what the file holds.
    "workshops.PlanPdf": "a rendered copy of the plan; made again on the next download",
    # A phone asking to be let in, during a live workshop; gone once it is decided.
    "workshops.WaitingPhone": "a phone waiting at a live workshop; gone once decided",
    # Invitations to join as a member live for days and carry a link only the email holds:
    # after a restore a coordinator sends them again.
    "workshops.MemberInvitation": "pending invitations to join; sent again after a restore",
    # What an import job stored is in the backup as rows; the job is only how it got there.
    "workshops.ImportJob": "an import under way or done; what it stored is in the rows",
    # The record of emails sent and to try again: their links were made for this
    # installation, and a restored partnership sends afresh.
    "workshops.EmailSend": "the record of emails sent or to try again; sent afresh",
    "workshops.SignInProvider": "installation-wide sign-in configuration, not a partnership's data",
}


class BackupError(Exception):
    """The file cannot be exported or imported; the message says why, for whoever runs it."""


def exported_models() -> list[tuple[type[models.Model], str]]:
    """The models of EXPORTED, in import order, each with its lookup to the partnership."""
    return [(apps.get_model(label), path) for label, path in EXPORTED]


def canonical(payload: dict) -> bytes:
    """The bytes the checksum is taken over: the same for the same content, however laid out."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checksum(payload: dict) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


# --- Reading a file ----------------------------------------------------------------------------


def read_backup(raw: bytes) -> dict:
    """Parse a backup file and check it is whole and unaltered; raises BackupError."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BackupError(
            f"The file is not a partnership backup: byte {exc.start} is not UTF-8 text."
        ) from None
    if not text.strip():
        raise BackupError("The file is empty.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        # A string that never closes runs to the end of the file, and a cut inside
        # true, false or null leaves a stub the parser stops at: cut short there too.
        rest = text[exc.pos :].rstrip()
        cut_in_a_word = rest and (
            any(word.startswith(rest) for word in ("true", "false", "null"))
            or re.fullmatch(r"[-+.eE0-9]+", rest) is not None  # a number cut in two
        )
        if (
            len(text.rstrip()) <= exc.pos
            or cut_in_a_word
            or exc.msg.startswith("Unterminated string")
        ):
            raise BackupError(
                "The file ends too early: it was cut short while being written or copied "
                f"(it stops at line {exc.lineno}). Nothing was imported."
            ) from None
        raise BackupError(
            f"The file is damaged: it is not valid JSON at line {exc.lineno}, "
            f"column {exc.colno} ({exc.msg})."
        ) from None
    verify(data)
    return data


def verify(data: Any) -> dict:
    """The payload of a backup, once its format, version, shape and checksum are right."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(
            f"The file is not a partnership backup (it does not say format “{FORMAT}”)."
        )
    version = data.get("version")
    if version != VERSION:
        raise BackupError(
            f"The file is in backup format version {version!r}; "
            f"this installation reads version {VERSION}."
        )
    payload = data.get("payload")
    if not isinstance(payload, dict) or not isinstance(data.get("checksum"), str):
        raise BackupError("The file is damaged: its payload or checksum is missing.")
    if checksum(payload) != data["checksum"]:
        raise BackupError(
            "The file has been altered or damaged since it was exported: its content does not "
            "match its SHA-256 checksum. Use an untouched copy of the export."
        )
    shapes = {"banks": dict, "users": list, "objects": list, "partnership": dict}
    for key, kind in shapes.items():
        if not isinstance(payload.get(key), kind):
            raise BackupError(f"The file is damaged: “{key}” is missing or of the wrong kind.")
    if not all(isinstance(about, dict) for about in payload["banks"].values()):
        raise BackupError("The file is damaged: a question bank entry is not of the form expected.")
    if not all(isinstance(u, dict) and isinstance(u.get("email"), str) for u in payload["users"]):
        raise BackupError("The file is damaged: an account entry is not of the form expected.")
    for row in payload["objects"]:
        if not (
            isinstance(row, dict)
            and isinstance(row.get("model"), str)
            and isinstance(row.get("pk"), int)
            and isinstance(row.get("fields"), dict)
        ):
            raise BackupError(
                f"The file is damaged: a record is not of the form expected: {repr(row)[:200]}"
            )
    return payload


def missing_accounts(data: dict) -> list[str]:
    """Email addresses in the file with no account here yet: import creates them."""
    emails = [u["email"].lower() for u in data["payload"]["users"]]
    here = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    return [e for e in emails if e not in here]


def summary(data: dict) -> list[tuple[str, int]]:
    """How many rows of each kind the file holds, in import order."""
    counts: dict[str, int] = defaultdict(int)
    for row in data["payload"]["objects"]:
        counts[row["model"]] += 1
    return summary_of(counts)


def summary_of(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Rows per model (by lower-case label) as names and counts, in import order."""
    result = []
    for model, _ in exported_models():
        count = counts.get(model._meta.label_lower, 0)
        name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
        result.append((str(name), count))
    return result
