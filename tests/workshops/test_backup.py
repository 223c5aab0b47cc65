"""Backup and restore of a partnership: the file workshops/services/backup.py describes, which
models it holds and which it leaves out, and the import_partnership command refusing a bad one."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from tests.workshops.backup_helpers import (
    delete_partnership,
    empty_cache,  # noqa: F401 - a fixture
    export_to,
    import_from,
    rich,  # noqa: F401 - a fixture
    row_counts,
)
from workshops.models import Organisation, Partnership
from workshops.services import backup

# --- Bad files --------------------------------------------------------------------------------


@pytest.fixture
def exported(cast, rich, tmp_path):  # noqa: F811
    """The file of the rich partnership, in an installation it has since been deleted from."""
    path = tmp_path / "eastvale.json"
    export_to(path, cast.partnership)
    delete_partnership(cast.partnership)
    return path


def resigned(data: dict) -> str:
    """A file changed on purpose and given a matching checksum, as a faulty exporter might."""
    data["checksum"] = backup.checksum(data["payload"])
    return json.dumps(data)


def truncated(text: str) -> str:
    return text[: len(text) // 2]


def one_byte_changed(text: str) -> str:
    assert text.count("Board minutes, March") == 1
    return text.replace("Board minutes, March", "Board minutes, Marcx")


def unknown_bank(text: str) -> str:
    data = json.loads(text)
    for about in data["payload"]["banks"].values():
        about["checksum"] = "f" * 64
    return resigned(data)


def dangling_reference(text: str) -> str:
    # Late in the file, so rows before it have been inserted when it is found.
    data = json.loads(text)
    action = next(r for r in data["payload"]["objects"] if r["fields"].get("owner_person"))
    action["fields"]["owner_person"] = 999999
    return resigned(data)


def duplicate_answer(text: str) -> str:
    data = json.loads(text)
    objects = data["payload"]["objects"]
    answer = next(r for r in objects if r["model"] == "workshops.answer")
    objects.append({**answer, "pk": 999999})
    return resigned(data)


def foreign_partner(text: str) -> str:
    """A network answer about another partnership's organisation, which is here."""
    data = json.loads(text)
    answer = next(r for r in data["payload"]["objects"] if r["model"] == "workshops.networkanswer")
    answer["fields"]["partner"] = Organisation.objects.get(name="Westmoor Council").pk
    return resigned(data)


def another_format(text: str) -> str:
    return json.dumps({"format": "something-else", "version": 1, "payload": {}})


def newer_version(text: str) -> str:
    data = json.loads(text)
    data["version"] = 2
    return json.dumps(data)


@pytest.mark.parametrize(
    "damage, message",
    [
        (truncated, "The file ends too early: it was cut short"),
        (one_byte_changed, "altered or damaged since it was exported"),
        (unknown_bank, r"needs question bank version 1, “Working better together\?"),
        (dangling_reference, r"action \d+ refers to person 999999 \(owner_person\), which is not"),
        (duplicate_answer, "The file clashes with what is already stored here"),
        (
            foreign_partner,
            r"network answer \d+ refers to organisation \d+ \(partner\), which is not",
        ),
        (another_format, "The file is not a partnership backup"),
        (newer_version, "backup format version 2; this installation reads version 1"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason_and_nothing_is_stored(
    exported, damage, message, tmp_path
):
    bad = tmp_path / "bad.json"
    bad.write_text(damage(exported.read_text()))
    before = row_counts()

    with pytest.raises(CommandError) as refused:
        import_from(bad)

    assert f"{bad} was not imported: " in str(refused.value)
    assert re.search(message, str(refused.value))
    assert row_counts() == before
    assert not Partnership.objects.filter(name="Eastvale LSP").exists()
    # The untouched file still imports.
    import_from(exported)
    assert Partnership.objects.filter(name="Eastvale LSP").count() == 1


# --- What the file holds, and the commands' arguments -----------------------------------------


def test_every_workshops_model_is_in_backups_or_left_out_on_purpose(db):
    # A model added later must be added to backup.EXPORTED (or, if it belongs to the
    # installation rather than a partnership, to backup.EXCLUDED with the reason).
    exported = {label for label, _ in backup.EXPORTED}
    for model in apps.get_app_config("workshops").get_models():
        label = model._meta.label
        assert label in exported or label in backup.EXCLUDED, f"{label} is not in backups"
    assert len(exported) == len(backup.EXPORTED)
    for label, path in backup.EXPORTED:
        model = apps.get_model(label)
        assert not model._base_manager.filter(**{path: 0}).exists()  # a lookup that works


def test_the_commands_say_what_is_wrong_with_their_arguments(db, tmp_path):
    with pytest.raises(CommandError, match="There is no partnership 999"):
        call_command("export_partnership", "999", stdout=StringIO())
    with pytest.raises(CommandError, match="cannot be read"):
        import_from(tmp_path / "missing.json")
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(CommandError, match="The file is empty"):
        import_from(empty)
