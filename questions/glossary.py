"""Which glossary terms a question's words use.

A term matches on any of its phrases as whole words, in any case and also in the plural
or possessive ("LSPs", "LSP's"), so an editor lists a term once and every question that
uses it explains it.
"""

from __future__ import annotations

import re


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    words = "|".join(re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{words})(?:s|es)?(?!\w)", re.IGNORECASE)


def terms_used(text: str, glossary: list[dict]) -> list[dict]:
    """The glossary entries (term, stands_for, meaning) whose phrases appear in ``text``."""
    return [
        {key: entry[key] for key in ("term", "stands_for", "meaning")}
        for entry in glossary
        if _pattern(entry["matches"]).search(text)
    ]
