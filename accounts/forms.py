import io

from PIL import Image
from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm

from .models import Trainer


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self):
        return self.cleaned_data["username"].lower()


class SignUpForm(BaseUserCreationForm):
    class Meta:
        model = Trainer
        fields = ["full_name", "email", "business_name"]
        labels = {"full_name": "Your name"}
        help_texts = {"business_name": "Shown on your clients' reports. You can change it later."}

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if Trainer.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A trainer with this email address already exists.")
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Trainer
        fields = ["full_name", "business_name", "business_email", "business_phone", "website"]
        labels = {"full_name": "Your name"}


MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_PIXELS = 4000


class LogoForm(forms.Form):
    logo = forms.FileField(label="Logo", help_text="A PNG or JPEG up to 1 MB. Shown on your clients' pages and reports.")

    def clean_logo(self):
        upload = self.cleaned_data["logo"]
        if upload.size > MAX_LOGO_BYTES:
            raise forms.ValidationError("That image is larger than 1 MB: please choose a smaller one.")
        try:
            image = Image.open(upload)
            image.verify()
            upload.seek(0)
            image = Image.open(upload)
            if image.format not in ("PNG", "JPEG"):
                raise forms.ValidationError("Choose a PNG or JPEG image.")
            if max(image.size) > MAX_LOGO_PIXELS:
                raise forms.ValidationError(f"That image is over {MAX_LOGO_PIXELS} pixels across: please choose a smaller one.")
            image.load()
        except (OSError, SyntaxError, Image.DecompressionBombError):
            raise forms.ValidationError("That file is not a PNG or JPEG image we can read.") from None
        return image

    def png_bytes(self):
        """Re-encoded as a small PNG: drops metadata and anything hidden in the original file."""
        image = self.cleaned_data["logo"]
        image = image.convert("RGBA")
        image.thumbnail((600, 240))
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
