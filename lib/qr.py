"""QR codes as inline SVG markup, drawn by segno: no image request and no inline style, so the
strict CSP holds. Only ever drawn from addresses the app made (an otpauth:// URL, her private link)."""

import segno
from django.utils.safestring import mark_safe


def qr_svg(data, title, scale=5):
    """The QR code of `data` as an <svg role="img"> with `title` as its accessible name."""
    # segno escapes the title itself.
    svg = segno.make(data, error="m").svg_inline(scale=scale, border=4, dark="#111111", light="#ffffff", title=title)
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))
