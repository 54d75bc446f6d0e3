from django.urls import path

from services import views

app_name = "services"

urlpatterns = [
    path("services/", views.catalogue_page, name="catalogue"),
    path("services/<slug:slug>/", views.service_page, name="service"),
    path("organisations/", views.organisations_page, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation_page, name="organisation"),
    path("directorates/<int:pk>/", views.directorate_page, name="directorate"),
    path("teams/<int:pk>/", views.team_page, name="team"),
]
