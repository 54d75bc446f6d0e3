from django.urls import path

from performance import views

app_name = "performance"

urlpatterns = [
    path("teams/<int:pk>/log/", views.team_log, name="team_log"),
    path("teams/<int:pk>/log/<str:key>/", views.team_log_row, name="team_log_row"),
    path("services/<slug:slug>/flow/", views.flow_page, name="flow"),
    path("services/<slug:slug>/friction/", views.friction_register, name="friction"),
    path("services/<slug:slug>/friction/new/", views.friction_new, name="friction_new"),
    path("friction/", views.friction_all, name="friction_all"),
    path("friction/<int:pk>/", views.friction_edit, name="friction_edit"),
    path("services/<slug:slug>/change/", views.change_page, name="change"),
    path("services/<slug:slug>/change/new/", views.change_edit, name="change_new"),
    path("services/<slug:slug>/change/<int:pk>/", views.change_edit, name="change_edit"),
]
