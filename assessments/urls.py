from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("clients/<int:client_pk>/assessments/new/", views.assessment_create, name="create"),
    path("clients/<int:client_pk>/assessments/", views.assessment_list, name="list"),
    path("clients/<int:client_pk>/assessments/compare/", views.compare, name="compare"),
    path("clients/<int:client_pk>/assessments/import/", views.import_json, name="import"),
    path("assessments/<int:pk>/", views.studio, name="studio"),
    path("assessments/<int:pk>/confirm-carried-over/", views.confirm_carried_over, name="confirm_carried_over"),
    path("assessments/<int:pk>/referral/", views.referral, name="referral"),
    path("assessments/<int:pk>/export.json", views.export_json, name="export"),
    path("assessments/<int:pk>/delete/", views.assessment_delete, name="delete"),
]
