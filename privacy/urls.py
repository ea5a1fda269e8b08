from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("activity/", views.trainer_log, name="log"),
    path("clients/<int:client_pk>/activity/", views.client_activity, name="client_activity"),
    path("clients/<int:client_pk>/everything/", views.prepare_everything, name="everything"),
    path("clients/<int:client_pk>/everything.zip", views.export_everything, name="export_everything"),
]
