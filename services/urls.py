from django.urls import path

from services import structure_views, views

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
    # The structure, as org admins change it
    path("new-organisation/", structure_views.organisation_new, name="organisation_new"),
    path(
        "organisations/<slug:slug>/edit/",
        structure_views.organisation_edit,
        name="organisation_edit",
    ),
    path(
        "organisations/<slug:slug>/new-directorate/",
        structure_views.directorate_new,
        name="directorate_new",
    ),
    path("directorates/<int:pk>/edit/", structure_views.directorate_edit, name="directorate_edit"),
    path("directorates/<int:pk>/new-team/", structure_views.team_new, name="team_new"),
    path("teams/<int:pk>/edit/", structure_views.team_edit, name="team_edit"),
    path("teams/<int:pk>/members/", structure_views.team_members, name="team_members"),
    path(
        "teams/<int:pk>/members/<int:membership>/remove/",
        structure_views.team_member_remove,
        name="team_member_remove",
    ),
    path("profile/", views.profile, name="profile"),
]
