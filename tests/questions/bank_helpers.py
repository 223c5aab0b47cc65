"""Writing a bank file and running the command that loads it, for the question bank tests."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command


def write(tmp_path, text: str):
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_command(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_question_bank", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()
