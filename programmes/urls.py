from django.urls import path

from . import strength_views, views

app_name = "programmes"
urlpatterns = [
    path("clients/<int:client_pk>/programme/assign/", views.programme_assign, name="assign"),
    path("clients/<int:client_pk>/strength/", strength_views.strength_plan, name="strength"),
    path("assessments/<int:pk>/summary/", views.assessment_summary, name="assessment_summary"),
    path("programmes/<int:pk>/log/", views.session_log, name="log"),
    path("programmes/<int:pk>/logs/<int:log_pk>/correct/", views.log_correct, name="log_correct"),
    path("programmes/<int:pk>/logs/<int:log_pk>/delete/", views.log_delete, name="log_delete"),
    path("programmes/<int:pk>/resume/", views.programme_resume, name="resume"),
    path("programmes/<int:pk>/override/", views.programme_override, name="override"),
    path("programmes/<int:pk>/end/", views.programme_end, name="end"),
    path("programmes/<int:pk>/reopen/", views.programme_reopen, name="reopen"),
    path("programmes/<int:pk>/history/", views.programme_history, name="history"),
    path("sessions/<int:log_pk>/referral/", views.session_referral, name="session_referral"),
    path("strength-sessions/<int:strength_log_pk>/referral/", strength_views.strength_referral, name="strength_referral"),
]
