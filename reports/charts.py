"""Chart geometry for hand-written SVG templates, shared by the progress page and the PDF.

Pure functions: plain numbers in, coordinates out. The templates draw them with
presentation attributes only (no style attributes), so they pass a strict CSP and
look the same in the browser and in WeasyPrint."""

import html
import math
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from guideline.protocol import NOT_TESTED, SIDES

# Drawn for a phone's width; the PDF scales the same drawing up.
WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 20, 36


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


class Point(NamedTuple):
    """A measurement where it sits in the drawing (y None where it was not measured). A tuple: her page's
    charts make a few hundred, and a frozen dataclass cost three times as much to make (issue 20)."""

    label: str
    value: float | None
    x: float
    y: float | None
    dy: float = -9  # where its number sits: above the point, or below it when another line's is above


@dataclass(frozen=True)
class LineStyle:
    """How one side's line is drawn and named in the chart's key: told apart by colour and by marker."""

    colour: str  # the line and its markers
    label_colour: str  # the numbers beside its points (darker where the line colour is too light for text)
    marker: str  # each point's marker: "circle" or "square" (marks())
    key: str  # the key's words for it: "green line with circles"

    @property
    def cap(self) -> str:
        """The line cap that draws its markers (marks()): round dots or square blocks."""
        return "round" if self.marker == MARKER_CIRCLE else "butt"


MARKER_CIRCLE = "circle"
MARKER_SQUARE = "square"
SIDE_STYLES = {
    "left": LineStyle("#1f6f6b", "#1f6f6b", MARKER_CIRCLE, "green line with circles"),
    "right": LineStyle("#a4561a", "#8a4310", MARKER_SQUARE, "brown line with squares"),
}
# A marker is a 9-wide shape with a 2-wide white edge (as a circle of r 4.5 or a 9 × 9 square with a
# white stroke of 2): 11 across in white, 7 across in its colour on top.
OUTLINE_WIDTH, FILL_WIDTH = 11, 7


def marks(points, marker, width):
    """One SVG path drawing a marker at every measured point, for a stroke `width` wide: a round cap
    on a zero-length stroke is a dot `width` across; a butt-capped stroke `width` long and `width`
    wide is a square. One attribute instead of an element per point (issue 20: her page drew
    thousands of template variables for these), drawn alike by browsers and WeasyPrint."""
    half = width / 2
    if marker == MARKER_CIRCLE:
        return " ".join(f"M{p.x} {p.y}h0" for p in points if p.y is not None)
    return " ".join(f"M{round(p.x - half, 2):g} {p.y}h{width:g}" for p in points if p.y is not None)


@dataclass(frozen=True)
class Line:
    """One side's line in a sided chart: its points, with gaps where that side was not tested."""

    series: str  # "left" or "right"
    path: str
    points: list
    outline: str = ""  # its markers' white edges, then their colour (marks())
    dots: str = ""
    labels: list = field(default_factory=list)  # [(x, y, dy, value)] of the measured points, as the SVG writes them

    @property
    def style(self) -> LineStyle:
        return SIDE_STYLES[self.series]

    @property
    def labels_markup(self):
        """The numbers beside its points, ready-made (see run())."""
        return run('<text x="{}" y="{}" dy="{}">{}</text>', self.labels)

    @property
    def markup(self):
        """The line drawn, ready-made (see run()): its path, its markers (white under its colour) and its numbers."""
        style = self.style
        return run(LINE, [(self.path, style.colour, self.outline, style.cap, self.dots, style.colour, style.cap,
                           style.label_colour, self.labels_markup)])


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    # Where it sits, as the SVG writes it (bar_chart makes each with its coordinates as _text() writes them).
    x: str
    y: str
    width: str
    height: str
    meets_target: bool = False

    @property
    def fill(self) -> str:
        """Darker green once the bar reaches the target."""
        return "#1c6b3a" if self.meets_target else "#1f6f6b"

    @property
    def text(self) -> str:
        """The number over the bar; a dash, in grey and not bold, where nothing was measured."""
        return "–" if self.value is None else str(self.value)

    @property
    def text_weight(self) -> str:
        return "normal" if self.value is None else "bold"

    @property
    def text_colour(self) -> str:
        return "#4a5a60" if self.value is None else "#1d2a2e"

    @property
    def dx(self) -> str:
        """The number's offset to the bar's middle, as {% widthratio bar.width 2 1 %} wrote it."""
        return str(round(float(self.width) / 2))


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    unit: str
    target: float | None = None
    target_y: float | str | None = None
    ticks: list = field(default_factory=list)
    points: list = field(default_factory=list)
    bars: list = field(default_factory=list)
    path: str = ""
    outline: str = ""  # a single line's markers (marks()), and the numbers over them: [(x, y, value)]
    dots: str = ""
    labels: list = field(default_factory=list)
    grid: str = ""  # the ticks' lines across the drawing, one path
    tick_labels: list = field(default_factory=list)  # [(y, text)]
    rows: list = field(default_factory=list)  # the numbers as a table: [(label, value, ...)]
    columns: list = field(default_factory=list)
    x_labels: list = field(default_factory=list)  # [(x, text)] under the axis
    lines: list = field(default_factory=list)  # sided charts: a Line per side
    summary: str = ""  # the chart in one or two plain sentences, shown beside it and read out as its description
    template: str = ""  # the hand-written SVG template that draws it: each builder below names its own
    # Where things sit in the drawing, as the SVG writes them (see printed()): digits, marked safe (_text()).
    width: str = SafeString(WIDTH)
    height: str = SafeString(HEIGHT)
    left: str = SafeString(LEFT)
    bottom_y: str = SafeString(HEIGHT - BOTTOM)
    right_x: str = SafeString(WIDTH - RIGHT)
    label_y: str = SafeString(HEIGHT - BOTTOM + 16)
    tick_label_x: str = SafeString(LEFT - 5)

    @property
    def unit_shown(self):
        """Whether the caption adds the unit in brackets: not when the title already says it
        ("Long holds", not "Long holds (holds)")."""
        return bool(self.unit) and self.unit.lower() not in self.title.lower()

    @property
    def caption(self) -> str:
        """The title with its unit: "Single leg bridge, reps on each side.", "Fast squeezes (reps)."."""
        if self.lines:
            return f"{self.title}, {self.unit} on each side."
        if self.unit_shown and self.points:
            return f"{self.title} ({self.unit})."
        return f"{self.title}."

    # The repeated runs of the drawing and the table, ready-made (run()): the templates say where each goes.
    @property
    def labels_markup(self):
        return run('<text x="{}" y="{}" dy="-9">{}</text>', self.labels)

    @property
    def tick_labels_markup(self):
        return run('<text y="{}" dy="4">{}</text>', self.tick_labels)

    @property
    def x_labels_markup(self):
        return run('<text x="{}">{}</text>', self.x_labels)

    @property
    def bars_markup(self):
        return run('<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}"/><text x="{}" y="{}" dx="{}" dy="-6" '
                   'text-anchor="middle" font-size="12" font-weight="{}" fill="{}">{}</text>\n',
                   ((b.x, b.y, b.width, b.height, b.fill, b.x, b.y, b.dx, b.text_weight, b.text_colour, b.text)
                    for b in self.bars))

    @property
    def caption_markup(self):
        """Its caption: the title with its unit, how to read the drawing, and its summary (see run())."""
        keys = run(' <span class="chart__key">{}</span>', [(key,) for key in self.keys])
        summary = run('<span class="chart__summary">{}</span>', [(self.summary,)]) if self.summary else ""
        return run("<figcaption>{}{}{}</figcaption>\n", [(self.caption, keys, summary)])

    @property
    def frame_markup(self):
        """Its title and description, the ticks' grid lines and labels, the axis and the dates under it."""
        return run(FRAME, [(self.slug, self.title, self.slug, self.description, self.grid, self.tick_label_x,
                            self.tick_labels_markup, self.left, self.right_x, self.bottom_y, self.bottom_y, self.label_y,
                            self.x_labels_markup)])

    @property
    def target_markup(self):
        """The dashed line of its target, where it has one, and the end of its line in the drawing."""
        if self.target_y is None:
            return "\n"
        return run(TARGET, [(self.left, self.right_x, self.target_y, self.target_y)])

    @property
    def head_markup(self):
        """The table's column headers."""
        return run('<th scope="col">{}</th>', [(column,) for column in self.columns])

    @property
    def table_body(self):
        """The table's rows: the date (or name) as its row header, then a cell for each number (every
        row of a chart has as many), one format for all its rows."""
        cells = len(self.rows[0]) - 1 if self.rows else 0
        return run('<tr><th scope="row">{}</th>' + "<td>{}</td>" * cells + "</tr>", self.rows)

    @property
    def keys(self) -> list[str]:
        """How to read the drawing, a sentence each: which line is which side, what the dashed line is."""
        keys = []
        if self.lines:
            words = "; ".join(f"{line.style.key}: {line.series}" for line in self.lines)
            keys.append(f"{words[0].upper()}{words[1:]}.")
        if self.target is not None:
            keys.append(f"Dashed line: target {self.target}.")
        return keys


# What every chart draws the same way, ready-made (run()) where the templates included a partial for it
# (issue 20: nine charts on her page, a dozen variables each): the templates say where each goes.
# Its frame: title, description, the ticks' grid and labels, the axis, the dates under it.
FRAME = ('<title id="{}-title">{}</title>\n<desc id="{}-desc">{}</desc>\n\n'
         '<path d="{}" fill="none" stroke="#ddd8cc" stroke-width="1"/>\n'
         '<g transform="translate({} 0)" text-anchor="end" font-size="11" fill="#4a5a60">{}</g>\n'
         '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#4a5a60" stroke-width="1.5"/>\n'
         '<g transform="translate(0 {})" text-anchor="middle" font-size="11" fill="#1d2a2e">{}</g>')
TARGET = '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#8a5300" stroke-width="2" stroke-dasharray="6 4"/>\n'
# A sided chart's line: its path, its markers (white 11 across under its colour 7 across at each measured
# point, marks()), then its numbers (Line.labels_markup).
LINE = ('<path d="{}" fill="none" stroke="{}" stroke-width="3" stroke-linejoin="round"/>\n\n'
        '<path d="{}" fill="none" stroke="#ffffff" stroke-width="11" stroke-linecap="{}"/>'
        '<path d="{}" fill="none" stroke="{}" stroke-width="7" stroke-linecap="{}"/>\n'
        '<g text-anchor="middle" font-size="12" font-weight="bold" fill="{}">{}</g>\n')


def run(markup, rows):
    """A run of small repeated SVG or table elements, one per row of values, as the template's
    loop wrote it: each value localized and escaped as {{ value }} prints it, so her words are never
    trusted as markup. A template loop costs a node and a variable lookup per element; her page
    writes about a thousand of them (issue 20). One format for the whole run (the markup repeated
    once per row), as format_html() makes it (every value escaped, then the whole marked safe), but
    each value escaped by escaped(): conditional_escape()'s lazy-string wrapper cost more than the
    escaping on her page's 1,600 values."""
    values = [escaped(value) for row in rows for value in row]
    return mark_safe((markup * (len(values) // markup.count("{}"))).format(*values)) if values else ""


def escaped(value):
    """conditional_escape(value) of what {{ value }} writes (shown()): a str escaped unless it is
    marked safe. A plain int or float is written as digits, a sign and a point, with nothing to
    escape."""
    kind = type(value)
    if kind is SafeString:  # a coordinate as printed() writes it (_text()): nothing to escape
        return value
    if kind is str:  # localize() writes a str as it is
        return html.escape(value)
    if kind is int:
        return str(value)
    if kind is float and "e" not in (text := str(value)):
        return text
    text = localize(value)
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


def shown(value):
    """A value as {{ value }} writes it before escaping (localize()), without localize()'s three
    format lookups for the plain numbers a chart holds: in en-GB without a thousand separator
    (config/settings.py) an int or a float is written as str() writes it, as printed() assumes for
    coordinates. A float that str() writes with an exponent, and anything else, goes to localize().
    tests/reports/test_reports.py holds the two equal."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is float and "e" not in (text := str(value)):
        return text
    return localize(value)


def _text(number):
    """A coordinate as the SVG writes it: str(number), marked safe (digits, a sign and a point, nothing to
    escape), so the ready-made runs (run()) and the templates pass it as it is, without escaping each of
    her page's thousand coordinates (issue 20)."""
    return None if number is None else SafeString(number)


def _tick_text(value):
    """A tick's number as {{ tick.value|floatformat:"-1" }} wrote it: whole numbers bare, others to one place."""
    return SafeString(int(value)) if float(value).is_integer() else SafeString(f"{value:.1f}")


def printed(chart):
    """The chart with every coordinate as the SVG writes it. A number a template prints goes
    through Django's localisation, which for en-GB writes str(number) at some cost: her page
    draws about a thousand of them. The measured values stay numbers (the table of numbers, the
    labels over the points). tests/reports/test_reports.py checks the drawing is unchanged. Only
    what a template writes is made: the points and ticks keep their numbers (no template reads
    them, issue 20: a copy of each was made per request and never shown). Each builder hands it a
    chart of its own, made for it: its fields are set in place (a copy of the chart, and of each of
    its bars, cost as much as drawing them), and a bar chart's bars come with their coordinates
    written already (bar_chart)."""
    def line(line):
        outline = marks(line.points, line.style.marker, OUTLINE_WIDTH)
        return replace(line, outline=outline, dots=dotted(line.points, line.style.marker, outline),
                       labels=[(_text(p.x), _text(p.y), _text(p.dy), p.value) for p in line.points if p.y is not None])

    tick_ys = [_text(tick.y) for tick in chart.ticks]
    chart.target_y = _text(chart.target_y)
    chart.grid = " ".join(f"M{chart.left} {y}H{chart.right_x}" for y in tick_ys)
    chart.tick_labels = [(y, _tick_text(tick.value)) for y, tick in zip(tick_ys, chart.ticks, strict=True)]
    if chart.points:
        chart.outline = marks(chart.points, MARKER_CIRCLE, OUTLINE_WIDTH)
        chart.dots = dotted(chart.points, MARKER_CIRCLE, chart.outline)
        chart.labels = [(_text(p.x), _text(p.y), p.value) for p in chart.points if p.y is not None]
    chart.lines = [line(each) for each in chart.lines]
    chart.x_labels = [(_text(x), text) for x, text in chart.x_labels if text]  # a blanked one (thinned()) draws nothing
    return chart


def dotted(points, marker, outline):
    """The markers' colour over their white edges (`outline`, marks() OUTLINE_WIDTH wide): for circles the
    same path (a zero-length stroke, whatever its width), for squares their own."""
    return outline if marker == MARKER_CIRCLE else marks(points, marker, FILL_WIDTH)


def axis(largest, most_ticks=5):
    """A round axis maximum and whole-number tick step: 7 → (8, 2), 23 → (25, 5), 130 → (150, 50)."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        top = step * math.ceil(max(largest, 1) / step)
        if top / step <= most_ticks:
            return top, step
    return largest, largest


def y_scale(maximum):
    plot = HEIGHT - TOP - BOTTOM
    return lambda value: round(HEIGHT - BOTTOM - plot * value / maximum, 1)


def ticks(maximum, step, to_y):
    return [Tick(value, to_y(value)) for value in range(0, int(maximum) + 1, int(step))]


MOST_X_LABELS = 6  # more dates than this under a phone-width axis overlap: label every other one


def thinned(labels):
    """[(x, text)] with every other label blanked when there are too many to read, always keeping the
    latest; the table of numbers names every one."""
    if len(labels) <= MOST_X_LABELS:
        return labels
    last = len(labels) - 1
    return [(x, text if (last - index) % 2 == 0 else "") for index, (x, text) in enumerate(labels)]


def x_positions(count):
    """Where each of `count` dates sits along a line chart's axis, first and last inside the drawing."""
    inset = 22  # keeps the first and last date labels inside the drawing
    plot_width = WIDTH - LEFT - RIGHT - 2 * inset
    if count <= 1:
        return [round(LEFT + inset + plot_width / 2, 1)] * count
    spacing = plot_width / (count - 1)
    return [round(LEFT + inset + index * spacing, 1) for index in range(count)]


def pen_path(points):
    """An SVG path through the measured points, lifted over the ones not measured (a gap, never 0)."""
    path, pen_down = [], False
    for point in points:
        if point.y is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{point.x} {point.y}")
        pen_down = True
    return " ".join(path)


def line_chart(slug, title, description, unit, series, target=None, summary=""):
    """series: [(label, value or None)] in time order; a gap where a value is missing."""
    values = [v for _, v in series if v is not None]
    maximum, step = axis(max([*values, (target or 0) * 1.25]))
    to_y = y_scale(maximum)
    points = [
        Point(label, value, x, to_y(value) if value is not None else None)
        for x, (label, value) in zip(x_positions(len(series)), series, strict=True)
    ]
    return printed(Chart(
        slug, title, description, unit, target=target, target_y=to_y(target) if target is not None else None,
        ticks=ticks(maximum, step, to_y), points=points, path=pen_path(points),
        x_labels=thinned([(p.x, p.label) for p in points]), summary=summary, template="reports/charts/line.html",
        columns=["Date", unit.capitalize()], rows=[(label, NOT_TESTED if v is None else v) for label, v in series],
    ))


def sided_line_chart(slug, title, description, unit, series, target=None, summary=""):
    """series: [(label, left or None, right or None)] in time order: a line for each side, with a
    gap wherever that side was not measured. Where both sides were measured the higher number sits
    above its point and the lower one below, so the two never print over each other."""
    values = [v for _, left, right in series for v in (left, right) if v is not None]
    maximum, step = axis(max([*values, (target or 0) * 1.25]))
    to_y = y_scale(maximum)
    xs = x_positions(len(series))
    lines = []
    for index, side in enumerate(SIDES):
        points = []
        for x, row in zip(xs, series, strict=True):  # row: (label, left, right)
            value, other = row[1 + index], row[2 - index]
            below = other is not None and value is not None and (value < other or (value == other and index == 1))
            points.append(Point(row[0], value, x, to_y(value) if value is not None else None, 18 if below else -9))
        lines.append(Line(side, pen_path(points), points))
    return printed(Chart(
        slug, title, description, unit, target=target, target_y=to_y(target) if target is not None else None,
        ticks=ticks(maximum, step, to_y), lines=lines, x_labels=thinned([(x, label) for x, (label, _, _) in zip(xs, series, strict=True)]),
        summary=summary, template="reports/charts/sided.html", columns=["Date", *(side.capitalize() for side in SIDES)],
        rows=[(label, *(NOT_TESTED if v is None else v for v in pair)) for label, *pair in series],
    ))


def bar_chart(slug, title, description, unit, series, maximum=None, target=None, summary="", missing=NOT_TESTED):
    """series: [(label, value or None)]; one bar each. `missing`: a None's words in the table."""
    values = [v for _, v in series if v is not None]
    maximum, step = axis(max([*values, target or 0, maximum or 0]))
    to_y = y_scale(maximum)
    slot = (WIDTH - LEFT - RIGHT) / max(len(series), 1)
    width = min(slot * 0.6, 56)
    bars, middles = [], []
    bar_width = _text(round(width, 1))
    for index, (label, value) in enumerate(series):
        y = to_y(value or 0)
        x = round(LEFT + index * slot + (slot - width) / 2, 1)
        # Its coordinates as the SVG writes them (printed()); its middle, for its date under it.
        bars.append(Bar(label, value, _text(x), _text(y), bar_width, _text(round(HEIGHT - BOTTOM - y, 1)),
                        meets_target=target is not None and value is not None and value >= target))
        middles.append((round(x + round(width, 1) / 2, 1), label))
    return printed(Chart(
        slug, title, description, unit, target=target, target_y=to_y(target) if target is not None else None,
        ticks=ticks(maximum, step, to_y), bars=bars, x_labels=thinned(middles),
        summary=summary, template="reports/charts/bar.html", columns=["", unit.capitalize()],
        rows=[(label, missing if v is None else v) for label, v in series],
    ))
