from django.urls import path

from . import exercise_views
from . import plan_views as views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/rename/", views.plan_rename, name="rename"),
    path("<int:pk>/duplicate/", views.plan_duplicate, name="duplicate"),
    path("<int:pk>/delete/", views.plan_delete, name="delete"),
    path("<int:pk>/weeks/add/", views.add_week, name="add_week"),
    path("<int:pk>/weeks/remove/", views.remove_week, name="remove_week"),
    path("<int:pk>/weeks/<int:week>/sessions/add/", views.add_session, name="add_session"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.edit_session, name="edit_session"),
    path("sessions/<int:pk>/remove/", views.remove_session, name="remove_session"),
    path("exercises/", exercise_views.exercise_list, name="exercises"),
    path("exercises/new/", exercise_views.exercise_create, name="exercise_create"),
    path("exercises/<int:pk>/", exercise_views.exercise_detail, name="exercise"),
    path("exercises/<int:pk>/edit/", exercise_views.exercise_edit, name="exercise_edit"),
    path("exercises/<int:pk>/duplicate/", exercise_views.exercise_duplicate, name="exercise_duplicate"),
    path("exercises/<int:pk>/delete/", exercise_views.exercise_delete, name="exercise_delete"),
]
