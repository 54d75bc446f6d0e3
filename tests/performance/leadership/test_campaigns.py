"""Maturity level history and campaigns: records kept only when a level or its failed checks
change, progress over time from hand-built records, weekly reminders, launching with a
preview, and the mechanical fix applied exactly as shown."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions.models import DecisionRight
from performance.figures import extents, rollups
from performance.leadership.campaigns import fix_preview, progress
from performance.leadership.maturity import LEVELS, latest_records, record
from performance.mail import send_reminders
from performance.models import Campaign, MaturityRecord, ReminderSent, Rollup
from tests.factories import (
    DecisionBandFactory,
    DecisionRightFactory,
    DecisionTypeFactory,
    MetricFactory,
    OrganisationFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    UserFactory,
    measure,
)
from tests.performance.leadership.services import bronze, cards

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LAUNCH = date(2026, 3, 2)


def campaign_over(services, check="decide_holders", launched=LAUNCH, target=None):
    campaign = Campaign.objects.create(
        name="Deciders",
        check_key=check,
        target_date=target or TODAY + timedelta(days=30),
        scope="Every service",
        launched_on=launched,
    )
    campaign.services.set(services)
    return campaign


def recorded(service, day, failed="", level=1):
    MaturityRecord.objects.create(
        service=service, recorded_on=day, level=level, failed_checks=failed
    )


@pytest.fixture
def admin(org_admin_client):
    return org_admin_client


# --- Level history ---------------------------------------------------------------------


def test_a_record_is_kept_only_when_the_level_or_the_failed_checks_change():
    service = bronze("Grants")
    day1, day2, day3 = date(2026, 5, 1), date(2026, 5, 2), date(2026, 5, 3)
    assert record(cards(service), day1) == 1
    assert record(cards(service), day2) == 0  # nothing changed: no row
    ServiceLeaderFactory(service=service)  # a second leader changes no check
    assert record(cards(service), day2) == 0
    service.leaders.all().delete()
    assert record(cards(service), day3) == 1
    rows = list(service.maturity_records.values_list("recorded_on", "level", "failed_checks"))
    assert rows == [
        (day1, 1, ",proportionality,narrative,"),
        (day3, 0, ",leader,proportionality,narrative,"),
    ]
    assert latest_records([service.pk], on=day2)[service.pk].recorded_on == day1
    assert latest_records([service.pk])[service.pk].recorded_on == day3


def test_a_second_change_on_one_day_replaces_that_days_record():
    service = bronze("Grants")
    record(cards(service), TODAY)
    service.leaders.all().delete()
    assert record(cards(service), TODAY) == 1
    assert list(service.maturity_records.values_list("level", flat=True)) == [0]


def test_a_refresh_records_each_service_in_the_window_its_page_opens_on(admin):
    grants, loans = bronze("Grants"), bronze("Loans")  # measured up to ten days ago
    old = ServiceFactory(name="Old")
    ServiceLeaderFactory(service=old)
    StageFactory(service=old)
    MetricFactory(service=old, key="days", name="Days", target=10, higher_is_better=False)
    measure(old, "days", (date(2025, 8, 1), date(2025, 8, 31)), 9)
    rollups.refresh([grants.pk, loans.pk, old.pk])
    own = extents.window_for({}, [old])["window"]
    # Its data ends in August 2025: a window no other service opens on, and no preset.
    assert (own.start, own.end) == (date(2024, 9, 1), date(2025, 8, 31))
    assert all((w.start, w.end) != (own.start, own.end) for w in rollups.preset_windows())
    for service in (grants, loans, old):
        window = extents.window_for({}, [service])["window"]
        row = Rollup.objects.get(service=service, window_start=window.start, window_end=window.end)
        kept = service.maturity_records.get()
        assert (kept.recorded_on, kept.level, kept.failed_checks) == (
            TODAY,
            row.maturity,
            row.failed_checks,
        )
        page = admin.get(service.get_absolute_url()).content.decode()
        assert f"Leadership maturity: {LEVELS[kept.level]}</h2>" in page
    assert grants.maturity_records.get().failed_checks == ",proportionality,narrative,"
    rollups.refresh([grants.pk, loans.pk, old.pk])  # nothing changed: nothing more kept
    assert MaturityRecord.objects.count() == 3


def test_the_service_page_shows_its_level_over_time_and_its_campaigns(admin):
    service = bronze("Grants")
    recorded(service, date(2026, 4, 1), ",leader,decide_holders,", level=0)
    recorded(service, date(2026, 6, 1), ",decide_holders,", level=1)
    campaign_over([service])
    page = admin.get(service.get_absolute_url()).content.decode()
    assert "Its level over time" in page
    assert page.index("1 Jun 2026") < page.index("1 Apr 2026")  # newest first
    assert "A leader or leadership team; A Decide holder for every kind of decision" in page
    assert "“Deciders”: A Decide holder for every kind of decision" in page
    assert "Not yet" in page


# --- Progress ----------------------------------------------------------------------------


def test_progress_over_time_from_hand_built_records():
    a, b, c, d = (ServiceFactory(name=n) for n in "ABCD")
    campaign = campaign_over([a, b, c, d])
    recorded(a, LAUNCH - timedelta(days=10), ",narrative,")  # passes from before the launch
    recorded(b, LAUNCH, ",decide_holders,")
    recorded(b, LAUNCH + timedelta(days=8), ",narrative,")  # passes from day 8
    recorded(c, LAUNCH, ",leader,decide_holders,")  # fails throughout
    # d has no record: not yet scored, so not passing
    found = progress(campaign, today=LAUNCH + timedelta(days=15))
    days = [LAUNCH + timedelta(days=n) for n in (0, 7, 14, 15)]
    assert [(p.end, p.shown) for p in found.points] == list(
        zip(days, ["25.0%", "25.0%", "50.0%", "50.0%"], strict=True)
    )
    assert (found.passing, found.total, found.unscored) == (2, 4, 1)
    assert found.share_shown == "50.0%"
    assert found.points[0].label == "2 Mar 2026"
    chart = found.chart()
    assert chart.target_label == "Target 100%"
    assert [b.label for b in chart.bands] == ["Campaign"]


def test_the_chart_names_no_month_past_the_target_date():
    service = ServiceFactory()
    campaign = campaign_over([service], target=date(2026, 4, 10))
    recorded(service, LAUNCH, "")
    chart = progress(campaign, today=LAUNCH + timedelta(days=15)).chart()
    # The span runs from 2 March to 10 April: mid-April lies past it.
    assert [t.label for t in chart.x_ticks] == ["Mar 26"]
    assert all(t.at <= chart.plot["right"] for t in chart.x_ticks)


def test_a_campaign_launched_today_has_one_point():
    service = ServiceFactory()
    campaign = campaign_over([service], launched=TODAY)
    recorded(service, TODAY, "")
    found = progress(campaign)
    assert [(p.end, p.shown) for p in found.points] == [(TODAY, "100.0%")]


def test_the_campaign_list_counts_every_campaign_in_three_queries(admin):
    services = [ServiceFactory() for _ in range(4)]
    for s in services[:3]:
        recorded(s, LAUNCH, "")
    recorded(services[3], LAUNCH, ",targets,")
    campaign_over(services)  # decide_holders: all 4 pass
    campaign_over(services, check="targets")  # 3 of 4 pass
    campaign_over(services[3:], check="leader")  # 1 of 1
    with CaptureQueriesContext(connection) as queries:
        page = admin.get(reverse("performance:campaigns")).content.decode()
    assert "4 of 4" in page and "3 of 4" in page and "1 of 1" in page
    more = [ServiceFactory() for _ in range(10)]
    campaign_over(more)
    with CaptureQueriesContext(connection) as again:
        admin.get(reverse("performance:campaigns"))
    assert len(again) == len(queries)


def test_the_campaign_page_lists_those_not_passing_with_their_leaders(admin):
    passing, failing, unscored = (ServiceFactory(name=n) for n in ("Alpha", "Beta", "Gamma"))
    ServiceLeaderFactory(service=failing, person=PersonFactory(name="Priya Shah"))
    recorded(passing, LAUNCH, ",narrative,")
    recorded(failing, LAUNCH, ",decide_holders,narrative,")
    campaign = campaign_over([passing, failing, unscored])
    page = admin.get(reverse("performance:campaign", args=[campaign.pk])).content.decode()
    assert "1 of 3" in page and "(33.3%)" in page
    assert "Not passing yet (2)" in page
    assert "Priya Shah" in page and "Not yet scored" in page
    assert ">Alpha<" not in page
    assert "name the leadership team as Decide holder" in page


# --- Reminders -----------------------------------------------------------------------------


def test_leaders_of_services_not_passing_are_reminded_once_a_week_until_the_target_date():
    failing, passing = ServiceFactory(name="Licences"), ServiceFactory(name="Grants")
    for service, address in ((failing, "priya@example.org"), (passing, "sam@example.org")):
        ServiceLeaderFactory(service=service, person=PersonFactory(user=UserFactory(email=address)))
    recorded(failing, LAUNCH, ",decide_holders,")
    recorded(passing, LAUNCH, "")
    campaign = campaign_over([failing, passing], target=TODAY + timedelta(days=20))
    assert send_reminders() == 1
    [message] = mail.outbox
    assert message.to == ["priya@example.org"]
    assert "“Deciders” asks for “A Decide holder for every kind of decision”" in message.body
    assert send_reminders() == 0
    # Six days on it would still wait; seven days on it goes again.
    sent = ReminderSent.objects.get(kind="campaign")
    sent.sent_on = TODAY - timedelta(days=6)
    sent.save()
    assert send_reminders() == 0
    sent.sent_on = TODAY - timedelta(days=7)
    sent.save()
    assert send_reminders() == 1
    # After the target date, no more.
    Campaign.objects.filter(pk=campaign.pk).update(target_date=TODAY - timedelta(days=1))
    ReminderSent.objects.all().delete()
    assert send_reminders() == 0


# --- Launching -----------------------------------------------------------------------------


def launch_form(**extra):
    return {
        "name": "Targets everywhere",
        "check_key": "targets",
        "target_date": (TODAY + timedelta(days=60)).isoformat(),
        **extra,
    }


def test_a_campaign_is_launched_only_after_its_scope_has_been_seen(admin):
    org, other = OrganisationFactory(name="Housing"), OrganisationFactory(name="Transport")
    mine = [ServiceFactory(organisation=org, name=n, kind="transactional") for n in "ABC"]
    ServiceFactory(organisation=org, name="D", kind="internal")
    ServiceFactory(organisation=other, name="E", kind="transactional")
    recorded(mine[0], LAUNCH, "")  # passes "targets"; the others are not scored
    url = reverse("performance:campaign_new")
    data = launch_form(organisation="housing", kind="transactional")
    page = admin.post(url, data).content.decode()
    assert not Campaign.objects.exists()
    assert (
        "Services accountable to or taking part in Housing, of the kind public-facing "
        "transactional: 3 services"
    ) in page
    assert "of which 2 do not pass “KPIs with targets” yet" in page
    previewed = page.split('name="previewed" value="')[1].split('"')[0]
    # The filters changed since: shown again, not launched.
    page = admin.post(url, {**data, "kind": "", "previewed": previewed}).content.decode()
    assert not Campaign.objects.exists() and ": 4 services" in page
    response = admin.post(url, {**data, "previewed": previewed})
    campaign = Campaign.objects.get()
    assert response.url == campaign.get_absolute_url()
    assert set(campaign.services.all()) == set(mine)
    assert (campaign.check_key, campaign.launched_on) == ("targets", TODAY)
    assert campaign.launched_by.username == "org-admin"


def test_bad_campaigns_are_refused_with_a_message(admin):
    url = reverse("performance:campaign_new")
    page = admin.post(url, launch_form(target_date=TODAY.isoformat())).content.decode()
    assert "Target date: The target date must be after today." in page
    ServiceFactory()
    five_years_on = date(TODAY.year + 5, TODAY.month, min(TODAY.day, 28))
    page = admin.post(url, launch_form(target_date=five_years_on.isoformat())).content.decode()
    assert "Before you launch" in page and "within 5 years" not in page
    far = five_years_on + timedelta(days=31)
    page = admin.post(url, launch_form(target_date=far.isoformat())).content.decode()
    assert "Choose a target date within 5 years" in page
    page = admin.post(url, launch_form(check_key="x" * 5000)).content.decode()
    assert "The check every service in scope should pass: Choose one of the checks listed." in page
    assert "x" * 100 not in page  # what was sent is not written back
    page = admin.post(url, launch_form(q="no such service")).content.decode()
    assert "No service matches these filters: widen them." in page
    assert not Campaign.objects.exists()


# --- The mechanical fix ----------------------------------------------------------------


@pytest.fixture
def gaps():
    """Two kinds of decision, one in two bands: three Decide rights a service may lack."""
    spend = DecisionBandFactory(up_to=10_000).decision_type
    DecisionBandFactory(decision_type=spend, up_to=None)
    tech = DecisionTypeFactory(name="Technology")
    held = ServiceFactory(name="Held")
    for band in spend.bands.all():
        DecisionRightFactory(service=held, decision_type=spend, band=band)
    DecisionRightFactory(service=held, decision_type=tech)
    partly = ServiceFactory(name="Partly")
    DecisionRightFactory(service=partly, decision_type=tech)
    none = ServiceFactory(name="None held")
    return {"tech": tech, "spend": spend, "services": [held, partly, none]}


def test_the_fix_names_the_leadership_team_exactly_where_nobody_decides(admin, gaps):
    held, partly, none = gaps["services"]
    campaign = campaign_over([held, partly, none])
    fix = fix_preview(campaign, None)
    assert {s.name: len(rows) for s, rows in fix.gaps.items()} == {"None held": 3, "Partly": 2}
    assert (fix.rights, fix.without_leaders) == (5, 2)
    assert fix_preview(campaign, gaps["tech"]).rights == 1  # only "None held" lacks it
    url = reverse("performance:campaign_fix", args=[campaign.pk])
    page = admin.post(url, {"decision_type": ""}).content.decode()
    assert "Adds 5 Decide rights on 2 services." in page
    assert DecisionRight.objects.count() == 4  # nothing yet
    previewed = page.split('name="previewed" value="')[1].split('"')[0]
    response = admin.post(url, {"decision_type": "", "previewed": previewed})
    assert response.status_code == 302
    added = DecisionRight.objects.filter(holder_kind="leadership", role="decide")
    spend = gaps["spend"].name  # sorts before "Technology"
    assert sorted((r.service.name, r.decision_type.name, r.band_id) for r in added) == [
        ("None held", spend, band)
        for band in sorted(gaps["spend"].bands.values_list("pk", flat=True))
    ] + [("None held", "Technology", None)] + [
        ("Partly", spend, band) for band in sorted(gaps["spend"].bands.values_list("pk", flat=True))
    ]
    entry = added.first().history.first()
    assert entry.history_change_reason == "Campaign “Deciders”"
    assert entry.history_user.username == "org-admin"
    assert fix_preview(campaign, None).rights == 0


def test_the_fix_is_shown_again_when_what_it_would_do_changed(admin, gaps):
    held, partly, none = gaps["services"]
    campaign = campaign_over([held, partly, none])
    url = reverse("performance:campaign_fix", args=[campaign.pk])
    page = admin.post(url, {"decision_type": gaps["tech"].pk}).content.decode()
    previewed = page.split('name="previewed" value="')[1].split('"')[0]
    DecisionRightFactory(service=none, decision_type=gaps["tech"])  # somebody fixed it
    page = admin.post(
        url, {"decision_type": gaps["tech"].pk, "previewed": previewed}
    ).content.decode()
    assert "Kind of decision: Every service in the campaign has a Decide holder" in page
    assert not DecisionRight.objects.filter(holder_kind="leadership").exists()


def test_only_the_decide_holders_campaign_has_a_fix(admin):
    campaign = campaign_over([ServiceFactory()], check="targets")
    assert admin.get(reverse("performance:campaign_fix", args=[campaign.pk])).status_code == 403
    page = admin.get(reverse("performance:campaign", args=[campaign.pk])).content.decode()
    assert "name the leadership team" not in page


def test_a_long_campaign_name_is_cut_short_in_the_history(admin, gaps):
    campaign = campaign_over(gaps["services"])
    Campaign.objects.filter(pk=campaign.pk).update(name="N" * 200)
    url = reverse("performance:campaign_fix", args=[campaign.pk])
    page = admin.post(url, {"decision_type": gaps["tech"].pk}).content.decode()
    previewed = page.split('name="previewed" value="')[1].split('"')[0]
    admin.post(url, {"decision_type": gaps["tech"].pk, "previewed": previewed})
    [right] = DecisionRight.objects.filter(holder_kind="leadership")
    reason = right.history.first().history_change_reason
    assert len(reason) == 100 and reason.startswith("Campaign “NNN") and reason.endswith("…”")


def test_a_change_undone_the_same_day_leaves_no_row():
    service = bronze("Grants")
    day1 = date(2026, 5, 1)
    record(cards(service), day1)
    leader = service.leaders.get()
    service.leaders.all().delete()
    assert record(cards(service), TODAY) == 1  # lost its leader today
    ServiceLeaderFactory(service=service, person=leader.person)
    assert record(cards(service), TODAY) == 0  # back as it was: today's row goes
    assert list(service.maturity_records.values_list("recorded_on", flat=True)) == [day1]
