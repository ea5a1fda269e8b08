"""Forms for the walk–run plan editor.

Durations are stored in seconds but typed as minutes and seconds (two number boxes),
so a trainer writes "1 min 30 s" rather than working out 90 seconds, and a tablet
shows its number pad for both boxes.
"""

from typing import cast

from django import forms
from django.core.validators import MaxValueValidator

from .models import Plan

MAX_DURATION_SECONDS = 60 * 60
MAX_REPEATS = 50
MAX_BLOCKS = 20


class MinutesSecondsWidget(forms.MultiWidget):
    """Two labelled number boxes, minutes then seconds, inside the field's fieldset."""

    template_name = "programmes/plan_duration_widget.html"

    def __init__(self, attrs=None):
        number = {"inputmode": "numeric", "step": 1, "min": 0}
        super().__init__(
            [forms.NumberInput({**number, "max": 60}), forms.NumberInput({**number, "max": 59})], attrs
        )

    def decompress(self, value):
        if value is None:
            return [None, None]
        return list(divmod(value, 60))


class MinutesSecondsField(forms.MultiValueField):
    """A duration in whole seconds, typed as minutes and seconds; a blank box counts as 0."""

    widget = MinutesSecondsWidget

    def __init__(self, **kwargs):
        whole = {"invalid": "Enter whole numbers."}
        fields = (
            forms.IntegerField(required=False, min_value=0, max_value=60, error_messages={
                **whole, "min_value": "Minutes cannot be negative.", "max_value": "Enter 60 minutes or fewer.",
            }),
            forms.IntegerField(required=False, min_value=0, max_value=59, error_messages={
                **whole, "min_value": "Seconds cannot be negative.",
                "max_value": "Seconds go up to 59: write 90 seconds as 1 minute 30 seconds.",
            }),
        )
        kwargs.setdefault("validators", [MaxValueValidator(MAX_DURATION_SECONDS, "This can be at most 60 minutes.")])
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        minutes, seconds = (list(data_list) + [None, None])[:2]
        if minutes is None and seconds is None:
            return None
        return (minutes or 0) * 60 + (seconds or 0)


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"description": "Who it suits and how it progresses: shown to you, not to clients."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "off"

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the plan a name.")
        return name


class NewPlanForm(PlanForm):
    class Meta(PlanForm.Meta):
        fields = ["name"]
        labels = {"name": "Name of the new template"}
        help_texts = {"name": "It starts as one week with one session: 6 × (run 1 min, walk 2 min)."}


class SessionForm(forms.Form):
    warm_up = MinutesSecondsField(
        label="Warm-up walk", error_messages={"required": "Enter the warm-up walk: 0 minutes if there is none."}
    )
    cool_down = MinutesSecondsField(
        label="Cool-down walk", error_messages={"required": "Enter the cool-down walk: 0 minutes if there is none."}
    )

    def __init__(self, *args, autofocus=False, **kwargs):
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["warm_up"].widget.widgets[0].attrs["autofocus"] = True


class BlockForm(forms.Form):
    """One interval block: run, then walk, repeated."""

    # Not marked required: an empty new row is simply skipped, and clean_run asks for a time.
    run = MinutesSecondsField(label="Run", required=False)
    walk = MinutesSecondsField(label="Then walk", required=False)
    repeats = forms.IntegerField(
        label="Times", initial=1, min_value=1, max_value=MAX_REPEATS, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1, "min": 1, "max": MAX_REPEATS}),
        error_messages={
            "invalid": "Enter a whole number from 1 to 50.",
            "min_value": "Repeat at least once.",
            "max_value": "Repeat at most 50 times.",
        },
    )

    def clean_run(self):
        run = self.cleaned_data["run"]
        if run is None:
            raise forms.ValidationError("Enter how long each run lasts.")
        if run == 0:
            raise forms.ValidationError("A run interval must be longer than zero.")
        return run

    def clean_repeats(self):
        return self.cleaned_data["repeats"] or 1

    def clean_walk(self):
        return self.cleaned_data["walk"] or 0

    def clean(self):
        data = super().clean()
        # "3 × (run 5 min)" with no walks between is one 15-minute run written confusingly.
        if data.get("walk") == 0 and data.get("repeats", 1) > 1:
            self.add_error("repeats", "With no walk between them the runs join up: set this to 1, or add a walk.")
        return data


class BaseBlockFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": "A session can have at most %(num)d intervals.",
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove"

    def kept_forms(self):
        """The blocks that will be saved, in order: not removed, and not a blank new row."""
        return [
            form for form in self.forms
            if not self._should_delete_form(form) and (not form.empty_permitted or form.has_changed())
        ]

    def clean(self):
        kept = self.kept_forms()
        if not kept:
            raise forms.ValidationError("A session needs at least one run interval.")
        # A walk of 0 is how a session ends on a run (DOMAIN.md week 4: "… run 3, walk 1.5, run 5");
        # anywhere else it would glue two runs together, which is almost always a slip.
        for form in kept[:-1]:
            if form.cleaned_data.get("walk") == 0 and "walk" not in form.errors:
                form.add_error("walk", "Add the walk after this run: only the last interval can end without one.")

    def blocks(self):
        """[(run_seconds, walk_seconds, repeats)] in order — call after is_valid()."""
        return [(f.cleaned_data["run"], f.cleaned_data["walk"], f.cleaned_data["repeats"]) for f in self.kept_forms()]


# formset_factory subclasses the formset it is given (so .blocks() is there); its stub returns the base type.
BlockFormSet = cast("type[BaseBlockFormSet]", forms.formset_factory(
    BlockForm, formset=BaseBlockFormSet, extra=2, can_delete=True, can_delete_extra=False,
    max_num=MAX_BLOCKS, validate_max=True, absolute_max=MAX_BLOCKS,
))


def block_initial(session):
    return [{"run": b.run_seconds, "walk": b.walk_seconds, "repeats": b.repeats} for b in session.blocks.all()]
