import copy

from django import forms
from django.utils import timezone

from accounts.forms import checked_image, png_bytes
from lib.forms import DateInput

from .forms import HerSessionLogForm
from .strength import Exercise

PICTURE_BOX = (800, 800)  # the re-encoded picture's largest size, in pixels
MAX_SETS, MAX_REPS, MAX_HOLD = 10, 100, 120


class ExerciseForm(forms.ModelForm):
    picture = forms.FileField(label="Picture", required=False,
                              help_text="Optional: a PNG or JPEG up to 1 MB, shown beside her steps.")
    remove_picture = forms.BooleanField(label="Remove the picture", required=False)
    sets = forms.IntegerField(min_value=1, max_value=MAX_SETS, initial=3)
    reps = forms.IntegerField(label="Reps (or holds)", min_value=1, max_value=MAX_REPS, initial=10)
    hold_seconds = forms.IntegerField(label="Hold (seconds)", min_value=1, max_value=MAX_HOLD, required=False,
                                      help_text="Only for held exercises; leave empty otherwise.")

    class Meta:
        model = Exercise
        fields = ["name", "serves", "muscles", "steps", "cues", "sets", "reps", "hold_seconds", "tempo", "load",
                  "progression", "regressions", "low_impact", "video_url"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in ("steps", "cues", "progression", "regressions")}

    def __init__(self, *args, has_picture=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_picture:
            del self.fields["remove_picture"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the exercise a name.")
        return name

    def clean_picture(self):
        upload = self.cleaned_data.get("picture")
        return png_bytes(checked_image(upload), PICTURE_BOX) if upload else None


class PlanItemForm(forms.Form):
    """One row of her suggested plan: keep it or not, at what dose."""

    exercise = forms.IntegerField(widget=forms.HiddenInput)
    include = forms.BooleanField(required=False)
    daily = forms.BooleanField(required=False, widget=forms.HiddenInput)
    sets = forms.IntegerField(min_value=1, max_value=MAX_SETS)
    reps = forms.IntegerField(min_value=1, max_value=MAX_REPS)
    hold_seconds = forms.IntegerField(min_value=1, max_value=MAX_HOLD, required=False)


PlanItemFormSet = forms.formset_factory(PlanItemForm, extra=0, max_num=200, validate_max=True)


class StrengthStartForm(forms.Form):
    start_date = forms.DateField(label="Start on", widget=DateInput())

    def clean_start_date(self):
        day = self.cleaned_data["start_date"]
        today = timezone.localdate()
        if abs((day - today).days) > 31:
            raise forms.ValidationError("Choose a start within a month of today.")
        return day


class TickForm(forms.Form):
    """She ticks a strength session done: `sequence` is the exactly-once key the page was given."""

    sequence = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    done_on = forms.DateField(label="Day you did it", widget=DateInput())
    # The run log's checklist in her words: the same codes, the same rules (strength_rules.tick_outcome).
    symptoms = copy.deepcopy(HerSessionLogForm.base_fields["symptoms"])
