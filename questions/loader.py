"""Storing a checked question bank in the database.

Loading is idempotent: content already loaded (by checksum) is not loaded
again, and changed content becomes a new BankVersion rather than an edit of
items that answers may already point at.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max

from questions.bank_spec import BankSpec
from questions.glossary import terms_used
from questions.models import BankVersion, Item, Section


@dataclass
class LoadResult:
    version: BankVersion
    created: bool


def load_bank(spec: BankSpec) -> LoadResult:
    """Store a validated bank as a new version, unless that content is already loaded."""
    checksum = spec.checksum()
    existing = BankVersion.objects.filter(checksum=checksum).first()
    if existing:
        return LoadResult(existing, created=False)
    try:
        with transaction.atomic():
            return LoadResult(_create_version(spec, checksum), created=True)
    except IntegrityError:
        # Two loaders raced on the same content: the other one won, which is fine.
        return LoadResult(BankVersion.objects.get(checksum=checksum), created=False)


def _create_version(spec: BankSpec, checksum: str) -> BankVersion:
    latest = BankVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0
    version = BankVersion.objects.create(
        number=latest + 1,
        title=spec.title,
        source=spec.source,
        checksum=checksum,
        scale=spec.scale,
        dont_know_label=spec.dont_know_label,
        bands=spec.bands,
        glossary=spec.glossary,
    )
    position = 0
    for section_spec in spec.sections:
        section = Section.objects.create(
            bank=version,
            number=section_spec.number,
            heading=section_spec.heading,
            name=section_spec.name,
            aspect=section_spec.aspect,
            covers=section_spec.covers,
            is_element=section_spec.is_element,
        )
        by_key: dict[str, Item] = {}
        for item_spec in section_spec.items:
            position += 1
            by_key[item_spec.key] = Item.objects.create(
                bank=version,
                section=section,
                parent=by_key.get(item_spec.parent) if item_spec.parent else None,
                key=item_spec.key,
                text=item_spec.text,
                kind=item_spec.kind,
                investigate_when=item_spec.investigate_when,
                na_allowed=item_spec.na_allowed,
                position=position,
                guidance=item_spec.guidance,
                survey_2008=item_spec.survey_2008,
                glossary=terms_used(item_spec.text, spec.glossary),
            )
    return version
