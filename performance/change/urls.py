"""Change initiatives and what-if scenarios."""

from django.urls import path

from performance.change import views

urlpatterns = [
    path("services/<slug:slug>/scenarios/", views.scenarios_page, name="scenarios"),
    path("services/<slug:slug>/scenarios/new/", views.scenario_new, name="scenario_new"),
    path("scenarios/<int:pk>/", views.scenario_page, name="scenario"),
    path("services/<slug:slug>/change/", views.change_page, name="change"),
    path("services/<slug:slug>/change/new/", views.change_edit, name="change_new"),
    path("services/<slug:slug>/change/<int:pk>/", views.change_edit, name="change_edit"),
]
