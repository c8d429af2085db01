"""The instructor tools' HTML pages, rendered from the Jinja2 templates in ``templates/`` (one shared stylesheet).

Every value is HTML-escaped by the template engine (trainee ids, answers and comments are untrusted text); the
only markup that is not escaped is a question's markdown, rendered by mistune with raw HTML escaped, headings left
out (the heading is the item's title, shown above it) and links shown as their text.
"""
from __future__ import annotations

import base64
import functools

import jinja2
import mistune
from markupsafe import Markup


class _QuestionRenderer(mistune.HTMLRenderer):
    """A question as the report shows it: no heading (the item's title says it), no link to follow."""

    def heading(self, text: str, level: int, **attrs) -> str:
        return ""

    def link(self, text: str, url: str, title: str | None = None) -> str:
        return text

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return text


_markdown = mistune.create_markdown(renderer=_QuestionRenderer(escape=True))


def question_html(markdown: str) -> Markup:
    """A question's markdown as HTML: paragraphs, lists, emphasis and code; raw HTML is escaped.

    >>> print(question_html("### Question 1\\nWhich layer? **One** `answer`.\\n\\n- a) <b>dermis</b>"))
    <p>Which layer? <strong>One</strong> <code>answer</code>.</p>
    <ul>
    <li>a) &lt;b&gt;dermis&lt;/b&gt;</li>
    </ul>
    <BLANKLINE>
    """
    return Markup(_markdown(markdown))


def fmt(value: float | None, digits: int = 2) -> str:
    """A statistic to ``digits`` decimals, or a dash when it cannot be computed.

    >>> fmt(0.4567), fmt(None), fmt(12.0, 1)
    ('0.46', '—', '12.0')
    """
    return "—" if value is None else f"{value:.{digits}f}"


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(loader=jinja2.PackageLoader("mesolab.instructor", "templates"),
                                     autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                     lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters.update(fmt=fmt, g=lambda value: f"{value:g}", markdown=question_html, data_uri=data_uri)
    return environment


def render(template: str, **context) -> str:
    """The page ``templates/<template>`` filled with ``context``."""
    return _environment().get_template(template).render(**context)
