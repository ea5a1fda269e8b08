from django import forms
from django.forms.renderers import TemplatesSetting

from assessments.protocol import PROFILE_ANSWERS


class FormRenderer(TemplatesSetting):
    """Every form renders its fields through one accessible template."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class YesNoUnknown(forms.RadioSelect):
    """Yes / No / Not asked radios for a nullable boolean: "not asked" is never "no"."""

    def __init__(self, attrs=None, unknown_label=PROFILE_ANSWERS.unknown, yes_label=PROFILE_ANSWERS.yes,
                 no_label=PROFILE_ANSWERS.no):
        super().__init__(attrs, choices=[("", unknown_label), ("true", yes_label), ("false", no_label)])

    def format_value(self, value):
        return [{True: "true", False: "false", "true": "true", "false": "false"}.get(value, "")]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
