from django.urls import path

from decisions import views

app_name = "decisions"

cell = "services/<slug:slug>/rights/<int:type_pk>/<int:band_pk>/<str:role>/"

urlpatterns = [
    path("decision-types/", views.decision_types_page, name="types"),
    path("decision-types/new/", views.decision_type_edit, name="type_new"),
    path("decision-types/<int:pk>/", views.decision_type_edit, name="type_edit"),
    path("services/<slug:slug>/rights/", views.rights_matrix_page, name="rights"),
    path(f"{cell}edit/", views.rights_cell, name="rights_cell"),
    path(cell, views.rights_cell_view, name="rights_cell_view"),
    path("services/<slug:slug>/rights/history/", views.rights_history, name="rights_history"),
    path("decision-rights/coverage/", views.rights_coverage_page, name="coverage"),
    path("services/<slug:slug>/decisions/", views.decision_log_page, name="log"),
    path("services/<slug:slug>/decisions.csv", views.decision_log_csv, name="log_csv"),
    path("services/<slug:slug>/decisions/new/", views.decision_new, name="new"),
    path("decisions/reviews/", views.reviews_due_page, name="reviews"),
    path("decisions/<int:pk>/", views.decision_page, name="decision"),
    path("decisions/<int:pk>/edit/", views.decision_edit, name="edit"),
    path("decisions/<int:pk>/delete/", views.decision_delete_page, name="delete"),
    path("decisions/<int:pk>/history/", views.decision_history_page, name="history"),
]
