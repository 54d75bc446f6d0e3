"""The team's weekly log, the flow page and the teams' interactions."""

from django.urls import path

from performance.flow import views

urlpatterns = [
    path("teams/<int:pk>/log/", views.team_log, name="team_log"),
    path("teams/<int:pk>/log/<str:key>/", views.team_log_row, name="team_log_row"),
    path("services/<slug:slug>/flow/", views.flow_page, name="flow"),
    path("services/<slug:slug>/interactions/", views.interactions_page, name="interactions"),
]
