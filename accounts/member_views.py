"""The studio's members: the list, invitations by email (a signed link through the sign-up path),
roles, removing a member and leaving. Owners manage; a trainer sees who her colleagues are and may
leave. Every change is in the access log."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

import audit
from lib.http import absolute_url

from .forms import InviteForm, JoinForm, RoleForm, TakeOverForm
from .limits import WINDOW, hit, recipient_over_limit
from .models import (
    INVITATION_DAYS,
    Invitation,
    MembershipRefused,
    Trainer,
    change_role,
    is_last_owner,
    leads_clients,
    leave_studio,
)
from .views import owner_only, too_many

INVITATION_SALT = "accounts.invitation"
INVITATIONS_PER_STUDIO = 20  # an hour: a studio is small


def studio_members(user):
    return Trainer.objects.filter(studio_id=user.studio_id)


def role_label(role):
    return dict(Trainer.ROLES)[role].lower()


@login_required
def members(request, invite_form=None):
    """Every member with her role and when she joined; for owners, the pending invitations and the
    forms that manage them. A trainer sees the list and may leave."""
    user = request.user
    people = list(studio_members(user).order_by("full_name", "pk"))
    led = dict(user.studio.clients.order_by().values("trainer_id").annotate(n=Count("pk")).values_list("trainer_id", "n"))
    # Joined the studio: when she accepted its invitation (she may have had an account before), else her account's start.
    accepted = dict(Invitation.objects.filter(studio_id=user.studio_id, accepted_at__isnull=False)
                    .order_by("accepted_at").values_list("email", "accepted_at"))
    for person in people:
        person.leads = led.get(person.pk, 0)
        person.joined = accepted.get(person.email.lower(), person.date_joined)
    context = {"members": people, "nav": "profile", "studio": user.studio, "days": INVITATION_DAYS,
               "last_owner": sum(p.is_owner for p in people) == 1 and user.is_owner}
    if user.is_owner:
        context["invitations"] = Invitation.objects.pending().filter(studio_id=user.studio_id).select_related("invited_by")
        context["invite_form"] = invite_form or InviteForm()
        context["roles"] = Trainer.ROLES
    return render(request, "accounts/members.html", context, status=400 if invite_form and invite_form.errors else 200)


@login_required
@require_POST
def invite(request):
    owner_only(request)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return members(request, invite_form=form)
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    if studio_members(request.user).filter(email__iexact=email).exists():
        form.add_error("email", f"{email} is already a member of your studio: no invitation sent.")
        return members(request, invite_form=form)
    waiting = Invitation.objects.pending().filter(studio_id=request.user.studio_id, email__iexact=email).first()
    if waiting:
        form.add_error("email", f"{email} already has an invitation, until {waiting.expires_at:%-d %b %Y}. "
                                "Revoke it below to send a new one.")
        return members(request, invite_form=form)
    if hit(f"rate:invite:studio:{request.user.studio_id}", INVITATIONS_PER_STUDIO, WINDOW) is not None:
        return too_many(request)
    if recipient_over_limit("invite", email):
        form.add_error("email", f"We have emailed {email} several times this hour: try again later.")
        return members(request, invite_form=form)
    invitation = Invitation.objects.create(studio_id=request.user.studio_id, email=email, role=role, invited_by=request.user)
    send_invitation(request, invitation)
    audit.record(request, None, "member_invited", f"Invitation #{invitation.pk}: invited as {role_label(role)}")
    messages.success(request, f"Invitation sent to {email}. The link works for {INVITATION_DAYS} days.")
    return redirect("members")


def invitation_token(invitation):
    return signing.dumps({"i": invitation.pk, "e": invitation.email}, salt=INVITATION_SALT)


def invitation_from(token):
    """The pending invitation a link names, or None: tampered, expired, revoked or used."""
    try:
        details = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_DAYS * 24 * 60 * 60)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(details, dict):
        return None
    invitation = Invitation.objects.select_related("studio", "invited_by").filter(
        pk=details.get("i"), email=details.get("e")).first()
    # An invitation stands only while whoever sent it is still an owner of the studio.
    return invitation if invitation and invitation.is_pending and not invitation.inviter_refusal() else None


def send_invitation(request, invitation):
    studio, inviter = invitation.studio, invitation.invited_by
    context = {"url": absolute_url(request, reverse("invitation", args=[invitation_token(invitation)])),
               "days": INVITATION_DAYS, "studio": studio.name or f"{inviter.full_name}'s studio",
               "inviter": inviter.full_name, "role": role_label(invitation.role)}
    body = render_to_string("registration/invitation_email.txt", context)
    send_mail(f"{inviter.full_name} invited you to {context['studio']} on Restride", body, None, [invitation.email])


@login_required
@require_POST
def revoke_invitation(request, pk):
    owner_only(request)
    invitation = get_object_or_404(Invitation, pk=pk, studio_id=request.user.studio_id)
    if invitation.revoked_at is None and invitation.accepted_at is None:
        invitation.revoke()
        audit.record(request, None, "invitation_revoked", f"Invitation #{invitation.pk}")
        messages.success(request, f"The invitation to {invitation.email} is revoked: its link no longer works.")
    return redirect("members")


@login_required
@require_POST
def member_role(request, pk):
    owner_only(request)
    member = get_object_or_404(studio_members(request.user), pk=pk)
    form = RoleForm(request.POST)
    if form.is_valid() and form.cleaned_data["role"] != member.role:
        try:
            change_role(member, form.cleaned_data["role"], by=request.user)
        except MembershipRefused as refused:
            messages.error(request, str(refused))
            return redirect("members")
        audit.record(request, None, "role_changed", f"Trainer #{member.pk} is now {role_label(member.role)}")
        messages.success(request, f"{member.full_name} is now {'an owner' if member.is_owner else 'a trainer'}.")
    return redirect("members")


def leaving_page(request, member, *, leaving_herself):
    """Remove a member (an owner) or leave (herself): who takes over the clients she leads, then go."""
    led = leads_clients(member, request.user.studio_id)
    form = TakeOverForm(request.POST or None, members=studio_members(request.user), leaver=member,
                        default=request.user if not leaving_herself else None) if led else None
    refused = None
    if member.is_owner and is_last_owner(member.pk, studio_members(request.user)):  # leave_studio's rule, asked first
        refused = "The studio's last owner cannot leave: make another member an owner first."
    elif leaving_herself and led and not request.user.is_owner:
        refused = (f"You lead {led} client{'s' if led != 1 else ''}: an owner must hand them over to another member "
                   "before you can leave the studio.")
    if request.method == "POST" and refused is None and (form is None or form.is_valid()):
        taker = form.cleaned_data["taker"] if form else None
        studio_id = request.user.studio_id  # the studio she leaves (or is removed from) logs it
        try:
            handed = leave_studio(member, by=request.user, taker=taker)
        except MembershipRefused as error:
            refused = str(error)
        else:
            kind, target = ("member_left", "Left the studio") if leaving_herself else (
                "member_removed", f"Trainer #{member.pk} removed")
            if handed:
                target += f"; {handed} client{'s' if handed != 1 else ''} handed over to trainer #{taker.pk}"
            audit.record(request, None, kind, target, studio_id=studio_id)
            if leaving_herself:
                update_session_auth_hash(request, member)  # this session goes on; her others end
                messages.success(request, "You have left the studio. You keep your account, with a studio of your own.")
                return redirect("profile")
            messages.success(request, f"{member.full_name} is no longer a member: she is signed out and cannot see "
                                      "the studio's clients.")
            return redirect("members")
    return render(request, "accounts/member_leave.html",
                  {"member": member, "form": form, "led": led, "refused": refused, "leaving_herself": leaving_herself,
                   "nav": "profile"}, status=409 if refused and request.method == "POST" else 200)


@login_required
def remove_member(request, pk):
    owner_only(request)
    member = get_object_or_404(studio_members(request.user).exclude(pk=request.user.pk), pk=pk)
    return leaving_page(request, member, leaving_herself=False)


@login_required
def leave(request):
    return leaving_page(request, request.user, leaving_herself=True)


def invitation(request, token):
    """The emailed link. A new person chooses her password (the sign-up path) and is signed in as
    a member; someone with an account signs in, then accepts. A link that is tampered with,
    expired, revoked or used is a 404 that creates nothing."""
    found = invitation_from(token)
    if found is None:
        return render(request, "registration/invitation_invalid.html", status=404)
    account = Trainer.objects.filter(email__iexact=found.email).first()
    context = {"invitation": found, "role": role_label(found.role), "studio_name": found.studio.name or "their studio"}
    if account is None:
        return join_as_new(request, found, context)
    if not request.user.is_authenticated:
        messages.info(request, f"Sign in as {found.email} to accept the invitation.")
        return redirect(f"{reverse('login')}?next={request.path}")
    if request.user.pk != account.pk:
        return render(request, "registration/invitation_other.html", context, status=403)
    if request.method == "POST":
        try:
            found.accept(request.user)
        except MembershipRefused as refused:
            return render(request, "registration/invitation_accept.html", {**context, "refused": str(refused)}, status=409)
        update_session_auth_hash(request, request.user)  # this session goes on; her others end
        audit.record(request, None, "member_joined", f"Joined as {role_label(found.role)} (invitation #{found.pk})")
        messages.success(request, f"You are a member of {context['studio_name']} now.")
        return redirect("home")
    return render(request, "registration/invitation_accept.html", {**context, "refused": found.refusal_for(request.user)})


def join_as_new(request, found, context):
    if request.user.is_authenticated:  # someone else's session on this device
        return render(request, "registration/invitation_other.html", context, status=403)
    form = JoinForm(request.POST or None, instance=Trainer(email=found.email, role=found.role, studio_id=found.studio_id))
    if request.method == "POST" and form.is_valid():
        try:
            trainer = found.accept_as_new(form.save(commit=False))
        except IntegrityError:  # the same link, submitted twice at once
            trainer = None
        if trainer is None:
            messages.info(request, "This invitation has been used: sign in.")
            return redirect("login")
        login(request, trainer, backend="django.contrib.auth.backends.ModelBackend")
        audit.record(request, None, "member_joined", f"Joined as {context['role']} (invitation #{found.pk})")
        messages.success(request, f"Welcome to {context['studio_name']} on Restride.")
        return redirect("home")
    return render(request, "registration/invitation_join.html", {**context, "form": form, "email": found.email})
