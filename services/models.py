"""The organisation and its services: who exists, and what services they deliver end to end."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from servicelead.history import ChangeHistory
from servicelead.text import single_line
from services.proportionality import hands_on_recommended

CURRENCY_CODE = RegexValidator(r"^[A-Z]{3}$", "Give a three-letter currency code, such as GBP.")


# The most a contact may be priced at, and how finely (as the other rates).
CONTACT_COST_DIGITS, CONTACT_COST_PLACES = 12, 2


def contact_cost(raw) -> Decimal:
    """A cost of a contact as ``Organisation.contact_costs`` keeps it ("6.50"), checked: a
    number of at most 10 digits before the point and 2 after, not negative."""
    try:
        amount = Decimal(str(raw)) if isinstance(raw, str | int | Decimal) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        raise ValidationError(f"“{str(raw)[:40]}” is not a cost: give a number, 0 or more.")
    places = CONTACT_COST_DIGITS - CONTACT_COST_PLACES
    if amount != amount.quantize(Decimal(1).scaleb(-CONTACT_COST_PLACES)) or amount >= 10**places:
        raise ValidationError(
            f"“{str(raw)[:40]}” is not a cost: give at most {places} digits before the point "
            f"and {CONTACT_COST_PLACES} after."
        )
    return amount + 0  # no "-0"


def contact_costs_valid(value) -> None:
    """``Organisation.contact_costs``: {channel: cost}, for the journey's channels."""
    if not isinstance(value, dict):
        raise ValidationError('Give the cost of a contact on each channel, as {"phone": "6.50"}.')
    for channel, raw in value.items():
        if channel not in Stage.Channel.values:
            raise ValidationError(
                f"“{str(channel)[:40]}” is not a channel: use one of "
                f"{', '.join(Stage.Channel.values)}."
            )
        contact_cost(raw)


def site_currency() -> str:
    """The currency of organisations and cost lines that name none (``SITE_CURRENCY``)."""
    return settings.SITE_CURRENCY


class Organisation(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", "Department"
        AGENCY = "agency", "Agency"
        SUPPLIER = "supplier", "Supplier"
        OTHER = "other", "Other body"

    name = models.CharField(max_length=200, unique=True, validators=[single_line])
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    description = models.TextField(blank=True)
    currency = models.CharField(
        max_length=3,
        default=site_currency,
        validators=[CURRENCY_CODE],
        help_text="The currency it accounts in: its services' money is shown in it.",
    )
    hourly_rate = models.DecimalField(
        "loaded cost of an hour of staff time",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="In its currency, with on-costs. Prices the hours its services' friction "
        "wastes; left empty, it is worked out from its staff cost and staff numbers where both "
        "are known, else the site's default is used.",
    )
    staff_fte = models.DecimalField(
        "staff, in full-time equivalents",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="With a year of the staff cost lines it pays, this gives the loaded cost of "
        "an hour where none is set.",
    )
    cost_per_contact = models.DecimalField(
        "cost of handling a contact",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="In its currency. Prices the failure-demand contacts friction causes, except "
        "on a channel whose own cost is given below; left empty, the site's default is used.",
    )
    # The cost of handling a contact on particular channels ({"phone": "6.50"}), in its
    # currency: where given, it prices contacts on that channel instead of cost_per_contact.
    contact_costs = models.JSONField(
        "cost of a contact on each channel",
        default=dict,
        blank=True,
        validators=[contact_costs_valid],
    )

    history = ChangeHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("services:organisation", args=[self.slug])


class Directorate(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="directorates"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The directorate this one sits within, if any.",
    )
    name = models.CharField(max_length=300, validators=[single_line])
    code = models.CharField(
        max_length=40,
        blank=True,
        help_text="A code another system knows it by, e.g. a programme code; unique in the "
        "organisation.",
    )
    description = models.TextField(blank=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="directorate_name_unique_in_organisation"
            ),
            models.UniqueConstraint(
                fields=["organisation", "code"],
                condition=~Q(code=""),
                name="directorate_code_unique_in_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} / {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("services:directorate", args=[self.pk])

    def clean(self) -> None:
        if self.parent_id and self.parent.organisation_id != self.organisation_id:
            raise ValidationError(
                {"parent": "A directorate can only sit within a directorate of its organisation."}
            )
        seen: set[int] = set()
        ancestor = self.parent
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": "A directorate cannot sit within itself."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Team(models.Model):
    class TeamType(models.TextChoices):
        STREAM_ALIGNED = "stream-aligned", "Stream-aligned"
        PLATFORM = "platform", "Platform"
        ENABLING = "enabling", "Enabling"
        COMPLICATED_SUBSYSTEM = "complicated-subsystem", "Complicated-subsystem"
        OPERATIONS = "operations", "Operational / case-working"
        POLICY = "policy", "Policy"
        SUPPLIER = "supplier", "Third-party supplier"

    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=300, validators=[single_line])
    team_type = models.CharField(
        max_length=30, choices=TeamType.choices, default=TeamType.STREAM_ALIGNED
    )
    description = models.TextField(blank=True)
    members = models.ManyToManyField(
        "Person", through="TeamMembership", related_name="teams", blank=True
    )

    history = ChangeHistory()

    class Meta:
        ordering = ["directorate__organisation__name", "directorate__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["directorate", "name"], name="team_name_unique_in_directorate"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("services:team", args=[self.pk])


class Person(models.Model):
    """Someone in the organisation. Linked to a sign-in account when they use Servicelead."""

    name = models.CharField(max_length=200, validators=[single_line])
    email = models.EmailField(unique=True, null=True, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    wants_digest = models.BooleanField(
        "send me the weekly digest",
        default=True,
        help_text="A Monday email about the services you lead: what changed and what is due.",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    history = ChangeHistory()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role_title = models.CharField(max_length=200, blank=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["team__name", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "team"], name="one_membership_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.team}"


class Service(models.Model):
    class Kind(models.TextChoices):
        TRANSACTIONAL = "transactional", "Public-facing transactional"
        INTERNAL = "internal", "Internal / staff"
        PLATFORM = "platform", "Platform or cross-cutting capability"

    class Phase(models.TextChoices):
        DISCOVERY = "discovery", "Discovery"
        ALPHA = "alpha", "Alpha"
        BETA = "beta", "Beta"
        LIVE = "live", "Live"
        RETIRING = "retiring", "Retiring"

    class LeadershipModel(models.TextChoices):
        SINGLE = "single", "Single leader"
        TEAM = "team", "Multidisciplinary leadership team"
        COUNCIL = "council", "Council or working group"
        NONE = "none", "None"

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=300, validators=[single_line])
    purpose = models.TextField(blank=True)
    serves = models.TextField("who it serves", blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="accountable_services",
        verbose_name="accountable organisation",
    )
    vision = models.TextField("vision statement", blank=True)
    leadership_model = models.CharField(
        max_length=20, choices=LeadershipModel.choices, default=LeadershipModel.NONE
    )
    restricted = models.BooleanField(
        default=False,
        help_text="Only the service's leaders, members of its teams and org admins can see it.",
    )
    published = models.BooleanField(
        default=False,
        help_text="Its figures are open to anyone, without signing in: a public page and "
        "downloads of its figures each year (never its people, notes or decisions).",
    )
    automated_decision_system = models.BooleanField(
        "uses an automated decision system",
        null=True,
        blank=True,
        help_text="As published (the GC inventory's automated_decision_system); empty when "
        "not said.",
    )
    automated_decision_description = models.TextField(
        "automated decision system, as described", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["organisation", "phase"]),
            # Lists by name (whatever its case) read a page from the index, not a sort of
            # every service.
            models.Index(Lower("name"), "id", name="service_by_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(published=True, restricted=True), name="restricted_never_published"
            ),
        ]
        permissions = [
            ("lead_service", "Can lead the service: its details, leadership, journey and rights"),
            ("contribute_to_service", "Can log hand-offs, stage logs, friction and decisions"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("services:service", args=[self.slug])

    def clean(self) -> None:
        if self.published and self.restricted:
            raise ValidationError(
                {
                    "published": "A restricted service cannot be published: its figures are "
                    "for its leaders, its teams and org admins only."
                }
            )


class Priority(models.Model):
    """One of a service's ordered priorities."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="priorities")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)

    history = ChangeHistory()

    class Meta:
        ordering = ["service", "position"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(
                fields=["service", "position"], name="priority_position_unique_in_service"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="priority_position_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class ServiceLeader(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="leaders")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="leads")
    role = models.CharField(
        max_length=200, blank=True, help_text="e.g. Service owner, Head of operations"
    )
    leads_on = models.CharField(
        "leads from among peers on",
        max_length=300,
        blank=True,
        help_text="Aspects this leader leads on for the leadership team, comma-separated.",
    )

    history = ChangeHistory()

    class Meta:
        ordering = ["service", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "person"], name="leader_once_per_service"),
        ]

    def __str__(self) -> str:
        return f"{self.person} leads {self.service}"

    @property
    def aspects(self) -> list[str]:
        return [aspect.strip() for aspect in self.leads_on.split(",") if aspect.strip()]


class ProportionalityAssessment(models.Model):
    """Does this service need hands-on whole-service leadership? Five yes/no criteria."""

    CRITERIA = (
        ("important", "Important to the organisation's remit"),
        ("large_complex", "Large and complex (users, volumes, money, people, teams or areas)"),
        ("in_house_control", "Enough in-house control to steer it"),
        ("major_change", "Major change planned or under way"),
        ("critical_issues", "Valuable or critical problems, opportunities or risks"),
    )

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="assessment")
    important = models.BooleanField(CRITERIA[0][1], default=False)
    important_note = models.TextField(blank=True)
    large_complex = models.BooleanField(CRITERIA[1][1], default=False)
    large_complex_note = models.TextField(blank=True)
    in_house_control = models.BooleanField(CRITERIA[2][1], default=False)
    in_house_control_note = models.TextField(blank=True)
    major_change = models.BooleanField(CRITERIA[3][1], default=False)
    major_change_note = models.TextField(blank=True)
    critical_issues = models.BooleanField(CRITERIA[4][1], default=False)
    critical_issues_note = models.TextField(blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    history = ChangeHistory()

    def __str__(self) -> str:
        return f"Proportionality of {self.service}"

    @property
    def criteria(self) -> list[tuple[str, bool, str]]:
        """(label, holds, note) for each criterion, in order."""
        return [
            (label, getattr(self, field), getattr(self, f"{field}_note"))
            for field, label in self.CRITERIA
        ]

    @property
    def criteria_met(self) -> int:
        return sum(getattr(self, field) for field, _ in self.CRITERIA)

    @property
    def hands_on_recommended(self) -> bool:
        return hands_on_recommended(criteria_met=self.criteria_met, important=self.important)


class Stage(models.Model):
    class Channel(models.TextChoices):
        DIGITAL = "digital", "Digital"
        ASSISTED_DIGITAL = "assisted_digital", "Assisted digital"
        PHONE = "phone", "Phone"
        PAPER = "paper", "Paper"
        IN_PERSON = "in_person", "In person"
        OTHER = "other", "Other"

    class Performer(models.TextChoices):
        PEOPLE = "people", "People"
        AUTOMATION = "automation", "Automation (fixed rules)"
        ASSISTIVE_AI = "assistive_ai", "An assistive AI agent (people act on what it suggests)"
        AUTONOMOUS_AI = "autonomous_ai", "An autonomous AI agent (it acts on its own)"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200, validators=[single_line])
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stages",
        help_text="The team that owns this stage.",
    )
    channels = models.JSONField(default=list, blank=True)
    online = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    performer = models.CharField(
        "who performs it",
        max_length=20,
        choices=Performer.choices,
        default=Performer.PEOPLE,
        help_text="An agent or automation may perform a stage or give input to its decisions; "
        "it never holds the Decide right.",
    )
    agent_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agent_stages",
        verbose_name="team accountable for the agent",
        help_text="The team that answers for the automation or agent performing this stage.",
    )

    history = ChangeHistory()

    class Meta:
        ordering = ["service", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "position"], name="stage_position_unique_in_service"
            ),
            models.UniqueConstraint(
                fields=["service", "name"], name="stage_name_unique_in_service"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="stage_position_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    def clean(self) -> None:
        if not isinstance(self.channels, list):
            raise ValidationError({"channels": "Channels must be a list of channel codes."})
        unknown = sorted(set(self.channels) - set(self.Channel.values))
        if unknown:
            raise ValidationError({"channels": f"Unknown channel: {', '.join(unknown)}."})
        # One order, the list's, whoever wrote them: the same channels are never a change.
        self.channels = [code for code in self.Channel.values if code in self.channels]
        if self.performer == self.Performer.PEOPLE:
            self.agent_team = None  # people answer for themselves

    @property
    def by_agent(self) -> bool:
        """Performed by automation or an AI agent rather than by people."""
        return self.performer != self.Performer.PEOPLE

    @property
    def agent_name(self) -> str:
        """What performs it, in a few words ("Autonomous AI agent")."""
        return AGENT_NAMES[self.performer]

    @property
    def autonomous(self) -> bool:
        return self.performer == self.Performer.AUTONOMOUS_AI

    @property
    def channel_labels(self) -> list[str]:
        labels = dict(self.Channel.choices)
        return [labels.get(code, code) for code in self.channels]


AGENT_NAMES = {
    Stage.Performer.PEOPLE: "People",
    Stage.Performer.AUTOMATION: "Automation",
    Stage.Performer.ASSISTIVE_AI: "Assistive AI agent",
    Stage.Performer.AUTONOMOUS_AI: "Autonomous AI agent",
}


class ServiceTeam(models.Model):
    """A team taking part in a service beyond owning a stage (e.g. a platform or policy team)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="participations")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=200, blank=True, help_text="What the team does for it.")

    history = ChangeHistory()

    class Meta:
        ordering = ["service", "team__name"]
        verbose_name = "participating team"
        constraints = [
            models.UniqueConstraint(fields=["service", "team"], name="team_once_per_service"),
        ]

    def __str__(self) -> str:
        return f"{self.team} in {self.service}"


class ServiceDependency(models.Model):
    """``service`` relies on ``depends_on``, with the trade-offs that imposes."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="dependencies")
    depends_on = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="dependents")
    note = models.TextField("trade-offs", blank=True)

    history = ChangeHistory()

    class Meta:
        ordering = ["service", "depends_on__name"]
        verbose_name_plural = "service dependencies"
        constraints = [
            models.UniqueConstraint(fields=["service", "depends_on"], name="dependency_once"),
            models.CheckConstraint(
                condition=~Q(service=models.F("depends_on")), name="service_not_own_dependency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} relies on {self.depends_on}"


class ServiceUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-service permissions for users, with a real foreign key.

    Rows are derived from who leads the service and which teams take part in it, and kept in
    step by ``services.actions.service_access_sync``; don't edit them by hand.
    """

    content_object = models.ForeignKey(Service, on_delete=models.CASCADE)


class ServiceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Service, on_delete=models.CASCADE)


class FiguresVersion(models.Model):
    """How often a service's figures have changed. Every write that changes them adds one in
    its own transaction, so a roll-up computed before the write is known to be behind, and a
    write can never commit without saying so (``services.versions``)."""

    service = models.OneToOneField(
        Service, primary_key=True, on_delete=models.CASCADE, related_name="figures_version"
    )
    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    # When a refresh of its roll-ups was last asked for and not yet begun: writes in between
    # ask for no other (many writes, one refresh).
    refresh_queued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.service_id} v{self.version}"
