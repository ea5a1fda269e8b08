from django import forms
from django.forms.models import ModelChoiceIterator

from audit.models import KINDS
from clients.models import Client


class NameChoices(ModelChoiceIterator):
    """Her studio's clients as (id, name) read from those two columns alone: the access log draws
    every one of them as an option on every page (200, or 1,000), and loading each as a Client to
    ask its name (str(client), her full_name) cost more than the rest of the filter."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "full_name")


class ClientChoiceField(forms.ModelChoiceField):
    iterator = NameChoices


class LogFilterForm(forms.Form):
    client = ClientChoiceField(queryset=Client.objects.none(), required=False, empty_label="All clients")
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
