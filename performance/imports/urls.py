"""Imports, their history and progress, CSV templates and API tokens."""

from django.urls import path

from performance.imports import views

urlpatterns = [
    path("imports/", views.import_history, name="imports"),
    path("imports/upload/", views.upload, name="import_upload"),
    path("imports/gc-inventory/", views.gc_upload, name="gc_upload"),
    path("imports/templates/<str:kind>.csv", views.csv_template, name="csv_template"),
    path("imports/<int:pk>/", views.import_run, name="import_run"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import_errors"),
    path(
        "services/<slug:slug>/imports/",
        views.service_import_history,
        name="service_imports",
    ),
    path("services/<slug:slug>/tokens/", views.service_tokens, name="tokens"),
    path(
        "services/<slug:slug>/tokens/<int:pk>/revoke/",
        views.token_revoke,
        name="token_revoke",
    ),
]
