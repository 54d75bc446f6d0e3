"""Demo decision types, decision rights for every demo service, and a log of ~100 decisions.

Idempotent: types by name, rights by their cell and holder, decisions by (service, title).
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from decisions.actions import decision_log
from decisions.models import Decision, DecisionBand, DecisionRight, DecisionType, HolderKind, Role
from decisions.rights import band_for
from services.demo import DEMO_EPOCH, SERVICES, backdate_new_history, put
from services.models import Person, Service, Team

TYPES = [
    ("Vision and strategy", DecisionType.Category.VISION, "Where the service is going.", []),
    ("Policy and eligibility rules", DecisionType.Category.POLICY, "Who qualifies, and how.", []),
    (
        "Spend",
        DecisionType.Category.SPEND,
        "Committing money to the service.",
        [Decimal(25_000), Decimal(250_000), None],
    ),
    ("Prioritisation", DecisionType.Category.PRIORITISATION, "What the teams work on next.", []),
    ("Operational change", DecisionType.Category.OPERATIONAL, "How the work is done.", []),
    ("Technology", DecisionType.Category.TECHNOLOGY, "Systems, suppliers and architecture.", []),
    ("Team design", DecisionType.Category.TEAM_DESIGN, "Who is in which team.", []),
    (
        "Risk acceptance",
        DecisionType.Category.RISK,
        "Accepting a risk rather than treating it.",
        [],
    ),
]

TITLES = {
    "Vision and strategy": ["Adopt a 4-week decision target", "Refocus on digital first"],
    "Policy and eligibility rules": ["Simplify evidence rules", "Widen eligibility to tenants"],
    "Spend": ["Fund extra assessors", "Buy a scheduling tool", "Extend the supplier contract"],
    "Prioritisation": ["Put the hand-off backlog first", "Pause the redesign of notices"],
    "Operational change": ["Move triage to a daily rota", "Batch inspections by area"],
    "Technology": ["Move case data to the platform", "Retire the old document store"],
    "Team design": ["Merge checking into assessment", "Create a cross-team duty desk"],
    "Risk acceptance": ["Accept a backlog over summer", "Accept manual payment checks"],
}


def seed(*, scale: int = 0) -> list[str]:
    started = timezone.now()
    with transaction.atomic():
        types = _seed_types()
        rights = _seed_rights(types)
        backdate_new_history([DecisionType, DecisionBand, DecisionRight], started)
        logged = _seed_decisions(types)
    return [
        f"Decisions: {len(types)} decision types, {rights} rights, {logged} new decisions "
        f"({Decision.objects.filter(within_rights=False).count()} outside agreed rights)."
    ]


def _seed_types() -> dict[str, DecisionType]:
    types = {}
    for name, category, description, limits in TYPES:
        decision_type = put(
            DecisionType, name=name, values={"category": category, "description": description}
        )
        for limit in limits:
            put(DecisionBand, decision_type=decision_type, up_to=limit)
        types[name] = decision_type
    return types


def _holder(*, person=None, team=None, leadership=False, body="") -> dict:
    if person is not None:
        return {"holder_kind": HolderKind.PERSON, "person": person}
    if team is not None:
        return {"holder_kind": HolderKind.TEAM, "team": team}
    if leadership:
        return {"holder_kind": HolderKind.LEADERSHIP}
    return {"holder_kind": HolderKind.EXTERNAL, "external_body": body}


def _seed_rights(types: dict[str, DecisionType]) -> int:
    """Rights for every demo service, following its leadership; a few realistic gaps remain."""
    count = 0
    spend = types["Spend"]
    bands = {band.up_to: band for band in spend.bands.all()}
    for slug in SERVICES:
        service = Service.objects.get(slug=slug)
        leaders = list(service.leaders.select_related("person").order_by("pk"))
        stage_teams = [s.team for s in service.stages.select_related("team") if s.team]
        policy_team = next(
            (
                p.team
                for p in service.participations.select_related("team")
                if p.team.team_type == Team.TeamType.POLICY
            ),
            None,
        )
        ops_team = next((t for t in stage_teams if t.team_type == Team.TeamType.OPERATIONS), None)
        tech_team = next(
            (
                t
                for t in stage_teams
                if t.team_type in {Team.TeamType.PLATFORM, Team.TeamType.STREAM_ALIGNED}
            ),
            None,
        )
        top = (
            {"leadership": True}
            if len(leaders) > 1
            else ({"person": leaders[0].person} if leaders else None)
        )
        owner = {"person": leaders[0].person} if leaders else None
        plan = [
            ("Vision and strategy", None, Role.DECIDE, top),
            (
                "Policy and eligibility rules",
                None,
                Role.DECIDE,
                {"team": policy_team}
                if policy_team
                else (top if service.kind == Service.Kind.TRANSACTIONAL else None),
            ),
            (
                "Policy and eligibility rules",
                None,
                Role.INPUT,
                {"team": ops_team} if ops_team else None,
            ),
            ("Spend", Decimal(25_000), Role.DECIDE, owner),
            ("Spend", Decimal(250_000), Role.DECIDE, top),
            ("Spend", None, Role.DECIDE, {"body": "Investment committee"}),
            ("Spend", None, Role.RECOMMEND, top),
            ("Prioritisation", None, Role.DECIDE, top),
            ("Prioritisation", None, Role.INPUT, {"team": ops_team} if ops_team else None),
            ("Operational change", None, Role.DECIDE, {"team": ops_team} if ops_team else owner),
            ("Operational change", None, Role.AGREE, owner),
            ("Technology", None, Role.DECIDE, {"team": tech_team} if tech_team else None),
            ("Technology", None, Role.PERFORM, {"team": tech_team} if tech_team else None),
            ("Team design", None, Role.DECIDE, top),
            # Risk acceptance is left undecided for services without a single clear owner.
            (
                "Risk acceptance",
                None,
                Role.DECIDE,
                owner if service.leadership_model == Service.LeadershipModel.SINGLE else None,
            ),
        ]
        for type_name, limit, role, holder in plan:
            if holder is None:
                continue
            decision_type = types[type_name]
            band = bands[limit] if decision_type == spend else None
            cell = {"service": service, "decision_type": decision_type, "band": band, "role": role}
            if role == Role.DECIDE:
                # One decider per cell: keep whoever holds it now.
                if not DecisionRight.objects.filter(**cell).exists():
                    put(DecisionRight, **cell, values=_holder(**holder))
            else:
                put(DecisionRight, **cell, **_holder(**holder))
            count += 1
        count += _seed_agent_rights(service, types)
    return count


# What the demo's agents do: (service, stage, decision type, role). The disrepair triage agent
# routes reports (operational decisions the contact centre takes); the grant's eligibility
# assistant gives input to eligibility rules.
AGENT_RIGHTS = [
    ("report-disrepair", "Triage", "Operational change", Role.PERFORM),
    ("home-improvement-grant", "Check eligibility", "Policy and eligibility rules", Role.INPUT),
]


def _seed_agent_rights(service: Service, types: dict[str, DecisionType]) -> int:
    count = 0
    for slug, stage_name, type_name, role in AGENT_RIGHTS:
        stage = service.stages.filter(name=stage_name).exclude(performer="people").first()
        if slug != service.slug or stage is None:  # a journey since edited keeps its own
            continue
        put(
            DecisionRight,
            service=service,
            decision_type=types[type_name],
            band=None,
            role=role,
            holder_kind=HolderKind.AGENT,
            stage=stage,
        )
        count += 1
    return count


def _seed_decisions(types: dict[str, DecisionType]) -> int:
    """About 100 decisions over 18 months; some outside rights, some superseded, some due."""
    today = timezone.localdate()
    created = 0
    outsiders = list(Person.objects.filter(leads__isnull=True).order_by("name")[:6])
    for slug in SERVICES:
        service = Service.objects.get(slug=slug)
        rng = random.Random(slug)
        leaders = [leader.person for leader in service.leaders.select_related("person")]
        if not leaders:
            continue
        previous: dict[str, Decision] = {}
        # Eleven different decisions, each named as people name them (the title is also
        # what makes a re-run find the decision it made before).
        chosen = rng.sample([(t, title) for t, titles in TITLES.items() for title in titles], 11)
        for n, (type_name, title) in enumerate(chosen):
            # Draw every random value first, so a re-run makes the same choices.
            decided_on = max(
                today - timedelta(days=rng.randint(5, 540)), DEMO_EPOCH.date() + timedelta(days=1)
            )
            amount = (
                Decimal(rng.choice([8_000, 18_000, 60_000, 140_000, 400_000]))
                if type_name == "Spend"
                else None
            )
            strays, supersede = rng.random() < 0.1, rng.random() < 0.3
            review_days, stage_count = rng.choice([90, 180, 365]), rng.randint(0, 2)
            outsider = rng.choice(outsiders)

            existing = Decision.objects.filter(service=service, title=title).first()
            if existing is not None:
                previous[type_name] = existing
                continue
            # Most decisions are taken by whoever holds the right; some are not.
            decider = _rightful_decider(service, types[type_name], amount, leaders)
            if decider is None or strays:
                decider = outsider
            body = ""
            if isinstance(decider, str):
                decider, body = None, decider
            supersedes = previous.get(type_name) if supersede else None
            if supersedes and supersedes.decided_on >= decided_on:
                supersedes = None
            decision = decision_log(
                service=service,
                user=None,
                fields={
                    "title": title,
                    "decision_type": types[type_name],
                    "amount": amount,
                    "decided_by": decider,
                    "decided_by_body": body,
                    "decided_on": decided_on,
                    "status": Decision.Status.PROPOSED if n == 10 else Decision.Status.DECIDED,
                    "supersedes": supersedes,
                    "review_by": decided_on + timedelta(days=review_days) if n % 3 else None,
                    "context": f"Raised at the service review; {type_name.lower()} question.",
                    "options_considered": "Do nothing; a partial change; the full change.",
                    "outcome": f"Agreed: {title[0].lower()}{title[1:]}.",
                    "rationale": "Best balance of user outcomes, cost and risk.",
                },
                stages=list(service.stages.order_by("position")[:stage_count]),
            )
            created += 1
            previous[type_name] = decision
    return created


def _rightful_decider(service, decision_type, amount, leaders):
    """Someone who held the Decide right (a person), or the external body's name."""
    bands = list(decision_type.bands.all())
    band = band_for(bands, amount) if bands else None
    right = (
        DecisionRight.objects.filter(
            service=service, decision_type=decision_type, band=band, role=Role.DECIDE
        )
        .select_related("person", "team")
        .first()
    )
    if right is None:
        return None
    if right.holder_kind == HolderKind.PERSON:
        return right.person
    if right.holder_kind == HolderKind.LEADERSHIP:
        return leaders[0]
    if right.holder_kind == HolderKind.TEAM:
        member = right.team.memberships.select_related("person").first()
        return member.person if member else None
    return right.external_body
