from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("p/<str:token>/", views.progress, name="progress"),
    path("p/<str:token>/log/", views.her_log, name="log"),
    path("p/<str:token>/strength/", views.her_strength, name="strength"),
    path("p/<str:token>/sw.js", views.service_worker, name="service_worker"),
    path("p/<str:token>/manifest.webmanifest", views.manifest, name="manifest"),
    path("p/<str:token>/reminders/", views.her_reminders, name="reminders"),
    path("unsubscribe/<str:token>/", views.unsubscribe_page, name="unsubscribe"),
    path("p/<str:token>/calendar.ics", views.calendar_feed, name="calendar"),
    path("p/<str:token>/report/<int:assessment_pk>.pdf", views.progress_pdf, name="progress_pdf"),
    path("assessments/<int:pk>/report.pdf", views.trainer_pdf, name="trainer_pdf"),
]
