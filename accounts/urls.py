from django.urls import include, path

from . import twofactor, views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("profile/logo/", views.profile_logo, name="profile_logo"),
    path("two-factor/", twofactor.manage, name="two_factor"),
    path("two-factor/code/", twofactor.verify, name="two_factor_verify"),
    path("two-factor/setup/", twofactor.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", twofactor.regenerate_codes, name="two_factor_codes"),
    path("two-factor/disable/", twofactor.disable, name="two_factor_disable"),
    path("", include("django.contrib.auth.urls")),
]
