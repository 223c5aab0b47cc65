"""The partnership the backup tests export and import, and how they compare it before and
after: results and the plan PDF without ids, rows per model, and the commands run on a file."""

from __future__ import annotations

import dataclasses
import io
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from pypdf import PdfReader

from questions.models import Item, Section
from tests.full_partnership import build_full_partnership
from workshops.models import Partnership, User
from workshops.reporting.plan_pdf import render_plan_pdf
from workshops.services import backup


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rich(cast, bank):
    return build_full_partnership(cast, bank)


def plain(value):
    """Results as labels and numbers: items by key, sections by number, no database ids."""
    if isinstance(value, Item):
        return ("item", value.key)
    if isinstance(value, Section):
        return ("section", value.number)
    if isinstance(value, models.Model):
        return (value._meta.label, str(value))
    if dataclasses.is_dataclass(value):
        return tuple((f.name, plain(getattr(value, f.name))) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return tuple(sorted((repr(plain(k)), plain(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    return value


def results_page(client, assessment) -> str:
    """The results page as an executive sees it, with ids in addresses taken out."""
    client.force_login(User.objects.get(email="executive@eastvale.example.org"))
    response = client.get(reverse("results", args=[assessment.partnership_id, assessment.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"/\d+/", "/N/", html)


def pdf_pages(assessment) -> list[str]:
    pdf = render_plan_pdf(assessment)  # rendered now, never an earlier copy
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def row_counts() -> dict[str, int]:
    """Rows of every workshops model and every many-to-many table, and the question bank."""
    counts = {}
    for model in apps.get_app_config("workshops").get_models(include_auto_created=True):
        counts[model._meta.label] = model._base_manager.count()
    counts["questions.Item"] = Item.objects.count()
    return counts


def renumbered(payload: dict) -> list:
    """The rows of a backup with each id replaced by its place among its model's rows,
    so two exports of the same content compare equal wherever they were stored."""
    exported = {apps.get_model(label) for label, _ in backup.EXPORTED}
    place: dict[tuple[str, int], int] = {}
    for row in payload["objects"]:
        place[(row["model"], row["pk"])] = sum(1 for m, _ in place if m == row["model"])
    rows = []
    for row in payload["objects"]:
        model = apps.get_model(row["model"])
        fields = dict(row["fields"])
        for name, value in fields.items():
            target = model._meta.get_field(name).related_model
            if target in exported and value is not None:
                fields[name] = place[(target._meta.label_lower, value)]
        rows.append((row["model"], place[(row["model"], row["pk"])], fields))
    return rows


def export_to(path, partnership: Partnership) -> str:
    out, err = StringIO(), StringIO()
    call_command(
        "export_partnership", str(partnership.pk), output=str(path), stdout=out, stderr=err
    )
    return out.getvalue()


def import_from(path) -> str:
    out = StringIO()
    call_command("import_partnership", str(path), stdout=out)
    return out.getvalue()


def delete_partnership(partnership: Partnership) -> None:
    """Delete the partnership and all it holds. People and organisations are protected
    while answers and invitations refer to them, so assessments go first."""
    partnership.assessments.all().delete()
    partnership.people.all().delete()
    partnership.organisations.all().delete()
    partnership.delete()
    for model, path in backup.EXPORTED:
        lookup = {"pk" if path == "pk" else f"{path}_id": partnership.pk}
        assert not apps.get_model(model)._base_manager.filter(**lookup).exists()
