"""What a question bank says, once its file has been read and checked.

BankSpec, SectionSpec and ItemSpec hold a bank's content apart from how it was
written: its checksum (over that content, not the file's layout or comments) is
what tells a new version from one already loaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field


@dataclass
class ItemSpec:
    key: str
    text: str
    kind: str
    parent: str | None = None
    investigate_when: str = ""
    na_allowed: bool = False
    # Ours, not the instrument's: plain-English help and the 2008 survey's figures.
    guidance: str = ""
    survey_2008: list[str] = field(default_factory=list)


@dataclass
class SectionSpec:
    number: int
    heading: str
    name: str
    aspect: str
    covers: str
    is_element: bool
    items: list[ItemSpec] = field(default_factory=list)


@dataclass
class BankSpec:
    title: str
    source: str
    scale: list[dict]
    dont_know_label: str
    bands: list[dict]
    sections: list[SectionSpec]
    # Terms explained in plain English, as {term, stands_for, meaning, matches}.
    glossary: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        # Guidance and the glossary are left out when empty, so a bank written before
        # they existed keeps its checksum and is not loaded again as a new version.
        content = {
            "title": self.title,
            "source": self.source,
            "scale": self.scale,
            "dont_know_label": self.dont_know_label,
            "bands": self.bands,
            "sections": [
                {
                    **{k: v for k, v in vars(section).items() if k != "items"},
                    "items": [_without_empty_guidance(vars(item)) for item in section.items],
                }
                for section in self.sections
            ],
        }
        if self.glossary:
            content["glossary"] = self.glossary
        return content

    def checksum(self) -> str:
        canonical = json.dumps(self.as_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def item_count(self) -> int:
        return sum(len(section.items) for section in self.sections)


def _without_empty_guidance(item: dict) -> dict:
    return {k: v for k, v in item.items() if v or k not in {"guidance", "survey_2008"}}
