from datetime import timedelta

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from guideline import protocol
from lib.forms import DateInput

from . import wellbeing
from .models import RESUME_NOTE_NEEDED, Plan, SessionLog, running_decision_for
from .progression import RED_FLAG_SYMPTOMS, symptom_name

LOG_FIELDS = ("done_on", "outcome", "effort", "symptoms", "notes", "sleep", "run_down", "breastfeeding")

def symptom_choices(reader):
    """The session checklist, grouped as the screen is (pelvic symptoms, medical warning signs,
    other pain), in the reader's words: the trainer's, or hers on her phone."""
    groups = {title: [] for title in protocol.GROUPS.values()}
    for code in RED_FLAG_SYMPTOMS:
        name = symptom_name(code, reader)
        groups[protocol.GROUPS[protocol.ITEMS[f"symptoms.{code}"].group]].append((code, name[0].upper() + name[1:]))
    other = "Other pain (knee, hip, shin…)" if reader == "trainer" else "Pain in a knee, hip, shin or elsewhere"
    return [*groups.items(), ("Other", [("pain", other)])]


SYMPTOM_CHOICES = symptom_choices("trainer")
HER_SYMPTOM_CHOICES = symptom_choices("client")


class AssignForm(forms.Form):
    """Assign running from a start date. The rule for who may run decides, on that date:
    some refusals no reason can override; an override covers only the listed items."""

    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), label="Programme template", empty_label=None)
    start_date = forms.DateField(widget=DateInput())
    override_reason = forms.CharField(
        label="Your reason to start running before a “ready” verdict", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="It is kept with the programme and shown on her page.",
    )

    def __init__(self, *args, trainer, client, latest, **kwargs):
        super().__init__(*args, **kwargs)
        self.client, self.latest = client, latest
        self.fields["plan"].queryset = Plan.objects.templates_for(trainer)
        self.fields["start_date"].initial = timezone.localdate()
        self.decision = self.decide(timezone.localdate())
        if not self.decision.overridable:
            del self.fields["override_reason"]

    def decide(self, start_date):
        return running_decision_for(self.client, self.latest, start_date)

    @property
    def override_labels(self):
        """The items an override would cover, in the protocol's words, for the form to list."""
        return [protocol.ITEMS[code].label for code in self.decision.override_items if code in protocol.ITEMS]

    def clean_start_date(self):
        start = self.cleaned_data["start_date"]
        if start < self.client.baby_date_of_birth:
            raise forms.ValidationError("A programme cannot start before the birth.")
        if start > timezone.localdate() + timedelta(days=366):
            raise forms.ValidationError("Choose a start date within the next year.")
        if self.decide(start).code == "too_early":
            earliest = self.client.baby_date_of_birth + timedelta(weeks=protocol.MIN_WEEKS_POSTPARTUM)
            raise forms.ValidationError(
                f"Running cannot start before {protocol.MIN_WEEKS_POSTPARTUM} weeks after the birth: "
                f"choose {earliest:%-d %b %Y} or later."
            )
        return start

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("start_date")
        if start is None:
            return cleaned
        decision = self.decide(start)
        cleaned["override_items"] = []
        if decision.allowed:
            cleaned["override_reason"] = ""
        elif decision.overridable:
            if not cleaned.get("override_reason", "").strip():
                self.add_error("override_reason", "Her latest assessment is not “ready”: give your reason to start "
                                                  "running anyway, or reassess her first.")
            else:
                cleaned["override_reason"] = cleaned["override_reason"].strip()
                cleaned["override_items"] = list(decision.override_items)
        else:
            raise forms.ValidationError(decision.reason)
        return cleaned


class OverrideForm(forms.Form):
    """A programme on hold because a newer assessment is "not yet": run anyway, for a reason."""

    override_reason = forms.CharField(label="Your reason to carry on running", max_length=1000,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      error_messages={"required": "Give your reason to carry on running, or reassess her."})

    def clean_override_reason(self):
        reason = self.cleaned_data["override_reason"].strip()
        if not reason:
            raise forms.ValidationError("Give your reason to carry on running, or reassess her.")
        return reason


def yes_no_field(question, reader):
    """An optional yes/no: unticked is None ("not answered"), never False."""
    return forms.TypedChoiceField(
        label=wellbeing.QUESTIONS[question][reader], required=False, choices=[("True", "Yes"), ("False", "No")],
        coerce=lambda value: value == "True", empty_value=None, widget=forms.RadioSelect,
    )


def sleep_field(reader):
    return forms.TypedChoiceField(label=wellbeing.QUESTIONS["sleep"][reader], required=False, choices=wellbeing.SLEEP,
                                  empty_value=None, widget=forms.RadioSelect)


class SessionLogForm(forms.ModelForm):
    symptoms = forms.MultipleChoiceField(
        label="Symptoms during or after", choices=SYMPTOM_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked if she had none.",
    )
    effort = forms.TypedChoiceField(
        label="Effort (0 rest – 10 maximal)", required=False, coerce=int, empty_value=None,
        choices=[("", "Not rated"), *((n, str(n)) for n in range(11))], widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose an effort from 0 to 10."},
    )

    # The position this form logs: the programme's next sequence number (one log per number)
    # and the week and session it showed. A second post of the same form is "already logged".
    sequence = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={
        "required": "This form is out of date: reload her page and log the session again.",
        "invalid": "This form is out of date: reload her page and log the session again.",
        "min_value": "This form is out of date: reload her page and log the session again.",
    })
    week = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    session = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # The wellbeing check (issue 23): optional, it never gates.
    sleep = sleep_field("trainer")
    run_down = yes_no_field("run_down", "trainer")
    breastfeeding = yes_no_field("breastfeeding", "trainer")
    wellbeing_intro = wellbeing.INTRO["trainer"]

    class Meta:
        model = SessionLog
        fields = list(LOG_FIELDS)
        widgets = {"done_on": DateInput(), "outcome": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"outcome": "How did it go?"}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["done_on"].initial = timezone.localdate()
        self.fields["outcome"].choices = SessionLog.OUTCOMES
        if "sequence" in self.fields:
            state = programme.state
            self.fields["sequence"].initial = programme.next_sequence
            self.fields["week"].initial, self.fields["session"].initial = state.week, state.session

    def clean(self):
        cleaned = super().clean()
        for hidden in ("sequence", "week", "session"):
            if hidden in self.fields and hidden in self._errors:
                # A hidden field's error has no place beside it: say it above the form.
                del self._errors[hidden]
                self.add_error(None, "This form is out of date: reload her page and log the session again.")
                break
        self.check_same_day()
        return cleaned

    def validate_constraints(self):
        """None of SessionLog's constraints is checked here, each by a query as Django would: its
        checks on effort (none, or 0 to 10) and outcome (completed, partial, skipped) are exactly
        what these fields' choices accept, and the log's one number per programme is not a field
        of the form (the operation says "already logged")."""

    @property
    def position(self):
        week, session = self.cleaned_data.get("week"), self.cleaned_data.get("session")
        return (week, session) if week and session else None

    def log_fields(self):
        return {name: self.cleaned_data[name] for name in LOG_FIELDS}

    @property
    def wellbeing_fields(self):
        return [self[name] for name in ("sleep", "run_down", "breastfeeding")]

    # The log being corrected, which may keep its own day (CorrectLogForm).
    log = None

    def clean_done_on(self):
        day = self.cleaned_data["done_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("A session cannot be logged for a date in the future.")
        if day < self.programme.start_date:
            raise forms.ValidationError(f"The programme started on {self.programme.start_date:%-d %b %Y}: pick that date or later.")
        return day

    def same_day_error(self, day):
        return self.programme.same_day_refusal(day, self.log)

    def check_same_day(self):
        """DOMAIN.md "Pacing": a second session for the same day is refused. Not for a repeat of a
        form already logged (a double tap): that is "already logged", said by the operation."""
        day = self.cleaned_data.get("done_on")
        sequence = self.cleaned_data.get("sequence")
        if sequence is not None and sequence <= self.programme.log_sequence:
            return
        if day is not None and (error := self.same_day_error(day)):
            self.add_error("done_on", error)


class ResumeForm(forms.Form):
    """Resuming after a pause: after symptoms in two sessions in a row the note is required (she has
    been seen, or the symptoms have settled); after a red flag, the new assessment is the record."""

    note = forms.CharField(label="Note (optional)", required=False, max_length=300,
                           help_text="For example: seen by the pelvic health physiotherapist, cleared to run.")

    def __init__(self, *args, note_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if note_required:
            note = self.fields["note"]
            note.required, note.label = True, "Note: she has been seen, or the symptoms have settled"
            note.help_text = "Required. For example: seen by the GP, knee pain settled after a week's rest."
            note.error_messages["required"] = RESUME_NOTE_NEEDED

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if self.fields["note"].required and not note:
            raise forms.ValidationError(RESUME_NOTE_NEEDED)
        return note


class CorrectLogForm(SessionLogForm):
    """Change what a logged session records, for a reason that goes on the record."""

    # The log is already placed: these do not apply (None drops an inherited field, which django-stubs cannot express).
    sequence = week = session = None  # type: ignore[assignment]
    reason = forms.CharField(label="Reason for the correction", max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="For example: red flag ticked by mistake, she had no symptoms.",
                             error_messages={"required": "Give the reason for the correction."})
    confirm_red_flag_removed = forms.BooleanField(
        label="I confirm she did not have this red-flag symptom", required=False,
        help_text="Needed only when the correction removes a red-flag symptom.",
    )

    def __init__(self, *args, programme, log, **kwargs):
        super().__init__(*args, programme=programme, instance=log, **kwargs)
        self.log = log
        self.fields["symptoms"].initial = log.symptoms

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for the correction.")
        return reason

    def changes(self):
        return {name: self.cleaned_data[name] for name in LOG_FIELDS}


class DeleteLogForm(forms.Form):
    reason = forms.CharField(label="Reason for deleting it", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="For example: logged twice, or logged for the wrong client.",
                             error_messages={"required": "Give the reason for deleting it."})
    confirm_red_flag_removed = forms.BooleanField(
        label="I confirm she did not have this red-flag symptom", required=False,
        help_text="Needed only when the session records a red-flag symptom.",
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for deleting it.")
        return reason


class HerSessionLogForm(SessionLogForm):
    """The same log, asked in her words on her phone through her private link: the same
    choices (SYMPTOM_CHOICES, SessionLog.OUTCOMES' codes), the same exactly-once fields."""

    # Asked first: a clean session is "No", effort, Save. The list shows for "Yes" (her-log.js);
    # without JavaScript it is simply below.
    any_symptoms = forms.ChoiceField(
        label="Any symptoms, during or after?", choices=[("no", "No"), ("yes", "Yes")],
        widget=forms.RadioSelect(attrs={"data-symptoms-answer": ""}),
        error_messages={"required": "Choose No or Yes: did you notice any symptoms?"},
    )
    symptoms = forms.MultipleChoiceField(
        label="Which did you notice?", choices=HER_SYMPTOM_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple, help_text="Tick each one you noticed.",
    )
    effort = forms.TypedChoiceField(
        label="How hard did it feel?", required=False, coerce=int, empty_value=None,
        choices=[(n, str(n)) for n in range(11)], widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a number from 0 to 10."},
    )
    sleep = sleep_field("client")
    run_down = yes_no_field("run_down", "client")
    breastfeeding = yes_no_field("breastfeeding", "client")
    wellbeing_intro = wellbeing.INTRO["client"]
    effort_ends = ("0 rest", "10 flat out")

    class Meta(SessionLogForm.Meta):
        labels = {"done_on": "When did you do it?", "outcome": "How did it go?",
                  "notes": "Anything you want your trainer to know? (optional)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(code, SessionLog.OUTCOMES_FOR_HER[code]) for code, _ in SessionLog.OUTCOMES]
        self.fields["outcome"].error_messages["required"] = "Choose how it went."
        self.fields["outcome"].initial = "completed"  # a clean session: No symptoms, effort, Save
        self.fields["done_on"].error_messages["required"] = "Enter the date you did it."

    def clean(self):
        cleaned = super().clean()
        answer, ticked = cleaned.get("any_symptoms"), cleaned.get("symptoms")
        if answer == "no" and ticked:
            # Never drop a ticked symptom (a red flag among them) on a "No": ask her which is right.
            self.add_error("any_symptoms", "You ticked a symptom below: choose Yes, or untick it.")
        elif answer == "yes" and not ticked and "symptoms" not in self._errors:
            self.add_error("symptoms", "Tick each symptom you noticed, or choose No above.")
        if self.non_field_errors():
            # Her words for an out-of-date form (the trainer's say "her page").
            self._errors[NON_FIELD_ERRORS] = self.error_class(
                ["Your programme has moved on since this page opened: check your next session below and log again."])
        return cleaned

    def clean_done_on(self):
        day = self.cleaned_data["done_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("That date hasn't happened yet: pick today or an earlier day.")
        if day < self.programme.start_date:
            raise forms.ValidationError(f"Your programme started on {self.programme.start_date:%-d %b %Y}: pick that day or later.")
        return day

    def same_day_error(self, day):
        if not self.programme.same_day_refusal(day):
            return ""
        return (f"You have already logged a session for {day:%-d %b %Y}: one session a day counts, with a rest day "
                "between. Pick the day you did this one.")
