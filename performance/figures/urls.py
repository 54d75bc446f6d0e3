"""The dashboard, the review pack, the portfolio, the data quality and the share pages."""

from django.urls import path

from performance.figures import views

urlpatterns = [
    path("services/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("services/<slug:slug>/review-pack/", views.review_pack, name="review_pack"),
    path("portfolio/", views.portfolio_page, name="portfolio"),
    path("portfolio.csv", views.portfolio_csv, name="portfolio_csv"),
    path("data-quality/", views.data_quality, name="data_quality"),
    path("data-quality.csv", views.data_quality_csv, name="data_quality_csv"),
    path(
        "organisations/<slug:slug>/share/",
        views.organisation_share,
        name="organisation_share",
    ),
    path(
        "directorates/<int:pk>/share/",
        views.directorate_share,
        name="directorate_share",
    ),
]
