from django.urls import include, path

from . import member_views, twofactor, views

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
    path("studio/members/", member_views.members, name="members"),
    path("studio/members/invite/", member_views.invite, name="member_invite"),
    path("studio/members/leave/", member_views.leave, name="studio_leave"),
    path("studio/members/<int:pk>/role/", member_views.member_role, name="member_role"),
    path("studio/members/<int:pk>/remove/", member_views.remove_member, name="member_remove"),
    path("studio/invitations/<int:pk>/revoke/", member_views.revoke_invitation, name="invitation_revoke"),
    # The token names the invitation, signed; config.logging redacts it from every log.
    path("invitation/<str:token>/", member_views.invitation, name="invitation"),
    path("two-factor/", twofactor.manage, name="two_factor"),
    path("two-factor/code/", twofactor.verify, name="two_factor_verify"),
    path("two-factor/setup/", twofactor.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", twofactor.regenerate_codes, name="two_factor_codes"),
    path("two-factor/disable/", twofactor.disable, name="two_factor_disable"),
    path("", include("django.contrib.auth.urls")),
]
