import json
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from clients.models import weeks_between
from guideline import protocol
from lib.forms import DateInput, YesNoUnknown

from .models import COLUMNS, COLUMNS_BY_NAME, RED_FLAG_DELETION_NEEDED, RED_FLAG_REMOVAL_NEEDED


class SharedField:
    """A protocol field made once (AssessmentForm.add_protocol_fields) and shared by every form
    instead of copied into each, as Django copies a form's fields: copying some 60 fields and their
    widgets was most of the cost of building the studio's form, on every autosave. Nothing alters a
    form's protocol fields or their widgets once made (tests/assessments/test_forms_shared.py holds
    every use of the form to that), so sharing them is the same as copying them."""

    def __deepcopy__(self, memo):
        return self


class ProtocolFlagField(SharedField, forms.NullBooleanField):
    pass


class ProtocolNumberField(SharedField, forms.IntegerField):
    pass


def column_form_field(column):
    item = column.item
    if column.is_flag:
        answers = column.answers
        return ProtocolFlagField(
            label=column.label, required=False,
            widget=YesNoUnknown(unknown_label=answers.unknown, yes_label=answers.yes, no_label=answers.no),
        )
    range_message = f"Enter a whole number of {item.unit} from 0 to {item.maximum}, or leave it blank if {protocol.NOT_TESTED}."
    return ProtocolNumberField(
        label=column.label, required=False, min_value=0, max_value=item.maximum,
        error_messages={"invalid": range_message, "min_value": range_message, "max_value": range_message},
        widget=forms.NumberInput(attrs={
            "inputmode": "numeric", "min": 0, "max": item.maximum, "step": 1, "placeholder": protocol.NOT_TESTED.capitalize(),
            # The tablet keyboard shows "Next": Enter moves to the next box (static/js/app.js).
            "enterkeyhint": "next",
        }),
    )


@dataclass(frozen=True)
class RedFlagRemovalAsked:
    """A red-flag answer changed from "yes, now" without its confirmation and reason: the studio
    asks for them beside the answer, keeping what was already ticked and typed."""

    name: str
    confirmed: bool
    reason: str


class AssessmentForm(forms.Form):
    """Every measurement of the protocol, all optional: blank is "not tested"."""

    assessed_on = forms.DateField(label="Date of assessment", widget=DateInput())
    notes = forms.CharField(label="Notes", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    # Bounded like the database column, so a forged huge number is a form error, not a query error.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("An assessment cannot be dated in the future.")
        if day < self.client.baby_date_of_birth:
            raise forms.ValidationError(
                f"An assessment cannot be dated before the birth ({self.client.baby_date_of_birth:%-d %b %Y})."
            )
        return day

    # {field name: RedFlagRemovalAsked}: the red-flag answers this post would take off her record
    # without their confirmation and reason, which the studio asks for beside them.
    red_flag_removals: dict = {}

    def valid_values(self):
        """What can be saved now: every field that passed, even when others did not."""
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors and name != "version"}

    def red_flag_reasons(self, assessment):
        """{field name: reason} for each red-flag answer this post takes off her record with the
        trainer's confirmation and reason (`confirm_<name>`, `reason_<name>` beside the answer);
        an answer without both keeps its saved "yes" and gets an error asking for them."""
        reasons, asked = {}, []
        for name in assessment.red_flags_removed(self.valid_values()):
            removal = RedFlagRemovalAsked(name, bool(self.data.get(f"confirm_{name}")),
                                          self.data.get(f"reason_{name}", "").strip()[:1000])
            if removal.confirmed and removal.reason:
                reasons[name] = removal.reason
            else:
                self.add_error(name, RED_FLAG_REMOVAL_NEEDED)
                asked.append(removal)
        self.red_flag_removals = {removal.name: removal for removal in asked}
        return reasons

    @classmethod
    def add_protocol_fields(cls):
        """One field per protocol column, made once: each form copies them (as Django copies
        declared fields), which costs far less than making some 80 fields on every request."""
        for column in COLUMNS:
            cls.base_fields[column.name] = column_form_field(column)
        for name, field in cls.base_fields.items():
            if not field.widget.is_hidden and not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs.setdefault("aria-describedby", f"errors-{name}")
        cls.base_fields["notes"].widget.attrs["aria-describedby"] = "notes-help errors-notes"

    def section_rows(self):
        """The form's fields grouped as the studio screen lays them out: by section, then by group of
        questions (each with its "None of these", protocol.ANSWER_GROUPS), then by item."""
        def row(item):
            return {"item": item, "cells": [(field.legend, self[field.name]) for field in item.fields]}

        laid_out = []
        for section in protocol.SECTIONS:
            if section.code == "symptoms":
                groups = [{"group": protocol.ANSWER_GROUPS[f"symptoms.{code}"], "heading": True,
                           "rows": [row(item) for item in section.items if item.group == code]} for code in protocol.GROUPS]
            else:
                answer_group = protocol.ANSWER_GROUPS.get("load_impact.symptoms" if section.code == "load_impact" else section.code)
                groups = [{"group": answer_group, "heading": False, "rows": [row(item) for item in section.items]}]
            laid_out.append({"section": section, "groups": groups})
        return laid_out


AssessmentForm.add_protocol_fields()


MAX_IMPORT_BYTES = 100_000


class DeleteAssessmentForm(forms.Form):
    """Deleting an assessment is a correction of her record: for a reason, kept with what it
    recorded; one that records a red flag also needs the trainer's explicit confirmation."""

    reason = forms.CharField(label="Reason for deleting it", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="For example: entered for the wrong client, or a duplicate of another.",
                             error_messages={"required": "Give the reason for deleting it."})
    confirm_red_flag_removed = forms.BooleanField(
        label="I confirm she did not have the red-flag symptoms it records", required=False,
        error_messages={"required": RED_FLAG_DELETION_NEEDED},
    )

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        if assessment.red_flag_codes:
            self.fields["confirm_red_flag_removed"].required = True
        else:
            del self.fields["confirm_red_flag_removed"]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give the reason for deleting it.")
        return reason


class ImportForm(forms.Form):
    file = forms.FileField(label="Assessment JSON file", required=False, help_text="A file exported from Restride.")
    text = forms.CharField(label="Or paste the JSON", required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), data.get("text", "").strip()
        if upload:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError("That file is too large to be an assessment export.")
            raw = upload.read()
        elif text:
            raw = text.encode()
            # The same cap as a file: pasting is no way round it.
            if len(raw) > MAX_IMPORT_BYTES:
                raise forms.ValidationError("That text is too large to be an assessment export.")
        else:
            raise forms.ValidationError("Choose a file or paste the JSON.")
        try:
            payload = json.loads(raw)
        except RecursionError:
            raise forms.ValidationError("That JSON is nested too deeply to be an assessment export.") from None
        except ValueError as error:
            # JSONDecodeError, bytes that are not UTF-8, and integers past Python's 4,300-digit
            # conversion limit all arrive as ValueError.
            raise forms.ValidationError(f"That is not valid JSON ({str(error)[:200]}).") from None
        try:
            # "\ud800" is valid JSON but not text any database, page or file can hold.
            json.dumps(payload, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise forms.ValidationError("That JSON contains characters that are not valid text.") from None
        data["payload"] = payload
        return data


def import_problems(payload, client):
    """Every problem with an imported assessment dict, as plain sentences; empty when it is valid."""
    problems = []
    if not isinstance(payload, dict):
        return ["The JSON must be an object with the assessment's sections."], None
    known = {"assessed_on", "notes", "weeks_postpartum", "profile", *protocol.SECTION_CODES}
    for key in payload:
        if key not in known:
            problems.append(f"Unknown key “{key}”.")
    data = {"version": 0, "assessed_on": "", "notes": ""}
    for key, wanted in (("assessed_on", "a date like “2026-11-26”"), ("notes", "text")):
        value = payload.get(key)
        if isinstance(value, str):
            data[key] = value
        elif value is not None:
            problems.append(f"“{key}” must be {wanted}, not {json.dumps(value)[:80]}.")
    # The form takes the flat values as they are: flatten has already checked their types.
    flat = protocol.flatten(payload, problems)
    form = AssessmentForm(data={**data, **{column.name: flat[column.name] for column in COLUMNS}}, client=client)
    form.is_valid()
    for name, errors in form.errors.items():
        if name == "version":
            continue
        label = form.fields[name].label
        path = COLUMNS_BY_NAME[name].item.path if name in COLUMNS_BY_NAME else name
        problems.extend(f"{label} ({path}): {error}" for error in errors)
    weeks = payload.get("weeks_postpartum")
    if weeks is not None and "assessed_on" not in form.errors and form.cleaned_data.get("assessed_on"):
        derived = weeks_between(client.baby_date_of_birth, form.cleaned_data["assessed_on"])
        if weeks != derived:
            problems.append(f"weeks_postpartum is {weeks!r} but the date gives {protocol.quantity(derived, 'weeks')} after the birth.")
    return problems, form
