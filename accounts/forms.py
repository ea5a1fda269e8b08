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
