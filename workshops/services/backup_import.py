"""Loading a partnership's backup file here, as a new partnership (the format: services.backup).

All of it or nothing, in one transaction and under new primary keys: every
reference between the file's rows is mapped from the id it had where it came
from to the one it has here, and references to the installation (accounts, the
question bank) are found by email, checksum, key and number.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from questions.models import BankVersion, Item, Section
from workshops.models import Partnership, User
from workshops.services.backup import BackupError, exported_models, verify

BATCH = 2000


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
        self.models = exported_models()
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
            for key, pk in Item.objects.filter(bank=bank, local=False).values_list("key", "pk"):
                items[(alias, key)] = pk
            for number, pk in Section.objects.filter(bank=bank).values_list("number", "pk"):
                sections[(alias, number)] = pk
        items |= self._local_items(banks, sections)
        return items, sections, banks

    def _local_items(self, banks: dict, sections: dict) -> dict:
        """The partnership's own questions, made anew: referred to as (bank, key, old id)."""
        made = {}
        for about in self.payload.get("local_items", []):
            try:
                alias = about["bank"]
                if (
                    about["section"] == Section.LOCAL_NUMBER
                    and (alias, Section.LOCAL_NUMBER) not in sections
                ):
                    local = Section.local_section(BankVersion.objects.get(pk=banks[alias]))
                    sections[(alias, Section.LOCAL_NUMBER)] = local.pk
                item = Item(
                    bank_id=banks[alias],
                    section_id=sections[(alias, about["section"])],
                    key=about["key"],
                    text=about["text"],
                    kind=about["kind"],
                    investigate_when=about.get("investigate_when", ""),
                    na_allowed=bool(about.get("na_allowed", False)),
                    position=about["position"],
                    local=True,
                )
                # Empty lists are blank to full_clean; a local question has no guidance.
                item.full_clean(exclude=["glossary", "survey_2008"])
            except (KeyError, TypeError, ValidationError):
                raise BackupError(
                    f"The file's local question {about.get('key')!r} is not valid."
                ) from None
            item.save()
            made[(alias, about["key"], about["id"])] = item.pk
        return made

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
