"""Every row of every table of the workshops app (and the items, which hold local
questions), to tell what a request stored and whether it touched another partnership's
rows (tests/test_fuzz.py)."""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps

from questions.models import Item
from tests.worlds import World
from workshops.models import AuditEvent

MODELS = list(apps.get_app_config("workshops").get_models(include_auto_created=True))
# Items too: a partnership's local questions are items, and one partnership's request
# must never change another's (nor store one when it is refused).
MODELS.append(Item)

Rows = dict[str, dict[int, dict]]
# Where each table points: (column, model pointed at).
POINTERS = {
    m._meta.label: [(f.attname, f.related_model) for f in m._meta.concrete_fields if f.is_relation]
    for m in MODELS
}


def fingerprint() -> Rows:
    """Every row of every table of the workshops app, by id: the world is small enough."""
    return {
        m._meta.label: {row[m._meta.pk.attname]: row for row in m.objects.values()} for m in MODELS
    }


# A refused sign-in or code is itself something the audit log keeps (who tried,
# from where): those entries are the record of the refusal, not something stored.
FAILURE_RECORDS = {"account.sign_in_failed", "account.mfa_failed"}


def changed_tables(before: Rows, after: Rows) -> list[str]:
    audit = AuditEvent._meta.label
    after = {
        **after,
        audit: {
            pk: row
            for pk, row in after[audit].items()
            if pk in before[audit] or row["action"] not in FAILURE_RECORDS
        },
    }
    return [label for label in before if before[label] != after[label]]


def tenant_objects(world: World) -> dict[type, set[int]]:
    """The ids of a partnership's own objects, by model (accounts are shared, not owned)."""
    ids: dict[type, set[int]] = defaultdict(set)
    for obj in world.objects():
        ids[type(obj)].add(obj.pk)
    return ids


def crossed(before: Rows, after: Rows, theirs: dict[type, set[int]]) -> list[str]:
    """The other partnership's rows that changed, and new or changed rows pointing at them."""
    found = []
    for model in MODELS:
        label = model._meta.label
        for pk, row in after[label].items():
            if before[label].get(pk) == row:
                continue
            if pk in theirs.get(model, ()):
                found.append(f"{label} #{pk} changed")
            found += [
                f"{label} #{pk}.{column} points at theirs"
                for column, pointed in POINTERS[label]
                if row[column] in theirs.get(pointed, ())
            ]
    return found


# The query strings pages read, by URL name, with the values their links and forms offer: a
# shared link can carry anything, so each is fuzzed by GET too (tests/test_fuzz.py).
RESULTS_FILTER = {
    "channel": {"all", "questionnaire", "workshop"},
    "group": {"role:coordinators", "role:board", "sector:public", "layer:strategic"},
    "versus": {"role:others", "sector:third", "channel:workshop", "organisation:Eastvale"},
}
QUERIES: dict[str, dict[str, set[str]]] = {
    "results": RESULTS_FILTER,
    "results-7s": RESULTS_FILTER,
    "results-heat-map": RESULTS_FILTER,
    "results-export": RESULTS_FILTER,
}
