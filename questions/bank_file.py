"""Reading and checking a question bank file (YAML) into a BankSpec.

The whole file is checked before anything is returned, and every problem is
reported with its line in the file, so an editor can fix them all in one go.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from questions.bank_spec import BankSpec, ItemSpec, SectionSpec
from questions.models import Item, Section

KEY_PATTERN = re.compile(r"^\d+\.\d+(\.\d+)?$")
KINDS = {choice.value for choice in Item.Kind}
TRIGGERS = {choice.value for choice in Item.Trigger}
ASPECTS = {choice.value for choice in Section.Aspect}

TOP_FIELDS = {
    "title",
    "source",
    "scale",
    "dont_know_label",
    "bands",
    "elements",
    "looking_forward",
    "glossary",
}
SECTION_FIELDS = {"number", "heading", "name", "aspect", "covers", "items"}
CLOSING_FIELDS = {"number", "heading", "covers", "items"}
ITEM_FIELDS = {
    "key",
    "parent",
    "kind",
    "text",
    "investigate_when",
    "na_allowed",
    "guidance",
    "survey_2008",
}
GLOSSARY_FIELDS = {"term", "stands_for", "meaning", "matches"}


class BankError(Exception):
    """The file cannot be loaded; ``problems`` lists every reason with its location."""

    def __init__(self, path: str, problems: list[tuple[int | None, str]]):
        self.path = path
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [
            f"{self.path}, line {line}: {message}" if line else f"{self.path}: {message}"
            for line, message in self.problems
        ]


class _Located(dict):
    """A YAML mapping that remembers the line it started on."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_located_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Located:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"field {key!r} appears twice (first on line {seen[key]})",
                key_node.start_mark,
            )
        seen[key] = line
    mapping = _Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_located_mapping
)


class _Validator:
    def __init__(self) -> None:
        self.problems: list[tuple[int | None, str]] = []
        self.keys: dict[str, int] = {}
        self.texts: dict[str, int] = {}

    def problem(self, node: Any, message: str) -> None:
        self.problems.append((getattr(node, "line", None), message))

    def mapping(self, node: Any, what: str, allowed: set[str]) -> bool:
        if not isinstance(node, dict):
            self.problem(node, f"{what} must be a mapping of fields.")
            return False
        for unknown in sorted(set(node) - allowed, key=str):
            self.problem(node, f"{what} has an unknown field {unknown!r}.")
        return True

    def text(self, node: dict, name: str, what: str, *, required: bool = True) -> str:
        value = node.get(name)
        if value is None:
            if required:
                self.problem(node, f"{what} is missing its {name}.")
            return ""
        if not isinstance(value, str):
            self.problem(node, f"{what}: {name} must be text, not {value!r}.")
            return ""
        if required and not value.strip():
            self.problem(node, f"{what} has an empty {name}.")
            return ""
        return value.strip()

    def bank(self, data: Any) -> BankSpec | None:
        if not self.mapping(data, "The file", TOP_FIELDS):
            return None
        title = self.text(data, "title", "The file")
        source = self.text(data, "source", "The file", required=False)
        dont_know = self.text(data, "dont_know_label", "The file", required=False) or "Don't know"
        scale = self.scale(data)
        bands = self.bands(data)
        sections: list[SectionSpec] = []
        elements = data.get("elements")
        if not isinstance(elements, list) or not elements:
            self.problem(data, "The file needs a list of elements.")
            elements = []
        for element in elements:
            section = self.section(element, is_element=True)
            if section:
                sections.append(section)
        closing = data.get("looking_forward")
        if closing is not None:
            section = self.section(closing, is_element=False)
            if section:
                sections.append(section)
        numbers = [section.number for section in sections]
        for number in {n for n in numbers if numbers.count(n) > 1}:
            self.problem(data, f"Section number {number} is used more than once.")
        return BankSpec(title, source, scale, dont_know, bands, sections, self.glossary(data))

    def scale(self, data: dict) -> list[dict]:
        scale = data.get("scale")
        if not isinstance(scale, list) or len(scale) < 2:
            self.problem(data, "The scale must list at least two points.")
            return []
        points = []
        for point in scale:
            if not self.mapping(point, "A scale point", {"value", "label"}):
                continue
            value, label = point.get("value"), point.get("label")
            if not isinstance(value, int) or isinstance(value, bool):
                self.problem(point, f"Scale value {value!r} is not a whole number.")
                continue
            if not isinstance(label, str) or not label.strip():
                self.problem(point, f"Scale value {value} has no label.")
                continue
            points.append({"value": value, "label": label.strip()})
        values = [point["value"] for point in points]
        if values != sorted(set(values)):
            self.problem(data, "Scale values must be distinct and listed lowest first.")
        return points

    def bands(self, data: dict) -> list[dict]:
        bands = data.get("bands", [])
        if not isinstance(bands, list):
            self.problem(data, "bands must be a list.")
            return []
        result = []
        for band in bands:
            if not self.mapping(band, "A band", {"key", "label", "min"}):
                continue
            minimum = band.get("min")
            if not isinstance(minimum, int | float) or isinstance(minimum, bool):
                self.problem(band, f"Band {band.get('key')!r} needs a numeric min.")
                continue
            result.append(
                {
                    "key": self.text(band, "key", "A band"),
                    "label": self.text(band, "label", "A band"),
                    "min": float(minimum),
                }
            )
        minimums = [band["min"] for band in result]
        if minimums != sorted(set(minimums), reverse=True):
            self.problem(data, "Bands must be listed highest first with distinct minimums.")
        return result

    def glossary(self, data: dict) -> list[dict]:
        entries = data.get("glossary", [])
        if not isinstance(entries, list):
            self.problem(data, "glossary must be a list of terms.")
            return []
        result: list[dict] = []
        seen: dict[str, int] = {}
        for node in entries:
            if not self.mapping(node, "A glossary term", GLOSSARY_FIELDS):
                continue
            term = self.text(node, "term", "A glossary term")
            if not term:
                continue
            what = f"Glossary term {term!r}"
            if term.casefold() in seen:
                self.problem(node, f"{what} appears twice (first on line {seen[term.casefold()]}).")
                continue
            seen[term.casefold()] = node.line
            meaning = node.get("meaning")
            if not isinstance(meaning, str) or not meaning.strip():
                self.problem(node, f"{what} has no meaning.")
                continue
            matches = node.get("matches", [term])
            if not isinstance(matches, list) or not all(
                isinstance(phrase, str) and phrase.strip() for phrase in matches
            ):
                self.problem(node, f"{what}: matches must be a list of phrases.")
                continue
            result.append(
                {
                    "term": term,
                    "stands_for": self.text(node, "stands_for", what, required=False),
                    "meaning": meaning.strip(),
                    "matches": [phrase.strip() for phrase in matches],
                }
            )
        return sorted(result, key=lambda entry: entry["term"].casefold())

    def section(self, node: Any, *, is_element: bool) -> SectionSpec | None:
        what = "An element" if is_element else "Looking forward"
        if not self.mapping(node, what, SECTION_FIELDS if is_element else CLOSING_FIELDS):
            return None
        number = node.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            self.problem(node, f"{what} needs a positive whole number.")
            return None
        what = f"Section {number}"
        section = SectionSpec(
            number=number,
            heading=self.text(node, "heading", what),
            name=self.text(node, "name", what) if is_element else "",
            aspect=node.get("aspect", "") if is_element else "",
            covers=self.text(node, "covers", what, required=False),
            is_element=is_element,
        )
        if is_element and section.aspect not in ASPECTS:
            self.problem(
                node,
                f"{what} has aspect {section.aspect!r}; use one of {', '.join(sorted(ASPECTS))}.",
            )
        items = node.get("items")
        if not isinstance(items, list) or not items:
            self.problem(node, f"{what} has no items.")
            return section
        local_keys: set[str] = set()
        for item_node in items:
            item = self.item(item_node, section.number, local_keys)
            if item:
                section.items.append(item)
            if isinstance(item_node, dict) and isinstance(item_node.get("key"), str):
                # Record even an invalid item's key, so its sub-questions are not
                # also reported as orphans: one mistake, one message.
                local_keys.add(item_node["key"])
        return section

    def item(self, node: Any, section_number: int, earlier: set[str]) -> ItemSpec | None:
        if not self.mapping(node, "An item", ITEM_FIELDS):
            return None
        key = node.get("key")
        if not isinstance(key, str):
            self.problem(node, f'Item key {key!r} must be quoted text such as "3.2" or "3.2.1".')
            return None
        what = f"Item {key}"
        ok = True
        if not KEY_PATTERN.match(key) or key.split(".")[0] != str(section_number):
            self.problem(
                node,
                f"{what}: a key in section {section_number} must look like "
                f'"{section_number}.N" or "{section_number}.N.M".',
            )
            ok = False
        if key in self.keys:
            self.problem(node, f"{what}: duplicate key (first used on line {self.keys[key]}).")
            ok = False
        else:
            self.keys[key] = node.line
        text = self.text(node, "text", what)
        if text:
            if text in self.texts:
                self.problem(node, f"{what}: the same text is already on line {self.texts[text]}.")
                ok = False
            else:
                self.texts[text] = node.line
        else:
            ok = False
        kind = node.get("kind")
        if kind not in KINDS:
            self.problem(
                node, f"{what}: unknown kind {kind!r}; use one of {', '.join(sorted(KINDS))}."
            )
            ok = False
        trigger = node.get("investigate_when", "")
        if kind == Item.Kind.YES_NO and trigger not in TRIGGERS:
            self.problem(node, f'{what}: a yes/no item needs investigate_when: "no" or "yes".')
            ok = False
        elif kind != Item.Kind.YES_NO and trigger:
            self.problem(node, f"{what}: investigate_when applies only to yes/no items.")
            ok = False
        na_allowed = node.get("na_allowed", False)
        if not isinstance(na_allowed, bool):
            self.problem(node, f"{what}: na_allowed must be true or false.")
            ok = False
        guidance = self.text(node, "guidance", what, required=False)
        survey = node.get("survey_2008", [])
        if not isinstance(survey, list) or not all(
            isinstance(line, str) and line.strip() for line in survey
        ):
            self.problem(node, f"{what}: survey_2008 must be a list of sentences.")
            ok = False
            survey = []
        parent = node.get("parent")
        depth = key.count(".")
        if parent is None and depth == 2:
            self.problem(node, f"{what}: a sub-question needs a parent.")
            ok = False
        elif parent is not None:
            if parent not in earlier:
                self.problem(
                    node,
                    f"{what}: parent {parent!r} does not exist earlier in section "
                    f"{section_number}.",
                )
                ok = False
            elif depth != 2 or parent.count(".") != 1 or not key.startswith(f"{parent}."):
                self.problem(node, f"{what}: a sub-question's key must extend its parent's key.")
                ok = False
        if not ok:
            return None
        return ItemSpec(
            key=key,
            text=text,
            kind=kind,
            parent=parent,
            investigate_when=trigger or "",
            na_allowed=na_allowed,
            guidance=guidance,
            survey_2008=[line.strip() for line in survey],
        )


def parse_bank(text: str, path: str = "<bank>") -> BankSpec:
    """Parse and validate YAML text; raise BankError listing every problem."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = f", column {mark.column + 1}" if mark else ""
        reason = exc.problem or exc.context or "invalid YAML"
        raise BankError(path, [(line, f"not valid YAML{column}: {reason}")]) from None
    except yaml.YAMLError as exc:
        raise BankError(path, [(None, f"not valid YAML: {exc}")]) from None
    validator = _Validator()
    spec = validator.bank(data)
    if validator.problems or spec is None:
        raise BankError(path, sorted(validator.problems, key=lambda p: p[0] or 0))
    return spec


def read_bank(path: str | Path) -> BankSpec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError(str(path), [(None, f"cannot be read: {exc}")]) from None
    return parse_bank(text, str(path))
