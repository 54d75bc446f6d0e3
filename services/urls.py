from django.urls import path

from services import views

app_name = "services"

urlpatterns = [
    path("services/", views.catalogue_page, name="catalogue"),
    path("services/<slug:slug>/", views.service_page, name="service"),
    path("services/<slug:slug>/edit/", views.service_edit, name="service_edit"),
    path("services/<slug:slug>/leadership/", views.service_leadership, name="service_leadership"),
    path("services/<slug:slug>/journey/", views.service_journey, name="service_journey"),
    path(
        "services/<slug:slug>/proportionality/",
        views.service_assessment,
        name="service_assessment",
    ),
    path("services/<slug:slug>/history/", views.service_history_page, name="service_history"),
    path("organisations/", views.organisations_page, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation_page, name="organisation"),
    path("directorates/<int:pk>/", views.directorate_page, name="directorate"),
    path("teams/<int:pk>/", views.team_page, name="team"),
    path("profile/", views.profile, name="profile"),
]
