"""Lesson support: the episode shape every lesson follows, tables and reference lists from the knowledge base."""
from __future__ import annotations

import html
import re
from typing import Iterable

from ..knowledge import knowledge

#: Headings every lesson notebook has, in this order (after the Carpentries episode).
EPISODE_HEADINGS = (
    "Questions",
    "Objectives",
    "Disclaimer",
    "Misconceptions",
    "Key points",
    "References",
)

#: How a lesson cites a source in its text: the id in square brackets, e.g. [Meng22].
CITATION = re.compile(r"\[([A-Za-z][A-Za-z0-9-]*)\]")


class _Html:
    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        # Plain-text fallback (e.g. nbconvert to text): the markup without tags.
        return re.sub(r"<[^>]+>", " ", self.markup).strip()


def references(source_ids: Iterable[str]) -> _Html:
    """A reference list for ``source_ids``, with the ⚠ mark for secondary sources."""
    base = knowledge()
    items = []
    for source_id in dict.fromkeys(source_ids):
        source = base.source(source_id)
        flag = " ⚠ secondary" if source.secondary else ""
        items.append(f"<li><b>[{html.escape(source.id)}]</b> {html.escape(source.citation)}"
                     f" <i>({source.quality.replace('_', ' ')}{flag})</i></li>")
    return _Html(f'<ul class="mesolab-references">{"".join(items)}</ul>')


def table(rows: list[dict[str, str]], caption: str = "") -> _Html:
    """A plain HTML table (no pandas needed) for knowledge-base rows."""
    if not rows:
        return _Html("<p>(no rows)</p>")
    head = "".join(f"<th>{html.escape(key)}</th>" for key in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row.values()) + "</tr>"
                   for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return _Html(f'<table class="mesolab-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
