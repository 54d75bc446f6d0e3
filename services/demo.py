"""The demo organisation, and a generated portfolio for benchmarks.

Both are idempotent: everything is found or created by its natural key, so running the seed
again changes nothing. ``seed_demo`` (the command) calls ``seed`` here and in every other app
that has a ``demo`` module, in the order of INSTALLED_APPS.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from services.actions import journeys_replace, record_put, records_add
from services.models import (
    Directorate,
    Organisation,
    Person,
    Priority,
    ProportionalityAssessment,
    Service,
    ServiceDependency,
    ServiceLeader,
    ServiceTeam,
    Stage,
    Team,
    TeamMembership,
)
from services.queries import ORG_ADMINS_GROUP

DEMO_EPOCH = datetime(2023, 4, 1, tzinfo=UTC)  # when the demo organisation "began"
DEMO_PASSWORD = "servicelead-demo"  # noqa: S105 - demo data only, printed by `make run`

TT = Team.TeamType

# organisation -> (kind, {directorate: (parent or None, [(team, team type), ...])})
STRUCTURE = {
    "Department for Housing and Communities": (
        Organisation.Kind.DEPARTMENT,
        {
            "Operations": (
                None,
                [
                    ("Applications processing", TT.OPERATIONS),
                    ("Casework", TT.OPERATIONS),
                    ("Payments operations", TT.OPERATIONS),
                    ("Contact centre", TT.OPERATIONS),
                ],
            ),
            "Regional Delivery": (
                "Operations",
                [
                    ("North region delivery", TT.OPERATIONS),
                    ("South region delivery", TT.OPERATIONS),
                ],
            ),
            "Digital": (
                None,
                [
                    ("Apply digital team", TT.STREAM_ALIGNED),
                    ("Landlord services team", TT.STREAM_ALIGNED),
                    ("Service design", TT.ENABLING),
                    ("Data and analytics", TT.COMPLICATED_SUBSYSTEM),
                ],
            ),
            "Digital Platforms": (
                "Digital",
                [
                    ("Identity platform", TT.PLATFORM),
                    ("Payments platform", TT.PLATFORM),
                ],
            ),
            "Policy": (
                None,
                [
                    ("Housing policy", TT.POLICY),
                    ("Grants policy", TT.POLICY),
                    ("Homelessness policy", TT.POLICY),
                ],
            ),
            "Finance": (
                None,
                [
                    ("Grants finance", TT.OPERATIONS),
                    ("Financial control", TT.OPERATIONS),
                ],
            ),
            "Corporate Services": (
                None,
                [
                    ("People services", TT.OPERATIONS),
                    ("Estates and facilities", TT.OPERATIONS),
                ],
            ),
        },
    ),
    "Housing Grants Agency": (
        Organisation.Kind.AGENCY,
        {
            "Grants Operations": (
                None,
                [
                    ("Grant assessment", TT.OPERATIONS),
                    ("Fraud and error", TT.COMPLICATED_SUBSYSTEM),
                    ("Inspections", TT.OPERATIONS),
                ],
            ),
            "Agency Digital": (
                None,
                [
                    ("Agency digital team", TT.STREAM_ALIGNED),
                    ("Case management platform", TT.PLATFORM),
                ],
            ),
            "Customer Support": (
                None,
                [
                    ("Agency helpline", TT.OPERATIONS),
                    ("Complaints and appeals", TT.OPERATIONS),
                ],
            ),
            "Agency Corporate": (
                None,
                [
                    ("Agency finance", TT.OPERATIONS),
                ],
            ),
        },
    ),
    "Civic Systems Ltd": (
        Organisation.Kind.SUPPLIER,
        {
            "Managed Services": (
                None,
                [
                    ("Print and post", TT.SUPPLIER),
                    ("Outsourced contact centre", TT.SUPPLIER),
                ],
            ),
            "Hosting": (
                None,
                [
                    ("Hosting operations", TT.SUPPLIER),
                ],
            ),
        },
    ),
    "Northshire Council": (
        Organisation.Kind.OTHER,
        {
            "Housing and Communities": (
                None,
                [
                    ("Council housing options", TT.OPERATIONS),
                    ("Environmental health", TT.OPERATIONS),
                ],
            ),
        },
    ),
}

# Demo accounts: username -> (person name, job title, team, role title, org admin?)
ACCOUNTS = {
    "admin": ("Morgan Reyes", "Head of service ownership", "Service design", "Lead", True),
    "leader": (
        "Priya Shah",
        "Service owner, home improvement grants",
        "Apply digital team",
        "Service owner",
        False,
    ),
    "member": (
        "Tom Okafor",
        "Applications officer",
        "Applications processing",
        "Applications officer",
        False,
    ),
    "colleague": ("Alex Brennan", "Policy adviser", "Housing policy", "Policy adviser", False),
}

PEOPLE = [
    # name, job title, team, role title
    ("Grace Adeyemi", "Director of operations", "Casework", "Director"),
    ("Daniel Hughes", "Head of digital", "Apply digital team", "Head of digital"),
    ("Hannah Lewis", "Casework manager", "Casework", "Manager"),
    ("Imran Qureshi", "Platform owner", "Identity platform", "Product manager"),
    ("Julia Novak", "Payments lead", "Payments platform", "Product manager"),
    ("Kwame Mensah", "Head of grant assessment", "Grant assessment", "Head of assessment"),
    ("Laura Bennett", "Policy lead, grants", "Grants policy", "Policy lead"),
    ("Mohammed Rahman", "Helpline manager", "Agency helpline", "Manager"),
    ("Niamh O'Connor", "Finance business partner", "Grants finance", "Business partner"),
    ("Oliver Grant", "Delivery manager", "Landlord services team", "Delivery manager"),
    ("Rachel Kim", "User researcher", "Service design", "User researcher"),
    ("Samuel Osei", "Complaints lead", "Complaints and appeals", "Lead"),
    ("Sofia Rossi", "Data scientist", "Data and analytics", "Data scientist"),
    ("Thomas Wright", "Account director", "Outsourced contact centre", "Account director"),
    ("Uma Patel", "Head of people services", "People services", "Head of service"),
    ("Victor Lindqvist", "Fraud lead", "Fraud and error", "Fraud lead"),
    ("Wendy Clarke", "Homelessness policy lead", "Homelessness policy", "Policy lead"),
    ("Yusuf Demir", "Housing options manager", "Council housing options", "Manager"),
    ("Zara Ahmed", "Product manager", "Agency digital team", "Product manager"),
    ("Ben Carter", "Technical architect", "Case management platform", "Architect"),
    ("Chloe Martin", "Operations manager", "Applications processing", "Manager"),
    ("Ewan Fraser", "Inspections manager", "Inspections", "Manager"),
]


@dataclass(frozen=True)
class StageSpec:
    name: str
    team: str | None
    channels: tuple[str, ...] = ("digital",)
    online: bool = True
    performer: str = Stage.Performer.PEOPLE
    agent_team: str | None = None  # the team answering for the automation or AI agent


# slug -> service definition
SERVICES = {
    "home-improvement-grant": {
        "name": "Apply for a home improvement grant",
        "organisation": "Department for Housing and Communities",
        "kind": Service.Kind.TRANSACTIONAL,
        "phase": Service.Phase.LIVE,
        "purpose": "Help people on low incomes make their homes safe, warm and accessible.",
        "serves": (
            "Home owners and private tenants on low incomes; disabled people needing adaptations."
        ),
        "vision": (
            "Anyone eligible gets a decision within 4 weeks, and the work done within 3 months."
        ),
        "priorities": [
            "Halve the time work waits between checking and assessment",
            "Cut applications returned as incomplete",
            "Move grant payments onto the payments platform",
        ],
        "model": Service.LeadershipModel.TEAM,
        "published": True,  # its figures are open: /open/
        "leaders": [
            ("Priya Shah", "Service owner", "user needs, performance"),
            ("Grace Adeyemi", "Director of operations", "operations, staffing"),
            ("Daniel Hughes", "Head of digital", "technology"),
        ],
        "assessment": (True, True, True, True, True),
        "stages": [
            StageSpec("Apply", "Apply digital team", ("digital", "assisted_digital", "paper")),
            StageSpec(
                "Check eligibility",
                "Applications processing",
                ("digital",),
                performer=Stage.Performer.ASSISTIVE_AI,
                agent_team="Applications processing",
            ),
            StageSpec("Assess the work", "Grant assessment", ("digital", "in_person")),
            StageSpec("Inspect the home", "Inspections", ("in_person",), False),
            StageSpec("Decide", "Casework", ("digital",)),
            StageSpec("Pay the grant", "Payments operations", ("digital",)),
            StageSpec("Support and complaints", "Agency helpline", ("phone", "digital")),
        ],
        "participants": [
            ("Grants policy", "Sets eligibility rules"),
            ("Grants finance", "Holds the grant budget"),
        ],
        "depends_on": [
            (
                "sign-in",
                "Shares the identity platform's release cycle; cannot "
                "change sign-in journeys alone.",
            ),
            ("take-a-payment", "Payment runs only twice a week on the platform."),
        ],
    },
    "report-disrepair": {
        "name": "Report a housing disrepair",
        "organisation": "Department for Housing and Communities",
        "kind": Service.Kind.TRANSACTIONAL,
        "phase": Service.Phase.BETA,
        "purpose": "Let tenants report serious disrepair and get it inspected and fixed.",
        "serves": "Private and social tenants.",
        "vision": "Every serious hazard inspected within 10 working days.",
        "priorities": ["Route reports to the right council first time"],
        "automated_decision_system": True,
        "automated_decision_description": "An AI agent reads each report, judges how serious "
        "the hazard is and routes it to the council responsible.",
        "model": Service.LeadershipModel.SINGLE,
        "leaders": [("Oliver Grant", "Service owner", "")],
        "assessment": (True, True, True, False, True),
        "stages": [
            StageSpec("Report", "Landlord services team", ("digital", "phone")),
            # Bought in to route reports; nobody has been named to answer for it.
            StageSpec(
                "Triage",
                "Contact centre",
                ("phone", "digital"),
                performer=Stage.Performer.AUTONOMOUS_AI,
            ),
            StageSpec("Inspect", "Environmental health", ("in_person",), False),
            StageSpec("Enforce", "Council housing options", ("paper", "in_person"), False),
        ],
        "depends_on": [("sign-in", "")],
    },
    "register-landlord": {
        "name": "Register as a landlord",
        "organisation": "Department for Housing and Communities",
        "kind": Service.Kind.TRANSACTIONAL,
        "phase": Service.Phase.LIVE,
        "purpose": "Keep a register of private landlords so tenants and councils can check them.",
        "serves": "Private landlords and letting agents.",
        "model": Service.LeadershipModel.SINGLE,
        "leaders": [("Oliver Grant", "Service owner", "")],
        "assessment": (True, True, True, False, True),
        "stages": [
            StageSpec("Register", "Landlord services team"),
            StageSpec("Pay the fee", "Payments platform"),
            StageSpec("Verify", "Applications processing"),
        ],
        "depends_on": [("sign-in", ""), ("take-a-payment", "")],
    },
    "emergency-housing-support": {
        "name": "Apply for emergency housing support",
        "organisation": "Department for Housing and Communities",
        "kind": Service.Kind.TRANSACTIONAL,
        "phase": Service.Phase.ALPHA,
        "purpose": "Get people at risk of homelessness into safe housing quickly.",
        "serves": "People at risk of homelessness, and the councils that house them.",
        "model": Service.LeadershipModel.COUNCIL,
        "leaders": [
            ("Wendy Clarke", "Chair of the working group", ""),
            ("Yusuf Demir", "Council representative", ""),
            ("Hannah Lewis", "Operations representative", ""),
        ],
        "assessment": (True, True, True, False, True),
        "stages": [
            StageSpec("Ask for help", "Outsourced contact centre", ("phone",), False),
            StageSpec("Assess need", "Council housing options", ("in_person", "phone"), False),
            StageSpec("Find housing", "Council housing options", ("in_person",), False),
            StageSpec("Fund placement", "Grants finance", ("digital",)),
        ],
        "participants": [("Homelessness policy", "Owns the policy")],
    },
    "renew-licence": {
        "name": "Renew a house in multiple occupation licence",
        "organisation": "Department for Housing and Communities",
        "kind": Service.Kind.TRANSACTIONAL,
        "phase": Service.Phase.RETIRING,
        "purpose": "Renew licences until councils take the service over.",
        "model": Service.LeadershipModel.NONE,
        "leaders": [],
        "assessment": (True, False, True, False, True),
        "stages": [
            StageSpec("Send renewal form", "Print and post", ("paper",), False),
            StageSpec("Process renewal", "Applications processing", ("paper",), False),
        ],
    },
    "sign-in": {
        "name": "Sign in and prove your identity",
        "organisation": "Department for Housing and Communities",
        "kind": Service.Kind.PLATFORM,
        "phase": Service.Phase.LIVE,
        "purpose": "One account and identity check for every service the department runs.",
        "serves": "Every service's users, and the teams that build those services.",
        "vision": "Prove who you are once, use every service.",
        "priorities": ["Raise identity-check pass rates for people with thin credit files"],
        "model": Service.LeadershipModel.TEAM,
        "leaders": [
            ("Imran Qureshi", "Platform owner", "product"),
            ("Ben Carter", "Technical architect", "architecture"),
        ],
        "assessment": (True, True, True, True, True),
        "stages": [
            StageSpec("Create account", "Identity platform"),
            StageSpec("Prove identity", "Identity platform"),
            StageSpec("Host and run", "Hosting operations", ("other",)),
        ],
    },
    "take-a-payment": {
        "name": "Take and make payments",
        "organisation": "Department for Housing and Communities",
        "kind": Service.Kind.PLATFORM,
        "phase": Service.Phase.LIVE,
        "purpose": "Take fees and pay grants for every service, with reconciliation.",
        "model": Service.LeadershipModel.SINGLE,
        "leaders": [("Julia Novak", "Payments lead", "")],
        "assessment": (False, False, True, False, True),
        "stages": [
            StageSpec("Take or make payment", "Payments platform"),
            StageSpec("Reconcile", "Financial control", ("other",), False),
        ],
        "depends_on": [("sign-in", "")],
    },
    "grant-case-management": {
        "name": "Grant case management",
        "organisation": "Housing Grants Agency",
        "kind": Service.Kind.INTERNAL,
        "phase": Service.Phase.LIVE,
        "purpose": "The caseworking system and process staff use to assess and track grants.",
        "serves": "Assessors, inspectors and caseworkers in the agency and the department.",
        "model": Service.LeadershipModel.TEAM,
        "leaders": [
            ("Zara Ahmed", "Product manager", "product"),
            ("Ben Carter", "Technical architect", "technology"),
            ("Kwame Mensah", "Head of grant assessment", "operations"),
            ("Victor Lindqvist", "Fraud lead", "risk"),
            ("Hannah Lewis", "Casework manager", "casework"),
        ],
        "assessment": (True, True, True, False, True),
        "stages": [
            StageSpec("Open a case", "Agency digital team", ("digital",)),
            StageSpec("Assess", "Grant assessment", ("digital",)),
            StageSpec("Check for fraud", "Fraud and error", ("digital",)),
            StageSpec("Close the case", "Case management platform", ("digital",)),
        ],
        "depends_on": [("sign-in", "Staff sign-in depends on the citizen platform's roadmap.")],
    },
    "staff-onboarding": {
        "name": "Onboard new staff",
        "organisation": "Department for Housing and Communities",
        "kind": Service.Kind.INTERNAL,
        "phase": Service.Phase.LIVE,
        "purpose": "Get new colleagues productive from their first day.",
        "model": Service.LeadershipModel.SINGLE,
        "leaders": [("Uma Patel", "Head of people services", "")],
        "assessment": (True, True, True, False, True),
        "stages": [
            StageSpec("Offer and checks", "People services", ("digital",)),
            StageSpec("Desk and kit", "Estates and facilities", ("in_person",), False),
            StageSpec("Accounts", "Identity platform", ("digital",)),
        ],
        "depends_on": [("sign-in", "")],
    },
    "housing-complaints": {
        "name": "Complain about a housing grant decision",
        "organisation": "Housing Grants Agency",
        "kind": Service.Kind.TRANSACTIONAL,
        "phase": Service.Phase.LIVE,
        "purpose": "Put things right when a grant decision or service goes wrong.",
        "model": Service.LeadershipModel.TEAM,
        "leaders": [
            ("Samuel Osei", "Complaints lead", "complaints"),
            ("Mohammed Rahman", "Helpline manager", "contact"),
            ("Laura Bennett", "Policy lead, grants", "policy"),
        ],
        "assessment": (True, True, True, False, True),
        "stages": [
            StageSpec("Make a complaint", "Agency helpline", ("phone", "digital", "paper")),
            StageSpec("Investigate", "Complaints and appeals", ("digital",)),
            StageSpec("Review the decision", "Casework", ("digital",)),
            StageSpec("Respond", "Complaints and appeals", ("digital", "paper")),
        ],
    },
    "fraud-referrals": {
        "name": "Handle grant fraud referrals",
        "organisation": "Housing Grants Agency",
        "kind": Service.Kind.INTERNAL,
        "phase": Service.Phase.BETA,
        "purpose": "Investigate suspected grant fraud and recover money.",
        "model": Service.LeadershipModel.SINGLE,
        "leaders": [("Victor Lindqvist", "Fraud lead", "")],
        "assessment": (True, True, True, False, True),
        "restricted": True,
        "stages": [
            StageSpec("Refer", "Grant assessment", ("digital",)),
            StageSpec("Investigate", "Fraud and error", ("digital",)),
            StageSpec("Recover", "Financial control", ("digital",)),
        ],
    },
    "council-data-sharing": {
        "name": "Share housing data with councils",
        "organisation": "Department for Housing and Communities",
        "kind": Service.Kind.PLATFORM,
        "phase": Service.Phase.DISCOVERY,
        "purpose": "Give councils the data they need to target housing support.",
        "model": Service.LeadershipModel.NONE,
        "leaders": [],
        "stages": [
            StageSpec("Agree what to share", "Housing policy", ("other",), False),
            StageSpec("Extract and publish", None, ("digital",)),
            StageSpec("Use locally", "Council housing options", ("digital",)),
        ],
        "participants": [("Data and analytics", "Advises on the data")],
    },
}

ASSESSMENT_FIELDS = [field for field, _ in ProportionalityAssessment.CRITERIA]


def backdate_new_history(models: list, since: datetime) -> None:
    """Date the creation records made since ``since`` to DEMO_EPOCH.

    The demo organisation is meant to have existed for years, so that decisions dated in the
    past are checked against the leaders, memberships and rights of their day.
    """
    for model in models:
        model.history.filter(history_type="+", history_date__gte=since).update(
            history_date=DEMO_EPOCH
        )


def seed(*, scale: int = 0) -> list[str]:
    """Load the demo organisation and, with ``scale``, a generated portfolio. Returns a report."""
    started = timezone.now()
    with transaction.atomic():
        teams = _seed_structure()
        people = _seed_people(teams)
        _seed_accounts(teams, people)
        _seed_services(teams, people)
        backdate_new_history(
            [
                Organisation,
                Directorate,
                Team,
                Person,
                TeamMembership,
                Service,
                Priority,
                ServiceLeader,
                ProportionalityAssessment,
                Stage,
                ServiceTeam,
                ServiceDependency,
            ],
            started,
        )
    report = [
        f"Demo organisation: {Organisation.objects.count()} organisations, "
        f"{Directorate.objects.count()} directorates, {Team.objects.count()} teams, "
        f"{Service.objects.count()} services."
    ]
    accounts = ", ".join(f"{username} ({ACCOUNTS[username][0]})" for username in ACCOUNTS)
    report.append(f"Demo sign-in: {accounts}; password: {DEMO_PASSWORD}")
    if scale:
        created = seed_scale(scale)
        report.append(f"Generated portfolio: {created} new services (scale {scale}).")
    return report


# Staff numbers an organisation gives, so the loaded cost of an hour is worked out from its
# staff cost lines (the others use the site's default rates).
STAFF_FTE = {"Housing Grants Agency": Decimal(40)}
# The cost of a contact on a channel an organisation knows it for (else its, or the default).
CONTACT_COSTS = {"Department for Housing and Communities": {"phone": "6.20"}}


def _seed_structure() -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for org_name, (kind, directorates) in STRUCTURE.items():
        values = {"slug": slugify(org_name), "kind": kind}
        if org_name in STAFF_FTE:
            values["staff_fte"] = STAFF_FTE[org_name]
        if org_name in CONTACT_COSTS:
            values["contact_costs"] = CONTACT_COSTS[org_name]
        organisation = put(Organisation, name=org_name, values=values)
        made: dict[str, Directorate] = {}
        for name, (parent, team_specs) in directorates.items():
            made[name] = put(
                Directorate,
                organisation=organisation,
                name=name,
                values={"parent": made[parent] if parent else None},
            )
            for team_name, team_type in team_specs:
                teams[team_name] = put(
                    Team, directorate=made[name], name=team_name, values={"team_type": team_type}
                )
    return teams


def _seed_people(teams: dict[str, Team]) -> dict[str, Person]:
    people: dict[str, Person] = {}
    specs = [(name, title, team, role) for name, title, team, role, _ in ACCOUNTS.values()]
    for name, job_title, team_name, role_title in [*specs, *PEOPLE]:
        email = f"{slugify(name).replace('-', '.')}@example.org"
        person = put(Person, email=email, values={"name": name, "job_title": job_title})
        put(TeamMembership, person=person, team=teams[team_name], values={"role_title": role_title})
        people[name] = person
    return people


def _seed_accounts(teams: dict[str, Team], people: dict[str, Person]) -> None:
    admins, _ = Group.objects.get_or_create(name=ORG_ADMINS_GROUP)
    admins.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["auth", "services", "decisions", "performance"]
        )
    )
    for username, (name, _, _, _, org_admin) in ACCOUNTS.items():
        first, _, last = name.partition(" ")
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": people[name].email},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_staff = org_admin
        user.save()
        if org_admin:
            user.groups.add(admins)
        people[name] = put(Person, pk=people[name].pk, values={"user": user})


def _seed_services(teams: dict[str, Team], people: dict[str, Person]) -> None:
    organisations = {o.name: o for o in Organisation.objects.all()}
    services: dict[str, Service] = {}
    for slug, spec in SERVICES.items():
        service = put(
            Service,
            slug=slug,
            values={
                "name": spec["name"],
                "organisation": organisations[spec["organisation"]],
                "kind": spec["kind"],
                "phase": spec["phase"],
                "purpose": spec.get("purpose", ""),
                "serves": spec.get("serves", ""),
                "vision": spec.get("vision", ""),
                "leadership_model": spec["model"],
                "restricted": spec.get("restricted", False),
                "published": spec.get("published", False),
                "automated_decision_system": spec.get("automated_decision_system"),
                "automated_decision_description": spec.get("automated_decision_description", ""),
            },
        )
        services[slug] = service
        for position, text in enumerate(spec.get("priorities", []), start=1):
            put(Priority, service=service, position=position, values={"text": text})
        for name, role, aspects in spec["leaders"]:
            put(
                ServiceLeader,
                service=service,
                person=people[name],
                values={"role": role, "leads_on": aspects},
            )
        if "assessment" in spec:
            put(
                ProportionalityAssessment,
                service=service,
                values=dict(zip(ASSESSMENT_FIELDS, spec["assessment"], strict=True)),
            )
        if not service.stages.exists():  # a journey someone has since edited stays theirs
            journey = [
                Stage(
                    position=position,
                    name=stage.name,
                    team=teams[stage.team] if stage.team else None,
                    channels=list(stage.channels),
                    online=stage.online,
                    performer=stage.performer,
                    agent_team=teams[stage.agent_team] if stage.agent_team else None,
                )
                for position, stage in enumerate(spec["stages"], start=1)
            ]
            journeys_replace({service.pk: (journey, [])}, user=None)
        for team_name, role in spec.get("participants", []):
            put(ServiceTeam, service=service, team=teams[team_name], values={"role": role})
    for slug, spec in SERVICES.items():
        for other, note in spec.get("depends_on", []):
            put(
                ServiceDependency,
                service=services[slug],
                depends_on=services[other],
                values={"note": note},
            )


# --- Generated portfolio -------------------------------------------------------------------

STAGE_NAMES = ["Find out", "Apply", "Check", "Assess", "Decide", "Notify", "Pay", "Support"]
PHASES = list(Service.Phase.values)
KINDS = list(Service.Kind.values)
MODELS = list(Service.LeadershipModel.values)
TEAM_TYPES = list(Team.TeamType.values)


def seed_scale(count: int) -> int:
    """Generate ``count`` services with proportionate structure; returns how many were new.

    Proportions follow a large portfolio: per 2,000 services, 10 organisations, 80 directorates
    and 300 teams. Each service has 3 to 8 stages, owned mostly within its organisation.
    """
    n_orgs = max(1, round(count / 200))
    n_directorates = max(2, round(count / 25))
    n_teams = max(5, round(count * 3 / 20))
    with transaction.atomic():
        organisations = _ensure(
            Organisation,
            [
                Organisation(
                    name=f"Generated organisation {i:02d}",
                    slug=f"generated-organisation-{i:02d}",
                    kind=Organisation.Kind.DEPARTMENT if i % 3 else Organisation.Kind.AGENCY,
                )
                for i in range(1, n_orgs + 1)
            ],
            key="name",
        )
        directorates = _ensure(
            Directorate,
            [
                Directorate(
                    organisation=organisations[i % n_orgs], name=f"Generated directorate {i:03d}"
                )
                for i in range(1, n_directorates + 1)
            ],
            key="name",
        )
        teams = _ensure(
            Team,
            [
                Team(
                    directorate=directorates[i % n_directorates],
                    name=f"Generated team {i:04d}",
                    team_type=TEAM_TYPES[i % len(TEAM_TYPES)],
                )
                for i in range(1, n_teams + 1)
            ],
            key="name",
        )
        people = _ensure(
            Person,
            [Person(name=f"Generated person {i:05d}") for i in range(1, n_teams * 2 + 1)],
            key="name",
        )
        _ensure_memberships(teams, people)
        organisation_of = {d.pk: d.organisation_id for d in directorates}
        teams_by_org: dict[int, list[Team]] = {}
        for team in teams:
            teams_by_org.setdefault(organisation_of[team.directorate_id], []).append(team)
        created = _generate_services(count, organisations, teams, teams_by_org, people)
        return created


def put(model, values: dict | None = None, **lookup):
    """The record ``lookup`` finds, brought to ``values``, or a new one (seeding again changes
    nothing)."""
    return record_put(model, user=None, values=values, **lookup)[0]


def _bulk_create(objects: list) -> None:
    """Create rows in bulk, with their audit history (a bulk path must not go unrecorded)."""
    records_add(objects, user=None, reason="seed_demo --scale")


def _ensure(model, candidates: list, *, key: str) -> list:
    """Create the candidates whose ``key`` is not taken yet; return all of them, saved."""
    names = [getattr(c, key) for c in candidates]
    existing = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": names})}
    _bulk_create([c for c in candidates if getattr(c, key) not in existing])
    saved = {getattr(o, key): o for o in model.objects.filter(**{f"{key}__in": names})}
    return [saved[name] for name in names]


def _ensure_memberships(teams: list[Team], people: list[Person]) -> None:
    existing = set(
        TeamMembership.objects.filter(person__in=people).values_list("person_id", "team_id")
    )
    wanted = [
        TeamMembership(person=person, team=teams[i % len(teams)], role_title="Team member")
        for i, person in enumerate(people)
    ]
    _bulk_create([m for m in wanted if (m.person.pk, m.team.pk) not in existing])


def _generate_services(
    count: int,
    organisations: list[Organisation],
    teams: list[Team],
    teams_by_org: dict[int, list[Team]],
    people: list[Person],
) -> int:
    slugs = [f"generated-{i:05d}" for i in range(1, count + 1)]
    existing = set(Service.objects.filter(slug__in=slugs).values_list("slug", flat=True))

    new_services, specs = [], []
    for i, slug in enumerate(slugs, start=1):
        if slug in existing:
            continue
        rng = random.Random(i)
        organisation = organisations[i % len(organisations)]
        model = MODELS[i % len(MODELS)]
        new_services.append(
            Service(
                slug=slug,
                name=f"Generated service {i:05d}",
                organisation=organisation,
                kind=KINDS[i % len(KINDS)],
                phase=PHASES[i % len(PHASES)],
                purpose=f"A generated service for benchmarking, number {i}.",
                leadership_model=model,
                restricted=i % 50 == 0,
            )
        )
        home = teams_by_org.get(organisation.pk) or teams
        stage_teams = [
            rng.choice(teams if rng.random() < 0.15 else home) for _ in range(rng.randint(3, 8))
        ]
        leader_count = {"single": 1, "team": rng.randint(2, 4), "council": 3, "none": 0}[model]
        specs.append((stage_teams, rng.sample(people, leader_count), rng))

    _bulk_create(new_services)
    saved = {s.slug: s for s in Service.objects.filter(slug__in=[s.slug for s in new_services])}
    stages, leaders, assessments = [], [], []
    for service, (stage_teams, leader_people, rng) in zip(new_services, specs, strict=True):
        service = saved[service.slug]
        stages.extend(
            Stage(
                service=service,
                position=position,
                name=STAGE_NAMES[position - 1],
                team=team,
                channels=["digital"] if position % 2 else ["digital", "phone"],
                online=position % 3 != 0,
            )
            for position, team in enumerate(stage_teams, start=1)
        )
        leaders.extend(
            ServiceLeader(service=service, person=person, role="Service owner")
            for person in leader_people
        )
        assessments.append(
            ProportionalityAssessment(
                service=service, **{field: rng.random() < 0.5 for field in ASSESSMENT_FIELDS}
            )
        )
    _bulk_create(stages)
    _bulk_create(leaders)
    _bulk_create(assessments)
    return len(new_services)
