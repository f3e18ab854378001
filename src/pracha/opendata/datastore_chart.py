"""A simple bar chart of a datastore table for the dataset page: the first numeric column by the first
text column, over the first rows. An SVG drawn by pygal, without its JavaScript (no CDN, works with
scripts off), titled for screen readers and labelled in Thai."""

from __future__ import annotations

import re
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from pracha.opendata.datastore_errors import NoDatastore
from pracha.opendata.datastore_search import fields_of
from pracha.opendata.models import OpenResource

MAX_BARS = 30
STYLE = {"font_family": "Loma, Garuda, 'Noto Sans Thai', sans-serif", "background": "transparent",
         "plot_background": "transparent", "colors": ("#1d4f91",), "label_font_size": 11, "title_font_size": 15}
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


def chart_svg(session: Session, resource: OpenResource) -> str | None:
    """The SVG (no XML declaration: it goes inline in the page), or None when the table has no text
    column and numeric column to draw."""
    try:
        fields = fields_of(resource)
    except NoDatastore:
        return None
    label = next((f for f in fields[1:] if f.kind == "text"), None)
    value = next((f for f in fields[1:] if f.kind in ("int", "numeric")), None)
    if label is None or value is None:
        return None
    rows = session.execute(select(label.column, value.column).order_by(fields[0].column).limit(MAX_BARS)).all()
    if not rows:
        return None
    # Imported here: pygal adds an import hook without find_spec to sys.meta_path, which breaks test
    # collection (pytest's importlib mode) if it happens while modules are being collected.
    import pygal
    from pygal.style import Style

    title = f"{value.name} ตาม{label.name}"
    chart = pygal.Bar(style=Style(**STYLE), js=[], disable_xml_declaration=True, show_legend=False, x_label_rotation=45,
                      truncate_label=24, width=800, height=420, title=title,
                      x_title=label.name, y_title=value.name, print_values=False)
    chart.x_labels = [str(text or "") for text, _ in rows]
    chart.add(value.name, [None if number is None else float(number) for _, number in rows])
    svg = SCRIPT.sub("", chart.render(is_unicode=True))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)
