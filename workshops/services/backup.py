"""Backup and restore of one partnership: everything it holds, as one JSON file.

``export_partnership`` writes the partnership's rows (people, assessments,
answers, workshops, plans and their history) with Django's serializer;
``import_partnership`` loads such a file into this installation, in one
transaction, under new primary keys. Rows in the file keep the ids they had
where they came from, and every reference between them is mapped from old id
to new on the way in, because the target installation has rows of its own.

What belongs to the installation rather than to a partnership is referred to,
never copied: the question bank by its checksum (items by key, sections by
number) and accounts by email address.

The file carries a format name and version, the export time and a SHA-256
checksum of its canonical payload, so a cut-short or altered file is refused
before anything is stored. Anything else wrong with it (a bank version this
installation lacks, a reference to a row that is not in the file, a clash with
rows already here) rolls the whole import back with a message saying what.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import hashlib
import io
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TextIO

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from questions.models import BankVersion, Item, Section
from workshops.models import Partnership, User

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
    ("workshops.ImprovementPlan", "assessment__partnership"),
    ("workshops.Priority", "plan__assessment__partnership"),
    ("workshops.Action", "assessment__partnership"),
    ("workshops.ActionChange", "action__assessment__partnership"),
    ("workshops.ProgressNote", "action__assessment__partnership"),
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

BATCH = 2000


class BackupError(Exception):
    """The file cannot be exported or imported; the message says why, for whoever runs it."""


def _exported_models() -> list[tuple[type[models.Model], str]]:
    return [(apps.get_model(label), path) for label, path in EXPORTED]


def _plain(value: Any) -> Any:
    """A serialized field value as JSON holds it, without losing precision.

    (DjangoJSONEncoder would cut datetimes to milliseconds, and the order of
    progress notes and agreed ratings depends on the full value.)
    """
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def canonical(payload: dict) -> bytes:
    """The bytes the checksum is taken over: the same for the same content, however laid out."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def checksum(payload: dict) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


# --- Export ----------------------------------------------------------------------------------


def export_partnership(partnership: Partnership) -> dict:
    """Everything the partnership holds, as a JSON-ready dict (see the module docstring).

    For tests and small partnerships: the commands stream with ``write_backup``.
    """
    buffer = io.StringIO()
    write_backup(partnership, buffer)
    return json.loads(buffer.getvalue())


# Rows are read and written this many at a time, so memory stays flat however large
# the partnership is.
EXPORT_CHUNK = 2000


def write_backup(partnership: Partnership, out: TextIO) -> dict[str, int]:
    """Write the partnership's backup to ``out`` as it is read; return rows per model.

    The payload is written in its canonical form (see ``canonical``) and hashed as it
    goes, so neither the rows nor the file are ever held whole: the checksum follows
    the payload in the file, and JSON readers do not care about the order of keys.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # Every query reads the same snapshot, so an answer or vote stored while the
            # export runs cannot appear without its respondent (SQLite's read transaction
            # already works this way).
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        querysets = [
            (model, model._base_manager.filter(**{path: partnership.pk}).order_by("pk"))
            for model, path in _exported_models()
        ]
        refs = _Installation.for_querysets(querysets)
        digest = hashlib.sha256()

        def payload(text: str) -> None:
            digest.update(text.encode())
            out.write(text)

        def dumps(value: Any) -> str:
            return canonical(value).decode()

        county = partnership.county_partnership
        head = {"format": FORMAT, "version": VERSION, "exported_at": timezone.now().isoformat()}
        out.write(dumps(head)[:-1] + ',"payload":')
        # The payload's keys in sorted order, as canonical() lays them out.
        payload('{"banks":' + dumps(refs.banks_out()))
        # A link to another partnership cannot be carried to another installation.
        payload(',"county_partnership":' + dumps(county.name if county else None))
        payload(',"objects":[')
        counts: dict[str, int] = {}
        first = True
        for model, queryset in querysets:
            m2m = [f.name for f in model._meta.many_to_many]
            for chunk in _chunks(queryset, EXPORT_CHUNK):
                if m2m:
                    models.prefetch_related_objects(chunk, *m2m)
                for row in serializers.serialize("python", chunk):
                    payload(("" if first else ",") + dumps(_exported_row(row, refs)))
                    first = False
                label = model._meta.label_lower
                counts[label] = counts.get(label, 0) + len(chunk)
        payload("]")
        partnership_out = {"id": partnership.pk, "name": partnership.name}
        payload(',"partnership":' + dumps(partnership_out))
        payload(',"users":' + dumps(refs.users_out()) + "}")
        out.write(',"checksum":' + dumps(digest.hexdigest()) + "}")
    return counts


def _chunks(queryset: models.QuerySet, size: int) -> Iterable[list[models.Model]]:
    """The queryset's rows in lists of ``size``, by primary key, without holding them all."""
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        chunk = list(page[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


class _Installation:
    """Installation-wide rows the exported rows refer to, and how the file names them."""

    def __init__(self, users: dict[int, User], items: dict, sections: dict, banks: dict):
        self.users = users
        self.items = items  # pk -> (bank alias, key)
        self.sections = sections  # pk -> (bank alias, number)
        self.banks = banks  # pk -> BankVersion

    @classmethod
    def for_querysets(cls, querysets: list[tuple[type[models.Model], models.QuerySet]]):
        """What the rows refer to, asked of the database column by column (never the rows)."""
        wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        for model, queryset in querysets:
            for field in _relations(model):
                column = field.name if field.many_to_many else field.attname
                values = queryset.order_by().values_list(column, flat=True).distinct()
                wanted[field.related_model].update(v for v in values if v is not None)
        users = {u.pk: u for u in User.objects.filter(pk__in=wanted[User])}
        items = {
            pk: (bank, key)
            for pk, bank, key in Item.objects.filter(pk__in=wanted[Item]).values_list(
                "pk", "bank_id", "key"
            )
        }
        sections = {
            pk: (bank, number)
            for pk, bank, number in Section.objects.filter(pk__in=wanted[Section]).values_list(
                "pk", "bank_id", "number"
            )
        }
        bank_ids = wanted[BankVersion] | {b for b, _ in items.values()}
        bank_ids |= {b for b, _ in sections.values()}
        banks = {b.pk: b for b in BankVersion.objects.filter(pk__in=bank_ids)}
        return cls(users, items, sections, banks)

    def alias(self, bank_id: int) -> str:
        # The bank's number where it was exported: readable, and only a name within the file.
        return str(self.banks[bank_id].number)

    def ref(self, target: type[models.Model], value: int | None) -> Any:
        if value is None:
            return None
        if target is User:
            return self.users[value].email
        if target is BankVersion:
            return self.alias(value)
        if target is Item:
            bank, key = self.items[value]
            return [self.alias(bank), key]
        if target is Section:
            bank, number = self.sections[value]
            return [self.alias(bank), number]
        raise AssertionError(target)  # _relations() lets no other model through

    def banks_out(self) -> dict[str, dict]:
        return {
            self.alias(b.pk): {"checksum": b.checksum, "number": b.number, "title": b.title}
            for b in self.banks.values()
        }

    def users_out(self) -> list[dict]:
        # The password hash goes with the account so that people can sign in as
        # before once the partnership is restored elsewhere. It makes the file as
        # sensitive as the database itself; the commands' help says so.
        return [
            {
                "email": u.email,
                "full_name": u.full_name,
                "password": u.password,
                "is_active": u.is_active,
                # Kept so that a restore is the same, down to when people joined and last
                # signed in.
                "date_joined": _plain(u.date_joined),
                "last_login": _plain(u.last_login),
            }
            for u in sorted(self.users.values(), key=lambda u: u.email)
        ]


INSTALLATION_WIDE = (User, BankVersion, Section, Item)


def _moment(about: dict, name: str) -> datetime.datetime | None:
    """A time an account row carries, or None; files from before they were kept have none."""
    value = about.get(name)
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BackupError(
            f"The account {about.get('email')!r} in the file has a {name} that is not a time."
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@functools.cache
def _relations(model: type[models.Model]) -> list[models.Field]:
    """The fields of an exported model that point at installation-wide rows."""
    exported = {m for m, _ in _exported_models()}
    found = []
    for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        if not field.is_relation or field.related_model in exported:
            continue
        if field.related_model not in INSTALLATION_WIDE:
            # A new model that refers somewhere backups do not know: say so rather
            # than write a file that cannot be restored.
            raise BackupError(
                f"{model._meta.label}.{field.name} refers to {field.related_model._meta.label}, "
                "which backups do not carry. Add it to workshops/services/backup.py."
            )
        found.append(field)
    return found


def _exported_row(row: dict, refs: _Installation) -> dict:
    model = apps.get_model(row["model"])
    fields = {name: _plain(value) for name, value in row["fields"].items()}
    for field in _relations(model):
        value = fields[field.name]
        if field.many_to_many:
            fields[field.name] = [refs.ref(field.related_model, v) for v in value]
        else:
            fields[field.name] = refs.ref(field.related_model, value)
    if model is Partnership:
        fields["county_partnership"] = None  # carried as a name in the payload instead
    return {"model": row["model"], "pk": row["pk"], "fields": fields}


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
    for model, _ in _exported_models():
        count = counts.get(model._meta.label_lower, 0)
        name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
        result.append((str(name), count))
    return result


# --- Import ----------------------------------------------------------------------------------


def import_partnership(data: dict) -> Partnership:
    """Load a backup (as read by read_backup) as a new partnership; all of it or nothing."""
    payload = verify(data)
    try:
        with transaction.atomic():
            return _Import(payload).run()
    except IntegrityError as exc:
        raise BackupError(
            f"The file clashes with what is already stored here ({exc}). Nothing was imported."
        ) from None
    except DatabaseError as exc:
        raise BackupError(
            f"The database refused a value in the file ({exc}). Nothing was imported."
        ) from None


class _Import:
    def __init__(self, payload: dict):
        self.payload = payload
        self.models = _exported_models()
        self.position = {model: n for n, (model, _) in enumerate(self.models)}
        self.ids: dict[type[models.Model], dict[int, int]] = defaultdict(dict)
        self.deferred: list[tuple[type[models.Model], int, models.Field, int]] = []

    def run(self) -> Partnership:
        by_model = self._rows_by_model()
        partnerships = by_model.get(Partnership, [])
        if len(partnerships) != 1:
            raise BackupError(
                f"The file holds {len(partnerships)} partnerships; a backup holds exactly one."
            )
        self.items, self.sections, self.banks = self._bank_references()
        self._refuse_clashes(by_model)
        self.users = self._accounts()
        for model, _ in self.models:
            self._insert(model, by_model.get(model, []))
        for model, new_pk, field, old in self.deferred:
            target = self._new_id(model, new_pk, field, old)
            model._base_manager.filter(pk=new_pk).update(**{field.attname: target})
        return Partnership.objects.get(pk=self.ids[Partnership][partnerships[0]["pk"]])

    def _bank_references(self) -> tuple[dict, dict, dict]:
        items, sections, banks = {}, {}, {}
        for alias, about in self.payload["banks"].items():
            bank = BankVersion.objects.filter(checksum=about.get("checksum")).first()
            if bank is None:
                raise BackupError(
                    f"The file needs question bank version {about.get('number')}, "
                    f"“{about.get('title')}” (checksum {str(about.get('checksum'))[:12]}…), "
                    "which this installation does not have. Load that question bank "
                    "(manage.py load_question_bank) and import again."
                )
            banks[alias] = bank.pk
            for key, pk in Item.objects.filter(bank=bank).values_list("key", "pk"):
                items[(alias, key)] = pk
            for number, pk in Section.objects.filter(bank=bank).values_list("number", "pk"):
                sections[(alias, number)] = pk
        return items, sections, banks

    def _accounts(self) -> dict[str, int]:
        """Accounts by email: the one already here, else a new one like the original."""
        found = {}
        for about in self.payload["users"]:
            email = about["email"].lower()
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                # The password hash is copied so that a restore lets people sign in
                # again as before, and a closed account stays closed. Staff and
                # superuser flags are never taken from a file: a backup must not be a
                # way to gain the run of an installation.
                user = User(
                    email=email,
                    full_name=about.get("full_name", ""),
                    password=about.get("password", ""),
                    is_active=bool(about.get("is_active", True)),
                    date_joined=_moment(about, "date_joined") or timezone.now(),
                    last_login=_moment(about, "last_login"),
                )
                try:
                    user.full_clean()
                except ValidationError as exc:
                    problems = "; ".join(exc.messages)
                    raise BackupError(
                        f"The account {email!r} in the file is not valid: {problems}"
                    ) from None
                user.save()
            found[email] = user.pk
        return found

    def _rows_by_model(self) -> dict[type[models.Model], list[dict]]:
        known = {model._meta.label_lower: model for model, _ in self.models}
        rows: dict[type[models.Model], list[dict]] = defaultdict(list)
        for row in self.payload["objects"]:
            model = known.get(row["model"])
            if model is None:
                raise BackupError(f"The file holds records of an unknown kind: {row['model']!r}.")
            rows[model].append(row)
        return rows

    def _refuse_clashes(self, by_model: dict) -> None:
        """Refuse a file whose unique values (personal links, workshop codes) are in use.

        A copy could have been given new ones instead, but invitation links have
        gone out by email and a workshop's code is on the printed agenda: a
        restored partnership keeps them. They are in use here when the original
        partnership still is, and two partnerships must not share a link.
        """
        for model, path in self.models:
            for field in model._meta.concrete_fields:
                if not field.unique or field.primary_key or field.is_relation:
                    continue
                values = [r["fields"].get(field.name) for r in by_model.get(model, [])]
                values = [v for v in values if v is not None]
                owners = set()
                for start in range(0, len(values), BATCH):
                    chunk = values[start : start + BATCH]
                    taken = model._base_manager.filter(**{f"{field.name}__in": chunk})
                    name = "name" if model is Partnership else f"{path}__name"
                    owners.update(taken.values_list(name, flat=True))
                if owners:
                    raise BackupError(
                        f"The {model._meta.verbose_name} {field.verbose_name}s in the file are "
                        f"already in use here, by {', '.join(sorted(owners))}: the partnership is "
                        "probably still in this installation. Delete it first, or import into "
                        "another installation. Nothing was imported."
                    )

    def _new_id(self, model: type[models.Model], pk: Any, field: models.Field, old: Any) -> int:
        new = self.ids[field.related_model].get(old)
        if new is None:
            raise BackupError(
                f"The file is inconsistent: {model._meta.verbose_name} {pk} refers to "
                f"{field.related_model._meta.verbose_name} {old} ({field.name}), "
                "which is not in the file."
            )
        return new

    def _installation_id(self, model, pk, field: models.Field, value: Any) -> int:
        target = field.related_model
        try:
            if target is User:
                return self.users[str(value).lower()]
            if target is BankVersion:
                return self.banks[value]
            if target is Item:
                return self.items[tuple(value)]
            if target is Section:
                return self.sections[tuple(value)]
        except (KeyError, TypeError):
            pass
        raise BackupError(
            f"The file is inconsistent: {model._meta.verbose_name} {pk} refers to "
            f"{target._meta.verbose_name} {value!r} ({field.name}), "
            "which is not in the file or the question bank."
        )

    def _mapped(self, model: type[models.Model], row: dict) -> tuple[dict, list]:
        """The row's fields with every reference in this installation's ids."""
        fields = dict(row["fields"])
        later = []
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
            if not field.is_relation or fields.get(field.name) is None:
                continue
            if model is Partnership and field.name == "county_partnership":
                fields[field.name] = None  # never carried: see export_partnership
                continue
            value = fields[field.name]
            target = field.related_model
            if target in self.position:
                if self.position[target] >= self.position[model]:
                    later.append((field, value))
                    fields[field.name] = None
                else:
                    fields[field.name] = self._new_id(model, row["pk"], field, value)
            elif field.many_to_many:
                if not isinstance(value, list):
                    raise BackupError(f"The file is damaged: {field.name} of {row!r}.")
                fields[field.name] = [
                    self._installation_id(model, row["pk"], field, v) for v in value
                ]
            else:
                fields[field.name] = self._installation_id(model, row["pk"], field, value)
        return fields, later

    def _insert(self, model: type[models.Model], rows: list[dict]) -> None:
        if not rows:
            return
        mapped, later, olds = [], [], []
        for row in rows:
            fields, refs = self._mapped(model, row)
            mapped.append({"model": row["model"], "pk": row["pk"], "fields": fields})
            later.append(refs)
            olds.append(row["pk"])
        try:
            built = list(serializers.deserialize("python", mapped))
        except DeserializationError as exc:
            raise BackupError(f"The file holds a value that does not fit: {exc}.") from None
        objects = [b.object for b in built]
        for obj, old in zip(objects, olds, strict=True):
            _check_values(obj, old)
            obj.pk = None
        times = _times(model, objects)
        model._base_manager.bulk_create(objects, batch_size=BATCH)
        for old, obj, refs in zip(olds, objects, later, strict=True):
            self.ids[model][old] = obj.pk
            self.deferred += [(model, obj.pk, field, value) for field, value in refs]
        _restore_times(model, objects, times)
        for field in model._meta.many_to_many:
            _link(field, [(b.object.pk, b.m2m_data.get(field.name, [])) for b in built])


def _check_values(obj: models.Model, old: int) -> None:
    """Choices, lengths and ranges, as a form would check them (the database may not)."""
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if field.is_relation or value in field.empty_values:
            continue
        try:
            field.validate(value, obj)
            field.run_validators(value)
        except ValidationError as exc:
            raise BackupError(
                f"The file holds a value that does not fit: {obj._meta.verbose_name} {old}, "
                f"{field.name} {value!r}: {' '.join(exc.messages)}"
            ) from None


def _auto_time_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


def _times(model: type[models.Model], objects: list[models.Model]) -> dict[models.Field, list]:
    """The exported values of fields that saving would set to now."""
    return {f: [getattr(o, f.attname) for o in objects] for f in _auto_time_fields(model)}


def _restore_times(model: type[models.Model], objects: list[models.Model], times: dict) -> None:
    """Put back what inserting set to now: when a row was created or last changed is part of
    its history (and of what the plan PDF is cached under).

    bulk_update would do it, but it builds an expression per row and took ten seconds for
    20,000 answers. One UPDATE joined to a list of values per batch takes a fraction of a
    second; it is the statement shape the vote upsert uses, on SQLite and PostgreSQL alike.
    """
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    for field, values in times.items():
        rows = []
        for obj, value in zip(objects, values, strict=True):
            setattr(obj, field.attname, value)
            rows.append((obj.pk, field.get_db_prep_value(value, connection)))
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            listed = ", ".join(["(CAST(%s AS bigint), %s)"] * len(batch))
            sql = (
                f"UPDATE {table} SET {quote(field.column)} = v.column2 "  # noqa: S608 - names only
                f"FROM (VALUES {listed}) AS v WHERE {table}.{pk} = v.column1"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [param for row in batch for param in row])


def _link(field: models.ManyToManyField, links: Iterable[tuple[int, list[int]]]) -> None:
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    through._base_manager.bulk_create(
        (
            through(**{f"{source}_id": pk, f"{target}_id": other})
            for pk, others in links
            for other in others
        ),
        batch_size=BATCH,
    )
