"""The instrument: versions of the question bank, its sections and items.

Rows here are never edited once loaded. Answers point at items, so a changed
YAML file becomes a new BankVersion and old assessments keep the version they
were created with.
"""

from __future__ import annotations

from django.db import models


class BankVersion(models.Model):
    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=300)
    source = models.CharField(max_length=300, blank=True)
    # SHA-256 of the parsed content, so re-loading the same file (or the same
    # content with different comments or layout) is recognised and skipped.
    checksum = models.CharField(max_length=64, unique=True)
    scale = models.JSONField(help_text="Rating scale as a list of {value, label}, lowest first.")
    dont_know_label = models.CharField(max_length=100, default="Don't know")
    bands = models.JSONField(
        default=list,
        help_text="Interpretation bands for element scores as {key, label, min}, highest first.",
    )
    # Our plain-English explanations, kept apart from the instrument's own words. The
    # database's own default lets code written before these columns still add rows.
    glossary = models.JSONField(
        default=list,
        db_default=[],
        help_text="Terms as {term, stands_for, meaning, matches}, in alphabetical order.",
    )
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    @classmethod
    def current(cls) -> BankVersion | None:
        """The newest version: what new assessments are created with."""
        return cls.objects.order_by("-number").first()

    def scale_choices(self) -> list[tuple[int, str]]:
        return [(point["value"], point["label"]) for point in self.scale]

    def outline(self) -> list[tuple[Section, list[tuple[Item, list[Item]]]]]:
        """Sections in order, each with its questions and their sub-questions (two queries)."""
        children: dict[int, list[Item]] = {}
        top: dict[int, list[Item]] = {}
        for item in self.items.filter(local=False):
            if item.parent_id:
                children.setdefault(item.parent_id, []).append(item)
            else:
                top.setdefault(item.section_id, []).append(item)
        return [
            (section, [(q, children.get(q.pk, [])) for q in top.get(section.pk, [])])
            for section in self.sections.filter(local=False)
        ]


class Section(models.Model):
    class Aspect(models.TextChoices):
        CENTRE = "centre", "Centre"
        SOFT = "soft", "Soft (transformational)"
        HARD = "hard", "Hard (transactional)"

    bank = models.ForeignKey(BankVersion, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=200)
    # The 7S name (SCS, Staff and skills, …). Blank for "Looking forward",
    # which closes the instrument but is not one of the seven elements.
    name = models.CharField(max_length=50, blank=True)
    aspect = models.CharField(max_length=10, choices=Aspect.choices, blank=True)
    covers = models.CharField(max_length=300, blank=True)
    is_element = models.BooleanField(default=True)
    # The section holding the questions partnerships add of their own, after the
    # instrument's: shared by a version's assessments, each asking only its own in it.
    local = models.BooleanField(default=False, db_default=False)

    LOCAL_NUMBER = 99
    LOCAL_HEADING = "Local questions"

    class Meta:
        ordering = ["bank", "number"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "number"], name="section_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.heading}"

    @classmethod
    def local_section(cls, bank: BankVersion) -> Section:
        """The version's section for local questions, made the first time one is put there."""
        section, _ = cls.objects.get_or_create(
            bank=bank,
            number=cls.LOCAL_NUMBER,
            defaults={"heading": cls.LOCAL_HEADING, "is_element": False, "local": True},
        )
        return section


class Item(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", "How well (rating)"
        YES_NO = "yes_no", "Yes or no"
        OPEN = "open", "Open question"

    class Trigger(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"

    bank = models.ForeignKey(BankVersion, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    key = models.CharField(max_length=20, help_text="Stable across versions, e.g. 3.2 or 3.2.1.")
    text = models.TextField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    investigate_when = models.CharField(
        max_length=3,
        choices=Trigger.choices,
        blank=True,
        help_text="For yes/no items: the answer that calls for investigation.",
    )
    na_allowed = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(help_text="Order within the bank.")
    # Written by us, never part of the question's text (which stays the instrument's).
    guidance = models.TextField(blank=True, db_default="")
    survey_2008 = models.JSONField(
        default=list,
        db_default=[],
        help_text="What the Audit Commission's 2008 LSP survey found on this question.",
    )
    # The glossary terms this question's words use, copied at load time: a version's rows
    # never change, and every page showing a question then needs no further query.
    glossary = models.JSONField(
        default=list, db_default=[], help_text="Terms used, as {term, stands_for, meaning}."
    )
    # A question one partnership added to one of its assessments ("L1", "L2", …), not
    # the instrument's: its key and position are unique within that assessment only
    # (workshops.services.local_questions), and comparisons never include it.
    local = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["bank", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "key"],
                condition=models.Q(local=False),
                name="item_key_unique_in_bank",
            ),
            models.UniqueConstraint(
                fields=["bank", "position"],
                condition=models.Q(local=False),
                name="item_position_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.text}"

    @property
    def local_number(self) -> int:
        """A local question's number within its assessment (3 for "L3")."""
        return int(self.key[1:]) if self.local else 0

    @property
    def has_guidance(self) -> bool:
        """True when there is something to show under "What does this mean?"."""
        return bool(self.guidance or self.glossary or self.survey_2008)

    def needs_investigation(self, answer: str) -> bool:
        """True when a yes/no answer is the one the instrument says to look into."""
        return self.kind == self.Kind.YES_NO and answer == self.investigate_when
