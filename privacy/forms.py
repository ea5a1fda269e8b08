from django import forms

from audit.models import KINDS
from clients.models import Client


class LogFilterForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.none(), required=False, empty_label="All clients")
    kind = forms.ChoiceField(label="What", required=False, choices=[("", "Everything"), *KINDS])
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, trainer, **kwargs):
        super().__init__(*args, **kwargs)
        # Her studio's clients, archived ones too (an owner's log holds all of theirs; a trainer's,
        # her own reads and changes of any of them): another studio's client is not a choice.
        self.fields["client"].queryset = Client.objects.for_trainer(trainer).order_by("full_name").only("full_name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def apply(self, events):
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["client"]:
            events = events.filter(client=data["client"])
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["date_from"]:
            events = events.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            events = events.filter(at__date__lte=data["date_to"])
        return events
