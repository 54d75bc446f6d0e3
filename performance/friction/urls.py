"""The friction register and the shared problems."""

from django.urls import path

from performance.friction import views

urlpatterns = [
    path("portfolio/shared-problems/", views.shared_problems_page, name="shared_problems"),
    path("services/<slug:slug>/friction/", views.friction_register, name="friction"),
    path("services/<slug:slug>/friction/new/", views.friction_new, name="friction_new"),
    path("friction/", views.friction_all, name="friction_all"),
    path("friction/<int:pk>/", views.friction_edit, name="friction_edit"),
]
