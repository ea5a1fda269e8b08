from django.urls import include, path

from . import twofactor, views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup_done"),
    # The token carries her details, signed; config.logging redacts it from every log.
    path("signup/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("signed-in/", views.signed_in_again, name="signed_in_again"),
    path("profile/", views.profile, name="profile"),
    path("studio/", views.studio_details, name="studio_details"),
    path("studio/logo/", views.studio_logo, name="studio_logo"),
    path("two-factor/", twofactor.manage, name="two_factor"),
    path("two-factor/code/", twofactor.verify, name="two_factor_verify"),
    path("two-factor/setup/", twofactor.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", twofactor.regenerate_codes, name="two_factor_codes"),
    path("two-factor/disable/", twofactor.disable, name="two_factor_disable"),
    path("", include("django.contrib.auth.urls")),
]
