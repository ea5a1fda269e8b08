"""lib/forms.py writes Django's widget templates out directly (a form renders one per field
and per option): each must be exactly what its template renders."""

import itertools

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import ChoiceWidget
from django.utils.safestring import mark_safe

from lib.forms import FAST_WIDGETS, FormRenderer

VALUES = [None, "", "plain", 'tricky <b>&"\'', mark_safe("<i>safe</i>"), 0, 12, 3.5]
ATTRS = [{}, {"id": "id_x", "class": "wide", "required": True, "disabled": False, "aria-describedby": "x y"},
         {"placeholder": '<"quoted">', "data-none": None, "min": 0}]
CHOICES = [[("", "None yet"), ("a", "A & B"), ("b", mark_safe("<em>B</em>"))],
           [("Group one", [("1", "One"), ("2", "Two")]), ("3", "Three")]]


def widgets():
    for attrs in ATTRS:
        for widget in (forms.TextInput, forms.NumberInput, forms.EmailInput, forms.HiddenInput, forms.DateInput,
                       forms.PasswordInput, forms.Textarea):
            yield widget(attrs=attrs)
        for choices, widget in itertools.product(CHOICES, (forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple)):
            yield widget(attrs=attrs, choices=choices)


@pytest.mark.parametrize("widget", list(widgets()), ids=lambda widget: type(widget).__name__)
def test_every_widget_is_written_as_its_template_writes_it(widget):
    assert widget.template_name in FAST_WIDGETS, widget.template_name
    for value in [*VALUES, ["a", "2"], ["", "b"]]:
        if isinstance(value, list) and not isinstance(widget, ChoiceWidget):
            continue
        expected = widget.render("field", value, renderer=TemplatesSetting())
        assert widget.render("field", value, renderer=FormRenderer()) == expected, (type(widget).__name__, value)


@pytest.mark.parametrize("widget", [forms.RadioSelect, forms.CheckboxSelectMultiple])
@pytest.mark.parametrize("attrs", ATTRS)
def test_each_option_drawn_alone_is_written_as_its_template_writes_it(widget, attrs):
    """{% for radio in field %}{{ radio.tag }}{% endfor %} (radio_option.html, checkbox_option.html: each includes
    input_option.html), with and without its label."""
    for choices, value in itertools.product(CHOICES, [None, "a", "2", ["", "b"]]):
        fast = forms.BoundField(FieldsForm(renderer=FormRenderer()), forms.Field(widget=widget(attrs=attrs, choices=choices)), "x")
        plain = forms.BoundField(FieldsForm(renderer=TemplatesSetting()), forms.Field(widget=widget(attrs=attrs, choices=choices)), "x")
        fast.initial = plain.initial = value
        for fast_option, plain_option in zip(fast.subwidgets, plain.subwidgets, strict=True):
            for wrap_label in (False, True):
                assert fast_option.tag(wrap_label) == plain_option.tag(wrap_label), (value, wrap_label)


class FieldsForm(forms.Form):
    """A form for a field drawn alone (a BoundField needs one: its renderer and its prefix)."""


class TemplatesOnly(FormRenderer):
    """The project's form and field templates, every widget through its own template."""

    def render(self, template_name, context, request=None):
        return TemplatesSetting.render(self, template_name, context, request)


def test_a_whole_form_renders_the_same():
    class Everything(forms.Form):
        name = forms.CharField(help_text="Her <name>")
        when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        how = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        which = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple,
                                          required=False)
        pick = forms.ChoiceField(choices=[("1", "One"), ("2", "Two")])
        notes = forms.CharField(widget=forms.Textarea, required=False)

    form = Everything({"name": "<Amira>", "when": "nonsense", "how": "b", "which": ["y"], "pick": "2"})
    form.is_valid()
    plain = Everything({"name": "<Amira>", "when": "nonsense", "how": "b", "which": ["y"], "pick": "2"},
                       renderer=TemplatesOnly())
    plain.is_valid()
    assert form.as_div() == plain.as_div()


@pytest.mark.parametrize("data", [None, {}, {"name": "x", "how": "z", "which": ["q"], "when": "2026-01-02"}])
def test_each_field_group_is_written_as_forms_field_html_writes_it(data):
    """field_group() against templates/forms/field.html: unbound, every field in error, some fine."""

    class Fields(forms.Form):
        name = forms.CharField(label="Her <name>", help_text=mark_safe("Her <em>full</em> name"))
        when = forms.DateField(required=False)
        how = forms.ChoiceField(choices=[("a", "A & B")], widget=forms.RadioSelect, help_text="Pick one & go")
        which = forms.MultipleChoiceField(choices=[("x", "X")], widget=forms.CheckboxSelectMultiple)
        secret = forms.CharField(widget=forms.HiddenInput, required=False)

    fast, plain = Fields(data), Fields(data, renderer=TemplatesOnly())
    for name in fast.fields:
        assert fast[name].as_field_group() == plain[name].as_field_group(), name
    assert fast.as_div() == plain.as_div()


@pytest.mark.parametrize("data", [None, {}, {"name": "<x>", "how": "z", "secret": "too long"}, {"name": "both", "how": "a"}])
def test_a_form_is_written_as_forms_form_html_writes_it(data):
    """form_html() against templates/forms/form.html ({{ form }}): unbound, its errors not of a
    field (escaped), a hidden field in error (which the template does not show), every field fine."""
    from django.core.exceptions import ValidationError

    class Whole(forms.Form):
        name = forms.CharField(label="Her <name>", help_text="Full & proper")
        how = forms.ChoiceField(choices=[("a", "A & B")], widget=forms.RadioSelect)
        secret = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1)
        sequence = forms.IntegerField(widget=forms.HiddenInput, initial=3, required=False)

        def clean(self):
            if self.cleaned_data.get("name") in ("<x>", "both"):
                raise ValidationError(["Not <that> one & no other", "A second"])
            return self.cleaned_data

    fast, plain = Whole(data), Whole(data, renderer=TemplatesOnly())
    if data is not None:
        fast.is_valid(), plain.is_valid()
    assert str(fast) == str(plain)
    assert ("Not &lt;that&gt; one &amp; no other" in str(fast)) == (data is not None and "name" in data)
