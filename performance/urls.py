from django.urls import path

from performance import campaign_views as campaigns
from performance import open_views, views
from performance.figures import views as figures
from performance.imports import views as imports

app_name = "performance"

urlpatterns = [
    path("teams/<int:pk>/log/", views.team_log, name="team_log"),
    path("teams/<int:pk>/log/<str:key>/", views.team_log_row, name="team_log_row"),
    path("services/<slug:slug>/flow/", views.flow_page, name="flow"),
    path("services/<slug:slug>/dashboard/", figures.dashboard, name="dashboard"),
    path("services/<slug:slug>/review-pack/", figures.review_pack, name="review_pack"),
    path("portfolio/", figures.portfolio_page, name="portfolio"),
    path("open/", open_views.open_portfolio, name="open"),
    path("open/services/<slug:slug>/", open_views.open_service, name="open_service"),
    path(
        "open/services/<slug:slug>/figures.csv",
        open_views.open_service_csv,
        name="open_service_csv",
    ),
    path(
        "open/services/<slug:slug>/figures.json",
        open_views.open_service_json,
        name="open_service_json",
    ),
    path("open/gc/<str:name>", open_views.open_gc_file, name="open_gc_file"),
    path("portfolio/drift/", views.drift_page, name="drift"),
    path("portfolio/shared-problems/", views.shared_problems_page, name="shared_problems"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign_page, name="campaign"),
    path("campaigns/<int:pk>/fix/", campaigns.campaign_fix, name="campaign_fix"),
    path("portfolio.csv", figures.portfolio_csv, name="portfolio_csv"),
    path("data-quality/", figures.data_quality, name="data_quality"),
    path("data-quality.csv", figures.data_quality_csv, name="data_quality_csv"),
    path(
        "organisations/<slug:slug>/share/",
        figures.organisation_share,
        name="organisation_share",
    ),
    path(
        "directorates/<int:pk>/share/",
        figures.directorate_share,
        name="directorate_share",
    ),
    path("services/<slug:slug>/friction/", views.friction_register, name="friction"),
    path("services/<slug:slug>/friction/new/", views.friction_new, name="friction_new"),
    path("friction/", views.friction_all, name="friction_all"),
    path("friction/<int:pk>/", views.friction_edit, name="friction_edit"),
    path("services/<slug:slug>/interactions/", views.interactions_page, name="interactions"),
    path("services/<slug:slug>/scenarios/", views.scenarios_page, name="scenarios"),
    path("services/<slug:slug>/scenarios/new/", views.scenario_new, name="scenario_new"),
    path("scenarios/<int:pk>/", views.scenario_page, name="scenario"),
    path("services/<slug:slug>/change/", views.change_page, name="change"),
    path("services/<slug:slug>/change/new/", views.change_edit, name="change_new"),
    path("services/<slug:slug>/change/<int:pk>/", views.change_edit, name="change_edit"),
    path("imports/", imports.import_history, name="imports"),
    path("imports/upload/", imports.upload, name="import_upload"),
    path("imports/gc-inventory/", imports.gc_upload, name="gc_upload"),
    path("imports/templates/<str:kind>.csv", imports.csv_template, name="csv_template"),
    path("imports/<int:pk>/", imports.import_run, name="import_run"),
    path("imports/<int:pk>/confirm/", imports.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.csv", imports.import_errors_csv, name="import_errors"),
    path(
        "services/<slug:slug>/imports/",
        imports.service_import_history,
        name="service_imports",
    ),
    path("services/<slug:slug>/tokens/", imports.service_tokens, name="tokens"),
    path(
        "services/<slug:slug>/tokens/<int:pk>/revoke/",
        imports.token_revoke,
        name="token_revoke",
    ),
]
