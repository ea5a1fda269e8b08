import re
from datetime import timedelta

from django import forms
from django.utils import timezone

from lib.forms import DateInput, YesNoUnknown

from .models import Client, Handover, sixteenth_birthday_cutoff

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()-]+$")


class ClientForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "full_name", "email", "phone", "date_of_birth",
            "baby_date_of_birth", "delivery", "perineal_trauma", "breastfeeding",
            "prior_incontinence", "bmi_30_or_more",
            "goal", "target_event", "target_date",
            "gp_check_date", "physio_seen_date", "notes",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "baby_date_of_birth": DateInput(),
            "target_date": DateInput(),
            "gp_check_date": DateInput(),
            "physio_seen_date": DateInput(),
            "breastfeeding": YesNoUnknown(),
            "prior_incontinence": YesNoUnknown(),
            "bmi_30_or_more": YesNoUnknown(),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "goal": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "baby_date_of_birth": "Weeks after birth are worked out from this.",
            "goal": "In her words, e.g. “run with my club again”.",
            "notes": "Only you see these: never shown to her or printed on her report.",
            "delivery": "Leave blank if not known.",
        }
        labels = {"delivery": "Type of delivery", "target_event": "Target event (optional)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "off"
        self.fields["delivery"].choices = [("", "Not recorded"), *self.fields["delivery"].choices[1:]]
        self.fields["perineal_trauma"].choices = [("", "Not recorded"), *self.fields["perineal_trauma"].choices[1:]]

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter her name.")
        return name

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = re.sub(r"\D", "", phone)
        if phone and (not PHONE_PATTERN.match(phone) or not 7 <= len(digits) <= 15):
            raise forms.ValidationError("Enter a phone number of 7 to 15 digits, like 07700 900123 or +44 7700 900123.")
        return phone

    def clean_baby_date_of_birth(self):
        born = self.cleaned_data["baby_date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The baby's date of birth cannot be in the future.")
        if born < today - timedelta(days=365 * 25):
            raise forms.ValidationError("That is more than 25 years ago: check the year.")
        first = self.instance.assessments.order_by("assessed_on").first() if self.instance.pk else None
        if first and born > first.assessed_on:
            raise forms.ValidationError(
                f"She has an assessment dated {first.assessed_on:%-d %b %Y}, before this date: check the date."
            )
        return born

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born is None:
            return born
        if born > sixteenth_birthday_cutoff(today):
            raise forms.ValidationError("Restride is for clients aged 16 or over.")
        if born.year < today.year - 90:
            raise forms.ValidationError("Check the year: that would make her over 90.")
        return born

    def _not_in_future(self, field, message):
        day = self.cleaned_data[field]
        if day and day > timezone.localdate():
            raise forms.ValidationError(message)
        return day

    def clean_gp_check_date(self):
        return self._not_in_future("gp_check_date", "The GP check cannot be dated in the future.")

    def clean_physio_seen_date(self):
        return self._not_in_future("physio_seen_date", "The physio appointment cannot be dated in the future.")

    def clean(self):
        data = super().clean()
        mother, baby = data.get("date_of_birth"), data.get("baby_date_of_birth")
        if mother and baby and mother >= baby:
            self.add_error("date_of_birth", "Her date of birth must be before her baby's.")
        gp = data.get("gp_check_date")
        if gp and baby and gp < baby:
            self.add_error("gp_check_date", "The GP check cannot be before the birth.")
        return data



class NewClientForm(ClientForm):
    """Adding a client: one with the same name and baby's date of birth as a client already in her
    trainer's book (archived ones too) is asked about first, so a double entry is not made by accident."""

    not_a_duplicate = forms.BooleanField(
        label="This is a different client: add her anyway", required=False,
        help_text="Tick only if she is not the client listed above.",
    )

    def __init__(self, *args, trainer, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.trainer = trainer
        self.possible_duplicates = []
        self.members = {member.pk: member for member in members}
        if len(self.members) > 1:  # a studio of one never sees the choice: she leads her clients
            self.fields["lead_trainer"] = forms.TypedChoiceField(
                label="Lead trainer", coerce=int, initial=trainer.pk, required=False,  # not posted: she leads
                choices=[(member.pk, member.full_name or member.email) for member in members],
                help_text="Named on her page and report; every trainer of the studio works with her.")

    def chosen_lead(self):
        """Who leads her: the one chosen, or the trainer adding her."""
        return self.members.get(self.cleaned_data.get("lead_trainer"), self.trainer)

    def clean(self):
        cleaned = super().clean()
        name, born = cleaned.get("full_name"), cleaned.get("baby_date_of_birth")
        if name and born and not cleaned.get("not_a_duplicate"):
            self.possible_duplicates = list(Client.objects.for_trainer(self.trainer).filter(
                full_name__iexact=name, baby_date_of_birth=born).order_by("pk")[:5])
            if self.possible_duplicates:
                self.add_error("not_a_duplicate", f"You already have a client called {name} whose baby was born on "
                                                  f"{born:%-d %b %Y}. Open her record, or tick to add a different client.")
        return cleaned

class HandoverForm(forms.Form):
    """Hand her over to another trainer of her studio, saying why (kept in her history)."""

    to = forms.TypedChoiceField(label="Hand her over to", coerce=int,
                                error_messages={"required": "Choose the trainer who leads her from now on.",
                                                "invalid_choice": "Choose a trainer of her studio."})
    reason = forms.CharField(label="Reason", max_length=Handover.REASON_MAX_LENGTH,
                             error_messages={"required": "Give a reason for the hand-over."},
                             help_text="Kept in her history, e.g. “Cara takes her Tuesday sessions from now on”.")

    def __init__(self, *args, client, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {member.pk: member for member in members if member.pk != client.trainer_id}
        self.fields["to"].choices = [("", "Choose a trainer"), *((member.pk, member.full_name or member.email)
                                                                 for member in self.members.values())]
        self.fields["reason"].widget.attrs["autocomplete"] = "off"

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("Give a reason for the hand-over.")
        return reason

    @property
    def trainer(self):
        return self.members[self.cleaned_data["to"]]


class DeleteClientForm(forms.Form):
    confirm_name = forms.CharField(label="Type her full name to confirm", max_length=150)

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["confirm_name"].widget.attrs["autocomplete"] = "off"

    def clean_confirm_name(self):
        typed = " ".join(self.cleaned_data["confirm_name"].split())
        if typed.casefold() != self.client.full_name.casefold():
            raise forms.ValidationError("That does not match her name, so nothing was deleted.")
        return typed


class ShareLinkForm(forms.Form):
    expires_on = forms.DateField(label="Link expires on (optional)", required=False, widget=DateInput(),
                                 help_text="Leave blank for a link that works until you revoke it.")

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day and day <= timezone.localdate():
            raise forms.ValidationError("Choose a date after today.")
        return day

