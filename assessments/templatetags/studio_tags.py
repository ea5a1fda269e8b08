"""The studio's measurements, written out directly. The studio draws about 50 measurements and
130 inputs on every request (nothing of hers is cached): through two includes per measurement
and Django's widget templates they were most of the page's cost. Each input is exactly what its
widget renders: tests/assessments/test_studio_cells.py checks them against the widgets, bound
and unbound, with and without errors."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _attributes(attrs):
    """As Django's widget templates write them: True alone, False and None left out."""
    return "".join(f" {name}" if value is True else f' {name}="{escape(str(value))}"'
                   for name, value in attrs.items() if value is not False and value is not None)


def _widget_attrs(field, widget):
    """The widget's own attributes, then the bound field's (aria-invalid …) and its id."""
    attrs = {**widget.attrs, **field.build_widget_attrs({}, widget)}
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return attrs


def number_input(field):
    """{{ field }} for an IntegerField with a NumberInput."""
    widget = field.field.widget
    value = widget.format_value(field.value())
    value = f' value="{escape(value)}"' if value is not None else ""
    return f'<input type="{widget.input_type}" name="{field.html_name}"{value}{_attributes(_widget_attrs(field, widget))}>'


def choice_labels(field):
    """{% for radio in field %}<label class="choice choice--…">{{ radio.tag }} {{ radio.choice_label }}</label>{% endfor %}"""
    widget = field.field.widget
    chosen = {str(value) for value in widget.format_value(field.value())}
    attrs = _widget_attrs(field, widget)
    options = []
    for index, (value, label) in enumerate(widget.choices):
        option = {**attrs, "id": f"{attrs['id']}_{index}"} if "id" in attrs else dict(attrs)
        if str(value) in chosen:
            option["checked"] = True
        options.append(f'<label class="choice choice--{escape(str(value or "unknown"))}"><input type="{widget.input_type}" '
                       f'name="{field.html_name}" value="{escape(str(value))}"{_attributes(option)}> {escape(str(label))}</label>')
    return "".join(options)


def errors(field):
    """The box's error slot: its errors and, for a red flag answered otherwise after it was saved,
    the confirmation and reason asked for beside it (AssessmentForm.red_flag_reasons)."""
    found = "".join(f"<p>{escape(str(error))}</p>" for error in field.errors)
    removal = getattr(field.form, "red_flag_removals", {}).get(field.name)
    if removal is None:
        return found
    name = escape(field.name)
    checked = " checked" if removal.confirmed else ""
    reason = escape(removal.reason)
    return (f'{found}\n<div class="red-flag-confirm">\n'
            f'  <label class="check"><input type="checkbox" name="confirm_{name}" value="1"{checked}>'
            f' She does not have this symptom</label>\n'
            f'  <label for="reason_{name}">Your reason for taking it off her record</label>\n'
            f'  <input type="text" id="reason_{name}" name="reason_{name}" maxlength="1000" value="{reason}"'
            f' autocomplete="off">\n</div>')


def studio_cell(legend, field, item, assessment):
    """One box, or one yes/no group, of a measurement: its label, input and error slot."""
    name = field.name
    invalid = " field--error" if field.errors else ""
    carried = (f' <span class="carried-tag" id="carried-{name}">carried over</span>'
               if name in assessment.carried_over else "")
    if field.field.widget.input_type == "radio":
        return (
            f'\n<fieldset class="choices{invalid}" aria-describedby="errors-{name}">\n'
            f'  <legend class="choices__legend">{escape(str(legend))}{carried}</legend>\n'
            f'  <div class="choices__options">{choice_labels(field)}</div>\n'
            f'  <div id="errors-{name}" class="cell-errors">{errors(field)}</div>\n'
            f'</fieldset>\n')
    return (
        f'\n<div class="cell{invalid}">\n'
        f'  <label for="{escape(field.id_for_label or "")}"><span class="visually-hidden">{escape(str(item.label))}, </span>'
        f'{escape(str(legend))}{carried}</label>\n'
        f'  <div class="cell__input">{number_input(field)}<span class="unit" aria-hidden="true">{escape(str(item.unit))}</span></div>\n'
        f'  <div id="errors-{name}" class="cell-errors">{errors(field)}</div>\n'
        f'</div>\n')


@register.simple_tag
def studio_measure(row, assessment):
    """A measurement of the studio form (AssessmentForm.section_rows): a yes/no question with
    its help, or a measured item with its target and a box for each side."""
    item = row["item"]
    cells = "".join(studio_cell(legend, field, item, assessment) for legend, field in row["cells"])
    help_text = f'<p class="help measure__help">{escape(str(item.help))}</p>' if item.help else ""
    if item.kind == "flag":
        body = f"{cells}\n    {help_text}"
    else:
        target = (f'<span class="target">{escape(str(item.target_word))} {escape(str(item.target_text))}</span>'
                  if item.target_text else "")
        body = (f'\n  <div class="measure__head">\n    <h3 class="measure__label">{escape(str(item.label))}</h3>\n'
                f'    {target}\n  </div>\n  {help_text}\n  <div class="measure__inputs">{cells}</div>')
    return mark_safe(f'\n<div class="measure" id="measure-{escape(str(item.section))}-{escape(str(item.code))}">{body}\n</div>\n')


@register.simple_tag
def section_index(assessment):
    """The studio's index of sections, each with how many of its items are recorded: drawn on the
    page and again by every autosave, where the template loop cost more than the rest of the index."""
    links = []
    for part in assessment.section_progress():
        complete, tick = ("", "") if not part.complete else (" section-index__link--complete", '<span aria-hidden="true"> ✓</span>')
        links.append(
            f'\n        <li><a class="section-index__link{complete}" href="#section-{escape(part.section.code)}">\n'
            f'          <span class="section-index__title">{escape(part.section.title)}</span>\n'
            f'          <span class="section-index__count">{part.done} of {part.total}{tick}</span>\n'
            f'          <progress class="section-index__bar" max="{part.total}" value="{part.done}" aria-hidden="true"></progress>\n'
            f'        </a></li>')
    return mark_safe("".join(links))


@register.simple_tag
def autosaved_errors(form):
    """Every box's error slot but the version's, each as an out-of-band swap for the autosave: the
    same as the page draws, in one pass over the form (about 60 boxes; a template loop cost more)."""
    return mark_safe("".join(f'<div id="errors-{escape(field.name)}" class="cell-errors" hx-swap-oob="true">{errors(field)}</div>'
                             for field in form if field.name != "version"))
