from django.urls import path

from performance import dashboard_views, import_views, views

app_name = "performance"

urlpatterns = [
    path("teams/<int:pk>/log/", views.team_log, name="team_log"),
    path("teams/<int:pk>/log/<str:key>/", views.team_log_row, name="team_log_row"),
    path("services/<slug:slug>/flow/", views.flow_page, name="flow"),
    path("services/<slug:slug>/dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("services/<slug:slug>/review-pack/", dashboard_views.review_pack, name="review_pack"),
    path("portfolio/", dashboard_views.portfolio_page, name="portfolio"),
    path("portfolio.csv", dashboard_views.portfolio_csv, name="portfolio_csv"),
    path("data-quality/", dashboard_views.data_quality, name="data_quality"),
    path("data-quality.csv", dashboard_views.data_quality_csv, name="data_quality_csv"),
    path(
        "organisations/<slug:slug>/share/",
        dashboard_views.organisation_share,
        name="organisation_share",
    ),
    path(
        "directorates/<int:pk>/share/",
        dashboard_views.directorate_share,
        name="directorate_share",
    ),
    path("services/<slug:slug>/friction/", views.friction_register, name="friction"),
    path("services/<slug:slug>/friction/new/", views.friction_new, name="friction_new"),
    path("friction/", views.friction_all, name="friction_all"),
    path("friction/<int:pk>/", views.friction_edit, name="friction_edit"),
    path("services/<slug:slug>/change/", views.change_page, name="change"),
    path("services/<slug:slug>/change/new/", views.change_edit, name="change_new"),
    path("services/<slug:slug>/change/<int:pk>/", views.change_edit, name="change_edit"),
    path("imports/", import_views.import_history, name="imports"),
    path("imports/upload/", import_views.upload, name="import_upload"),
    path("imports/gc-inventory/", import_views.gc_upload, name="gc_upload"),
    path("imports/templates/<str:kind>.csv", import_views.csv_template, name="csv_template"),
    path("imports/<int:pk>/", import_views.import_run, name="import_run"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.csv", import_views.import_errors_csv, name="import_errors"),
    path(
        "services/<slug:slug>/imports/",
        import_views.service_import_history,
        name="service_imports",
    ),
    path("services/<slug:slug>/tokens/", import_views.service_tokens, name="tokens"),
    path(
        "services/<slug:slug>/tokens/<int:pk>/revoke/",
        import_views.token_revoke,
        name="token_revoke",
    ),
]
