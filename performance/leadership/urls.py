"""Accountability drift and campaigns."""

from django.urls import path

from performance.leadership import views

urlpatterns = [
    path("portfolio/drift/", views.drift_page, name="drift"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_page, name="campaign"),
    path("campaigns/<int:pk>/fix/", views.campaign_fix, name="campaign_fix"),
]
