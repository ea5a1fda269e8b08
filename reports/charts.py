"""Chart geometry for hand-written SVG templates, shared by the progress page and the PDF.

Pure functions: plain numbers in, coordinates out. The templates draw them with
presentation attributes only (no style attributes), so they pass a strict CSP and
look the same in the browser and in WeasyPrint."""

import math
from dataclasses import dataclass, field

from assessments.protocol import NOT_TESTED

# Drawn for a phone's width; the PDF scales the same drawing up.
WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 20, 36


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    x: float
    y: float | None


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    x: float
    y: float
    width: float
    height: float
    series: str = ""
    meets_target: bool = False


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    unit: str
    target: float | None = None
    target_y: float | None = None
    ticks: list = field(default_factory=list)
    points: list = field(default_factory=list)
    bars: list = field(default_factory=list)
    path: str = ""
    rows: list = field(default_factory=list)  # the numbers as a table: [(label, value, ...)]
    columns: list = field(default_factory=list)
    x_labels: list = field(default_factory=list)  # [(x, text)] under the axis
    side_labels: list = field(default_factory=list)  # [(x, "L" or "R")] under paired bars
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: float = HEIGHT - BOTTOM
    right_x: float = WIDTH - RIGHT
    label_y: float = HEIGHT - BOTTOM + 16
    side_label_y: float = HEIGHT - BOTTOM + 14
    tick_label_x: float = LEFT - 5


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


def line_chart(slug, title, description, unit, series, target=None):
    """series: [(label, value or None)] in time order; a gap where a value is missing."""
    values = [v for _, v in series if v is not None]
    maximum, step = axis(max([*values, (target or 0) * 1.25]))
    to_y = y_scale(maximum)
    inset = 22  # keeps the first and last date labels inside the drawing
    plot_width = WIDTH - LEFT - RIGHT - 2 * inset
    spacing = plot_width / max(len(series) - 1, 1)
    points = [
        Point(label, value, round(LEFT + inset + (index * spacing if len(series) > 1 else plot_width / 2), 1),
              to_y(value) if value is not None else None)
        for index, (label, value) in enumerate(series)
    ]
    path, pen_down = [], False
    for point in points:
        if point.y is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{point.x} {point.y}")
        pen_down = True
    return Chart(
        slug, title, description, unit, target=target, target_y=to_y(target) if target is not None else None,
        ticks=ticks(maximum, step, to_y), points=points, path=" ".join(path), x_labels=[(p.x, p.label) for p in points],
        columns=["Date", unit.capitalize()], rows=[(label, NOT_TESTED if v is None else v) for label, v in series],
    )


def bar_chart(slug, title, description, unit, series, maximum=None, target=None):
    """series: [(label, value or None)]; one bar each."""
    values = [v for _, v in series if v is not None]
    maximum, step = axis(max([*values, target or 0, maximum or 0]))
    to_y = y_scale(maximum)
    slot = (WIDTH - LEFT - RIGHT) / max(len(series), 1)
    width = min(slot * 0.6, 56)
    bars = []
    for index, (label, value) in enumerate(series):
        y = to_y(value or 0)
        x = round(LEFT + index * slot + (slot - width) / 2, 1)
        bars.append(Bar(label, value, x, y, round(width, 1), round(HEIGHT - BOTTOM - y, 1),
                        meets_target=target is not None and value is not None and value >= target))
    return Chart(
        slug, title, description, unit, target=target, target_y=to_y(target) if target is not None else None,
        ticks=ticks(maximum, step, to_y), bars=bars, x_labels=[(round(b.x + b.width / 2, 1), b.label) for b in bars],
        columns=["", unit.capitalize()], rows=[(label, NOT_TESTED if v is None else v) for label, v in series],
    )


def paired_bar_chart(slug, title, description, unit, groups, target):
    """groups: [(label, left, right)]; a left and a right bar for each, against one target."""
    values = [v for _, left, right in groups for v in (left, right) if v is not None]
    maximum, step = axis(max([*values, target * 1.25]))
    to_y = y_scale(maximum)
    slot = (WIDTH - LEFT - RIGHT) / max(len(groups), 1)
    width = min(slot * 0.34, 34)
    bars, side_labels = [], []
    for index, (label, left, right) in enumerate(groups):
        centre = LEFT + index * slot + slot / 2
        for side, value, x in (("left", left, centre - width - 2), ("right", right, centre + 2)):
            y = to_y(value or 0)
            bars.append(Bar(label, value, round(x, 1), y, round(width, 1), round(HEIGHT - BOTTOM - y, 1), series=side,
                            meets_target=value is not None and value >= target))
            side_labels.append((round(x + width / 2, 1), side[0].upper()))
    return Chart(
        slug, title, description, unit, target=target, target_y=to_y(target), ticks=ticks(maximum, step, to_y), bars=bars,
        x_labels=[(round(LEFT + index * slot + slot / 2, 1), label) for index, (label, _, _) in enumerate(groups)],
        side_labels=side_labels, label_y=HEIGHT - BOTTOM + 30,
        columns=["Test", "Left", "Right"],
        rows=[(label, NOT_TESTED if left is None else left, NOT_TESTED if right is None else right) for label, left, right in groups],
    )
