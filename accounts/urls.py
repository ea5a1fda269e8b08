from django.urls import include, path

from . import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("profile/logo/", views.profile_logo, name="profile_logo"),
    path("", include("django.contrib.auth.urls")),
]
