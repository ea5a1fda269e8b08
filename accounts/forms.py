import io
import unicodedata

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from PIL import Image

from .models import Studio, Trainer


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    # Django's own says both fields "may be case-sensitive": the email address is not (clean_username).
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email address and password do not match an account. Check the password: "
                         "capital letters matter there, not in the email address.",
    }

    def clean_username(self):
        return self.cleaned_data["username"].lower()


def single_line(value):
    """Names go into email headers and onto reports: a line break there is never meant, and in
    a Subject it would be a header injection."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise forms.ValidationError("Use a single line, without line breaks or control characters.")


class SingleLineFieldsMixin:
    single_line_fields: tuple[str, ...] = ("full_name", "business_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.single_line_fields:
            if name in self.fields:
                self.fields[name].validators.append(single_line)


class SignUpForm(SingleLineFieldsMixin, forms.ModelForm):
    """Who she is; the password is chosen from the emailed link, which proves the address. The
    business name names the studio she starts (a studio of one until she invites anyone)."""

    business_name = forms.CharField(
        max_length=Studio._meta.get_field("name").max_length, required=False,
        help_text="Shown on your clients' reports. You can change it later.")

    class Meta:
        model = Trainer
        fields = ["full_name", "email"]
        labels = {"full_name": "Your name"}
        help_texts = {"email": "We will email you a link to choose your password."}

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    # "Already exists" (the unique field or the case-insensitive constraint) would tell anyone
    # which addresses have an account: the view emails that address's owner instead, and
    # answers exactly as for a new one.
    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass


class ChoosePasswordForm(BaseUserCreationForm):
    """The last step of sign-up: the emailed link's details plus the password she chooses."""

    class Meta:
        model = Trainer
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django's is an HTML list; our field template shows help as text (no |safe), so in words.
        self.fields["password1"].help_text = " ".join(password_validation.password_validators_help_texts())


class JoinForm(SingleLineFieldsMixin, ChoosePasswordForm):
    """The last step of sign-up from an invitation: the owner gave only her address, so she says
    her name here as well as choosing her password."""

    class Meta:
        model = Trainer
        fields = ["full_name"]
        labels = {"full_name": "Your name"}


class InviteForm(forms.Form):
    email = forms.EmailField(label="Their email address", max_length=254,  # Invitation.email's column
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label="Role", choices=Trainer.ROLES, initial=Trainer.TRAINER,
                             help_text="Owners manage the studio's members, details and settings; trainers work with its clients.")

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Trainer.ROLES)


class TakeOverForm(forms.Form):
    """Who leads the clients of a member who leaves: another active member of the studio (a
    deactivated account cannot sign in to work with them)."""

    taker = forms.ModelChoiceField(label="Who takes over the clients she leads", queryset=Trainer.objects.none(),
                                   empty_label=None)

    def __init__(self, *args, members, leaver, default=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["taker"].queryset = members.filter(is_active=True).exclude(pk=leaver.pk).order_by("full_name", "pk")
        self.fields["taker"].initial = default


class ProfileForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = Trainer
        fields = ["full_name", "daily_digest"]
        labels = {"full_name": "Your name"}
        help_texts = {"daily_digest": "How many clients are on your worklist, once a day, to the address you sign in with."}


class StudioForm(SingleLineFieldsMixin, forms.ModelForm):
    """The studio's letterhead and settings: its owners' to change."""

    single_line_fields: tuple[str, ...] = ("name", "phone")

    # How long archived clients are kept: one year at least (a client archived by mistake, or
    # coming back after a second baby, is still there), ten years at most.
    RETENTION_MIN_DAYS, RETENTION_MAX_DAYS = 365, 3650

    class Meta:
        model = Studio
        fields = ["name", "email", "phone", "website", "quiet_after_days", "retention_days"]
        labels = {"name": "Studio or business name", "quiet_after_days": "A programme is quiet after (days)",
                  "retention_days": "Keep archived clients for (days)"}
        help_texts = {"retention_days": (
            "Days after you archive a client before everything about her (her details, assessments, programmes, "
            "reports and access log) is erased for good, unless she is restored first: from 365 (1 year) to 3650 "
            "(10 years). 2555 is seven years: the six-year limitation period for a claim in contract, plus one.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the period stays as it was (a form without the field changes the rest only).
        self.fields["retention_days"].required = False
        self.fields["retention_days"].widget.attrs.update(min=self.RETENTION_MIN_DAYS, max=self.RETENTION_MAX_DAYS)

    def clean_retention_days(self):
        days = self.cleaned_data["retention_days"]
        if days is None or days == self.instance.retention_days:
            return self.instance.retention_days  # unchanged: an installation's own default may lie outside the range
        if not self.RETENTION_MIN_DAYS <= days <= self.RETENTION_MAX_DAYS:
            raise forms.ValidationError(
                f"Choose from {self.RETENTION_MIN_DAYS} days (1 year) to {self.RETENTION_MAX_DAYS} days (10 years).")
        return days


MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4000  # across, either way
MAX_LOGO_AREA = 12_000_000  # pixels in all: what decoding may cost in memory


def jpeg_is_complete(data):
    """A JPEG's last scan ends with the end-of-image marker; inside a scan a 0xFF byte is always
    followed by 0x00 or a restart marker, so the marker cannot appear by chance."""
    return data.rfind(b"\xff\xd9") > data.rfind(b"\xff\xda") >= 0


def checked_image(upload):
    """A PNG or JPEG upload, checked (type, size, pixels, complete) and decoded, or a ValidationError
    in words for the field: the logo's rules, reused for exercise pictures."""
    if upload.size > MAX_LOGO_BYTES:
        raise forms.ValidationError("That image is larger than 1 MB: please choose a smaller one.")
    data = upload.read(MAX_LOGO_BYTES + 1)
    unreadable = forms.ValidationError("That file is not a PNG or JPEG image we can read.")
    try:
        image = Image.open(io.BytesIO(data))  # reads the header, decodes nothing
        if image.format not in ("PNG", "JPEG"):
            raise forms.ValidationError("Choose a PNG or JPEG image.")
        width, height = image.size
        if max(width, height) > MAX_LOGO_PIXELS or width * height > MAX_LOGO_AREA:
            raise forms.ValidationError(f"That image is over {MAX_LOGO_PIXELS} pixels across: please choose a smaller one.")
        # Truncated files are refused here, whatever Pillow's process-wide
        # LOAD_TRUNCATED_IMAGES says: WeasyPrint turns it on once it has drawn a PDF.
        # verify() reads every PNG chunk and its checksum; a JPEG must reach its end marker.
        image.verify()
        if image.format == "JPEG" and not jpeg_is_complete(data):
            raise unreadable
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise unreadable from None
    return image


def png_bytes(image, box):
    """Re-encoded as a small PNG within `box`: drops metadata and anything hidden in the original file."""
    image = image.convert("RGBA")
    image.thumbnail(box)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class LogoForm(forms.Form):
    logo = forms.FileField(label="Logo", help_text="A PNG or JPEG up to 1 MB. Shown on your clients' pages and reports.")

    def clean_logo(self):
        return checked_image(self.cleaned_data["logo"])

    def png_bytes(self):
        return png_bytes(self.cleaned_data["logo"], (600, 240))
