from django import forms

from .models import AttentionAck


class AttentionAckForm(forms.Form):
    """"Seen" or "Referral sent" on a worklist entry, for what the trainer saw (its fingerprint)."""

    kind = forms.ChoiceField(choices=AttentionAck.KINDS)
    fingerprint = forms.RegexField(regex=r"^[0-9a-f-]{1,64}$")
    # Where the button was: home, or a page of "See all".
    back = forms.IntegerField(required=False, min_value=1)
    # Whose clients the page showed ("all": everyone's), to go back to the same.
    clients = forms.ChoiceField(choices=[("all", "Everyone's")], required=False)
