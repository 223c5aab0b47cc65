"""Partnerships (LSPs), the organisations and people in them, and who may do what.

Every other object in the workshops app hangs off a Partnership, and every
query for one starts from it: that is what keeps one installation's
partnerships apart.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse


class Partnership(models.Model):
    class AuthorityType(models.TextChoices):
        COUNTY = "county", "County"
        DISTRICT = "district", "District"
        UNITARY = "unitary", "Unitary"
        METROPOLITAN = "metropolitan", "Metropolitan district"
        LONDON = "london", "London borough"

    name = models.CharField(max_length=200)
    area = models.CharField(max_length=200, help_text="The place the partnership serves.")
    authority_type = models.CharField(max_length=20, choices=AuthorityType.choices)
    county_partnership = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="district_partnerships",
        help_text="In a two-tier area, the county partnership a district partnership sits under.",
    )
    share_benchmarks = models.BooleanField(
        "Share anonymised results for benchmarking",
        default=False,
        help_text="Other partnerships see averages that include ours, never our name; "
        "we see theirs once at least five partnerships take part.",
    )
    # Two-tier areas: those who read results in the county partnership see this district's
    # element scores by name. Off until a coordinator of the district turns it on, and it
    # stops at once when turned off: nothing is copied to the county.
    share_with_county = models.BooleanField(
        "Share our results with our county partnership",
        default=False,
        help_text="The county partnership's coordinators, facilitators and executives see our "
        "element scores, with our name, beside those of its other districts that share theirs.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by support staff once they have checked the partnership is real. Until
    # then it counts in nobody's comparisons and its emails wait: anyone could
    # otherwise set up fake partnerships to work out others' figures, or to send
    # mail from our address.
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Emails sent on the day in ``emails_day``: the daily limit is counted here,
    # on the row every sender locks, so two senders at once cannot both use it up.
    emails_day = models.DateField(null=True, blank=True, editable=False)
    emails_sent = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnership", args=[self.pk])

    def clean(self) -> None:
        parent = self.county_partnership
        if parent is None:
            if self.share_with_county:
                raise ValidationError(
                    {"share_with_county": "Choose the county partnership to share results with."}
                )
            return
        if self.authority_type != self.AuthorityType.DISTRICT:
            raise ValidationError(
                {"county_partnership": "Only a district partnership sits under a county one."}
            )
        if parent.authority_type != self.AuthorityType.COUNTY:
            raise ValidationError({"county_partnership": f"{parent} is not a county partnership."})

    def membership_for(self, user) -> Membership | None:
        if not user.is_authenticated:
            return None
        return self.memberships.filter(user=user).first()


class Sector(models.TextChoices):
    PUBLIC = "public", "Public sector"
    PRIVATE = "private", "Private sector"
    THIRD = "third", "Third sector"


class Comparison(models.TextChoices):
    """What results compare respondents by. Never stored: each value is the word pages and
    files print (as headings, columns and "Compared by"), so a member prints as itself."""

    ROLE = "Role", "Role"
    SECTOR = "Sector", "Sector"
    LAYER = "Governance layer", "Governance layer"
    ORGANISATION = "Organisation", "Organisation"


class Organisation(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="organisations"
    )
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=10, choices=Sector.choices)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="organisation_name_unique_in_partnership"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "LSP coordinator"
        CHAIR = "chair", "Chair"
        BOARD_MEMBER = "board_member", "Board member"
        EXECUTIVE = "executive", "Executive"
        THEME_LEAD = "theme_lead", "Theme or operational lead"
        ELECTED_MEMBER = "elected_member", "Elected member"
        SCRUTINY_MEMBER = "scrutiny_member", "Scrutiny member"
        OFFICER = "officer", "Officer"

    class Layer(models.TextChoices):
        STRATEGIC = "strategic", "Strategic (board)"
        EXECUTIVE = "executive", "Executive"
        OPERATIONAL = "operational", "Operational or thematic"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="people")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    layer = models.CharField(max_length=20, choices=Layer.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        help_text="The login account of this person, if they have one.",
    )
    # Set when their name and contact details were erased at their request;
    # the row stays so that their anonymised answers keep their groups.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "email"],
                condition=~models.Q(email=""),
                name="person_email_unique_in_partnership",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.organisation_id
            and self.partnership_id
            and self.organisation.partnership_id != self.partnership_id
        ):
            raise ValidationError({"organisation": "Choose an organisation of this partnership."})

    @property
    def sector(self) -> str:
        return self.organisation.sector


class Membership(models.Model):
    """A user's permission role in one partnership."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"
        FACILITATOR = "facilitator", "Facilitator"
        EXECUTIVE = "executive", "Executive"
        PARTICIPANT = "participant", "Participant"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["partnership", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user"], name="one_membership_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.partnership}"

    # The role rules. Views ask these rather than comparing role names, so a
    # change of policy happens in one place.
    @property
    def can_manage(self) -> bool:
        """Set up the partnership, its people, assessments and invitations."""
        return self.role == self.Role.COORDINATOR

    @property
    def can_facilitate(self) -> bool:
        """Run workshops."""
        return self.role in {self.Role.COORDINATOR, self.Role.FACILITATOR}

    @property
    def can_view_results(self) -> bool:
        """Read results and download improvement plans."""
        return self.role in {self.Role.COORDINATOR, self.Role.FACILITATOR, self.Role.EXECUTIVE}

    def may_grant(self, role: str) -> bool:
        """Invite someone with ``role``: never a role above one's own. The roles are
        listed highest first, and each may do all that those below it may."""
        order = self.Role.values
        return role in order and order.index(role) >= order.index(self.role)


def a_role(role: str) -> str:
    """ "an executive", "a participant": a member's role as a sentence names it (in pages,
    emails and the audit log alike)."""
    label = Membership.Role(role).label.lower()
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"
