"""Open data: the public pages and downloads, mounted at /open/ with no sign-in."""

from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.open_portfolio, name="portfolio"),
    path("services/<slug:slug>/", views.open_service, name="service"),
    path("services/<slug:slug>/figures.csv", views.open_service_csv, name="service_csv"),
    path("services/<slug:slug>/figures.json", views.open_service_json, name="service_json"),
    path("gc/<str:name>", views.open_gc_file, name="gc_file"),
]
