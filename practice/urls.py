from django.urls import path

from . import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/hand-over/", views.client_hand_over, name="hand_over"),
    path("<int:pk>/archive/", views.client_archive, name="archive"),
    path("<int:pk>/restore/", views.client_restore, name="restore"),
    path("<int:pk>/consent/", views.client_consent, name="consent"),
    path("<int:pk>/delete/", views.client_delete, name="delete"),
    path("<int:pk>/link/", views.share_link_create, name="link_create"),
    path("<int:pk>/link/show/", views.share_link_show, name="link_show"),
    path("<int:pk>/link/email/", views.share_link_email, name="link_email"),
    path("<int:pk>/link/revoke/", views.share_link_revoke, name="link_revoke"),
    path("<int:pk>/reminders/", views.client_reminders, name="reminders"),
    path("<int:pk>/self-logging/", views.self_logging, name="self_logging"),
    path("attention/", views.attention_all, name="attention"),
    path("<int:pk>/attention/", views.attention_ack, name="attention_ack"),
]
