import html

from django import forms
from django.forms.renderers import TemplatesSetting

from guideline.protocol import PROFILE_ANSWERS

WIDGETS = "django/forms/widgets/"


def _text(value):
    """{{ value|stringformat:'s' }} with autoescaping: str() of it, escaped unless marked safe.
    (conditional_escape(), without its lazy-string wrappers: a form's options call this thousands
    of times a page.)"""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(widget):
    """django/forms/widgets/attrs.html."""
    return "".join(f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
                   for name, value in widget["attrs"].items() if value is not False)


def _input(widget):
    """django/forms/widgets/input.html, with the line end its file ends with."""
    value = f' value="{_text(widget["value"])}"' if widget["value"] is not None else ""
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget)}>\n'


def _option(option):
    """django/forms/widgets/select_option.html, or input_option.html for a radio or checkbox."""
    if option["template_name"] == WIDGETS + "select_option.html":
        return f'<option value="{_text(option["value"])}"{_attrs(option)}>{_text(option["label"])}</option>\n'
    if not option.get("wrap_label"):
        return _input(option) + "\n"
    label_for = f' for="{_text(option["attrs"]["id"])}"' if option["attrs"].get("id") else ""
    return f'<label{label_for}>{_input(option)} {_text(option["label"])}</label>\n\n'


def _select(widget):
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget)}>']
    for group, options, _ in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_text(group)}">')
        parts += [f"\n  {_option(option)}" for option in options]
        if group:
            parts.append("\n  </optgroup>")
    return "".join(parts) + "\n</select>\n"


def _multiple(widget):
    """django/forms/widgets/multiple_input.html (radios and checkboxes)."""
    attrs = widget["attrs"]
    parts = ["<div", f' id="{_text(attrs["id"])}"' if attrs.get("id") else "",
             f' class="{_text(attrs["class"])}"' if attrs.get("class") else "", ">"]
    for group, options, _ in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        parts += [f"<div>\n    {_option(option)}</div>" for option in options]
        if group:
            parts.append("\n  </div>")
    return "".join(parts) + "\n</div>\n\n"


def _textarea(widget):
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget)}>\n{value}</textarea>\n'


# Django's own widget templates, written out: a form renders one for every field and every
# option of a choice (a select of a trainer's clients has hundreds), and through the template
# engine they were most of a form's cost. tests/lib/test_forms.py holds each one to the
# template it stands for, value by value.
FAST_WIDGETS = {
    **{f"{WIDGETS}{kind}.html": lambda widget: _input(widget) + "\n" for kind in (
        "text", "number", "email", "url", "password", "hidden", "date", "search", "tel", "time", "color")},
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
    WIDGETS + "radio.html": lambda widget: _multiple(widget) + "\n",
    WIDGETS + "checkbox_select.html": lambda widget: _multiple(widget) + "\n",
    # One radio or checkbox drawn on its own ({{ radio.tag }}: her log page's effort scale, 0 to 10);
    # each of these templates includes input_option.html.
    **dict.fromkeys((WIDGETS + "radio_option.html", WIDGETS + "checkbox_option.html", WIDGETS + "input_option.html"), _option),
}


REQUIRED = '<span class="required"> (required)</span>'


def field_group(field):
    """templates/forms/field.html, written out: a label (or a legend), help, errors and the widget."""
    errors = field.errors
    error_class = " field--error" if errors else ""
    required = REQUIRED if field.field.required else ""
    if field.use_fieldset:
        described = f' aria-describedby="{_text(field.aria_describedby)}"' if field.aria_describedby else ""
        head = f'<fieldset class="field field--group{error_class}"{described}>\n  <legend>{_text(field.label)}{required}</legend>'
        end = "</fieldset>"
    else:
        head = (f'<div class="field{error_class}">\n'
                f'  <label for="{_text(field.id_for_label)}">{_text(field.label)}{required}</label>')
        end = "</div>"
    help_text = (f'<p class="help" id="{_text(field.auto_id)}_helptext">{_text(field.help_text)}</p>'
                 if field.help_text else "")
    error_list = (f'<ul class="field-errors" id="{_text(field.auto_id)}_error">'
                  + "".join(f"<li>{_text(error)}</li>" for error in errors) + "</ul>") if errors else ""
    return f"{head}\n\n  {help_text}\n  {error_list}\n  {field}\n{end}"


FORM_CONTEXT = {"form", "fields", "hidden_fields", "errors"}  # Form.get_context()'s


def form_html(form):
    """templates/forms/form.html, written out: its errors not of a field, its hidden fields, then each
    visible field's group (field_group()). Through the template engine, its loops and lookups cost
    about as much as the field groups themselves (the log form on the client page: ~0.4 ms)."""
    errors = form.non_field_errors()
    head = ('<div class="alert alert--error" role="alert">' + "".join(f"<p>{_text(error)}</p>" for error in errors)
            + "</div>") if errors else ""
    hidden = "".join(_text(field) for field in form.hidden_fields())
    visible = "".join(_text(field.as_field_group()) for field in form.visible_fields())
    return f"{head}\n{hidden}\n{visible}"


class FormRenderer(TemplatesSetting):
    """Every form renders its fields through one accessible template (forms/field.html, which
    field_group() writes out; forms/form.html around them, which form_html() writes out); the
    widgets themselves are written out directly (FAST_WIDGETS), exactly as Django's templates write them."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        if request is None and (fast := FAST_WIDGETS.get(template_name)) is not None:
            return fast(context["widget"]).strip()  # as BaseRenderer.render strips a template's output
        if request is None and template_name == self.field_template_name and context.keys() == {"field"}:
            return field_group(context["field"]).strip()
        if request is None and template_name == self.form_template_name and context.keys() == FORM_CONTEXT:
            return form_html(context["form"]).strip()
        return super().render(template_name, context, request)


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
