"""Writing a partnership's backup file (the format is in services.backup).

The rows are read a chunk at a time and written as they are read, so memory
stays flat however large the partnership is; what they refer to outside the
partnership (accounts, the question bank) is written as the file names it.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import hashlib
import io
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TextIO

from django.apps import apps
from django.core import serializers
from django.db import connection, models, transaction
from django.utils import timezone

from questions.models import BankVersion, Item, Section
from workshops.models import Partnership, User
from workshops.services.backup import (
    FORMAT,
    VERSION,
    BackupError,
    canonical,
    exported_models,
)


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


def export_partnership(partnership: Partnership) -> dict:
    """Everything the partnership holds, as a JSON-ready dict (see services.backup).

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
            for model, path in exported_models()
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
        payload(',"local_items":' + dumps(refs.local_out()))
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
        self.local: list[Item] = []  # the partnership's local questions

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
            for pk, bank, key in Item.objects.filter(pk__in=wanted[Item], local=False).values_list(
                "pk", "bank_id", "key"
            )
        }
        # A partnership's own questions are its data: written whole, not referred to.
        local = list(Item.objects.filter(pk__in=wanted[Item], local=True).select_related("section"))
        items |= {item.pk: (item.bank_id, item.key) for item in local}
        sections = {
            pk: (bank, number)
            for pk, bank, number in Section.objects.filter(pk__in=wanted[Section]).values_list(
                "pk", "bank_id", "number"
            )
        }
        bank_ids = wanted[BankVersion] | {b for b, _ in items.values()}
        bank_ids |= {b for b, _ in sections.values()}
        banks = {b.pk: b for b in BankVersion.objects.filter(pk__in=bank_ids)}
        refs = cls(users, items, sections, banks)
        refs.local = local
        return refs

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
            # "L1" names a local question within one assessment only: its id goes along.
            if value in self.local_ids:
                return [self.alias(bank), key, value]
            return [self.alias(bank), key]
        if target is Section:
            bank, number = self.sections[value]
            return [self.alias(bank), number]
        raise AssertionError(target)  # _relations() lets no other model through

    @functools.cached_property
    def local_ids(self) -> set[int]:
        return {item.pk for item in self.local}

    def local_out(self) -> list[dict]:
        return [
            {
                "id": item.pk,
                "bank": self.alias(item.bank_id),
                "key": item.key,
                "section": item.section.number,
                "text": item.text,
                "kind": item.kind,
                "investigate_when": item.investigate_when,
                "na_allowed": item.na_allowed,
                "position": item.position,
            }
            for item in self.local
        ]

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


@functools.cache
def _relations(model: type[models.Model]) -> list[models.Field]:
    """The fields of an exported model that point at installation-wide rows."""
    exported = {m for m, _ in exported_models()}
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
