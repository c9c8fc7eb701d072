"""Self-contained HTML pages for sweeps, comparisons and sensitivity runs (the report page's style:
inline CSS, charts as base64 PNG, no script, no link, no time of generation)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from docexchange import __version__
from docexchange.batch.replications import INTERVAL_METHOD, SEED_DERIVATION
from docexchange.report.html import PAGE_CSS, figure_html, table_html
from docexchange.report.tables import Table


def page(title: str, subtitle: str, body: Sequence[str]) -> str:
    """A page with a title, a subtitle line, ``body`` (HTML parts) and how the spreads are computed."""
    return "".join(
        [
            "<!DOCTYPE html>\n",
            '<html lang="vi">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f"<title>{escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n",
            f"<h1>{escape(title)}</h1>\n",
            f'<p class="subtitle">{escape(subtitle)}</p>\n',
            *body,
            "<h2>Cách tính (method)</h2>\n",
            f"<p>Khoảng 90 % (interval): {escape(INTERVAL_METHOD)}.</p>\n",
            f"<p>Hạt giống (seeds): {escape(SEED_DERIVATION)}; mọi ô dùng cùng các hạt giống "
            "(common random numbers: every cell and scenario runs the same seeds).</p>\n",
            f"<footer>docexchange {escape(__version__)}</footer>\n</body>\n</html>\n",
        ]
    )


def section(
    anchor: str, heading: str, png: bytes | None, alt: str, tables: Sequence[Table], note: str = ""
) -> str:
    """A heading, a note, a chart (its element id ``anchor``) and tables."""
    parts = [f"<h2>{escape(heading)}</h2>\n"]
    if note:
        parts.append(f"<p>{escape(note)}</p>\n")
    if png is not None:
        parts.append(figure_html(anchor, png, alt, alt))
    parts += [table_html(t) for t in tables]
    return "".join(parts)
