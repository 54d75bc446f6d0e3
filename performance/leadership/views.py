"""Campaigns, for org admins: launch one over the services a filter finds (seen before it is
launched), follow its progress, and apply its mechanical fix (seen before it is applied)."""

import hashlib
from collections import Counter

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from performance.leadership.access import campaign_for_user
from performance.leadership.actions import campaign_fix_apply, campaign_launch
from performance.leadership.campaigns import (
    FIX,
    SHOWN,
    fails_check,
    fix_preview,
    passing_now,
    progress,
    scope_words,
    standings,
)
from performance.leadership.drift import KINDS, drift_events
from performance.leadership.forms import CampaignFixForm, CampaignForm
from performance.leadership.maturity import check_name, latest_records
from performance.models import (
    Campaign,
)
from servicelead.calendar import months_before
from servicelead.views import page_of
from services.access import (
    org_admins_only,
)
from services.models import Service
from services.queries import BY_NAME, filter_services, visible_services


def _fingerprint(items) -> str:
    return hashlib.sha256(repr(list(items)).encode()).hexdigest()[:16]


def _fix_seen(fix) -> str:
    return _fingerprint((s.pk, row.key) for s, rows in fix.gaps.items() for row in rows)


@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    org_admins_only(request.user)
    campaigns = list(Campaign.objects.all())
    now = passing_now(campaigns)
    return render(
        request,
        "performance/leadership/campaigns.html",
        {
            "rows": [(c, check_name(c.check_key), *now[c.pk]) for c in campaigns],
            "today": timezone.localdate(),
        },
    )


def _scope(services, ids: list[int], filters, key: str) -> dict:
    """What launching would cover: how many services, how many fail the check, the first."""
    found = latest_records(ids)
    return {
        "words": scope_words(filters),
        "count": len(ids),
        "failing": sum(
            1 for pk in ids if pk not in found or fails_check(found[pk].failed_checks, key)
        ),
        "first": list(services[:20]),
        "check": check_name(key),
    }


@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    """A campaign is launched once the services its filters find have been shown: a
    different set found on launching (the filters changed, or the services) is shown again."""
    org_admins_only(request.user)
    form = CampaignForm(request.POST or None)
    scope = None
    if request.method == "POST" and form.is_valid():
        filters, data = form.filters(), form.cleaned_data
        services = filter_services(Service.objects.all(), filters).order_by(*BY_NAME)
        ids = list(services.values_list("pk", flat=True))
        seen = _fingerprint(ids)
        if not ids:
            form.add_error(None, "No service matches these filters: widen them.")
        elif data["previewed"] == seen:
            fields = {key: data[key] for key in ("name", "check_key", "target_date")}
            campaign = Campaign(**fields, scope=scope_words(filters))
            campaign = campaign_launch(campaign=campaign, service_ids=ids, user=request.user)
            messages.success(
                request, f"Campaign “{campaign.name}” launched on {len(ids):,} services."
            )
            return redirect(campaign)
        else:
            form.data = form.data.copy()
            form.data["previewed"] = seen  # shown now: the next submit launches it
            scope = _scope(services, ids, filters, data["check_key"])
    return render(
        request, "performance/leadership/campaign_form.html", {"form": form, "scope": scope}
    )


@require_GET
def campaign_page(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = campaign_for_user(request.user, pk)
    done = progress(campaign)
    failing = [s for s in standings(campaign, campaign.services.order_by(*BY_NAME)) if not s.passes]
    return render(
        request,
        "performance/leadership/campaign.html",
        {
            "campaign": campaign,
            "check": check_name(campaign.check_key),
            "progress": done,
            "chart": done.chart() if done.points else None,
            "failing": failing[:SHOWN],
            "failing_count": len(failing),
            "fixable": campaign.check_key == FIX and bool(failing),
        },
    )


def _fix_applied(request: HttpRequest, campaign: Campaign, form, fix) -> bool:
    """Apply the fix shown; False, saying why on the form, when a service changed meanwhile."""
    try:
        with transaction.atomic():
            added = campaign_fix_apply(campaign=campaign, fix=fix, user=request.user)
    except IntegrityError:
        form.add_error(
            None,
            "Somebody named a Decide holder on one of these services meanwhile: "
            "look at what would change again.",
        )
        return False
    services = len(fix.gaps)
    messages.success(
        request,
        f"The leadership team now holds {added:,} Decide right{'s' if added != 1 else ''} "
        f"on {services:,} service{'s' if services != 1 else ''}.",
    )
    return True


@require_http_methods(["GET", "POST"])
def campaign_fix(request: HttpRequest, pk: int) -> HttpResponse:
    """Name each service's leadership team as Decide holder where nobody is: shown first, and
    applied only to exactly what was shown."""
    campaign = campaign_for_user(request.user, pk)
    if campaign.check_key != FIX:
        raise PermissionDenied  # no mechanical fix for the others
    form = CampaignFixForm(request.POST or None)
    fix = None
    if request.method == "POST" and form.is_valid():
        fix = fix_preview(campaign, form.cleaned_data["decision_type"])
        if not fix.rights:
            form.add_error(
                "decision_type",
                "Every service in the campaign has a Decide holder for that kind of decision.",
            )
        elif form.cleaned_data["previewed"] == _fix_seen(fix):
            if _fix_applied(request, campaign, form, fix):
                return redirect(campaign)
            fix = fix_preview(campaign, form.cleaned_data["decision_type"])
        form.data = form.data.copy()
        form.data["previewed"] = _fix_seen(fix)
    return render(
        request,
        "performance/leadership/campaign_fix.html",
        {"campaign": campaign, "form": form, "fix": fix},
    )


@require_GET
def drift_page(request: HttpRequest) -> HttpResponse:
    """Drift across every service the user may see, over the last 12 months."""
    today = timezone.localdate()
    services = list(visible_services(request.user).select_related("organisation"))
    events = [e for e in drift_events(services, today) if e.on > months_before(today, 12)]
    counts = Counter(e.kind for e in events)
    page, query = page_of(request, events, 50)
    return render(
        request,
        "performance/leadership/drift.html",
        {
            "page": page,
            "query": query,
            "events": page.object_list,
            "counts": [(KINDS[kind], counts[kind]) for kind in KINDS if counts[kind]],
            "total": len(events),
            "services": len({e.service.pk for e in events}),
        },
    )
