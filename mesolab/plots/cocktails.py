"""Figures of module 04, drawn in HTML: the builder's lidocaine gauge and the ceiling-by-weight bars.

Bars in HTML rather than matplotlib: the lesson then needs no matplotlib at all, the gauge updates without a PNG
round trip while a slider moves, and the numbers are text a screen reader reads.
"""
from __future__ import annotations

import html

from . import HtmlFigure
from .style import FEMALE_COLOR, MALE_COLOR, NEEDLE_COLOR, TARGET_COLOR, WARNING_COLOR

_WITHIN = f"repeating-linear-gradient(45deg, #ffffff44 0 2px, transparent 2px 8px),{TARGET_COLOR}"
_OVER = (f"repeating-linear-gradient(45deg, #ffffff66 0 2px, transparent 2px 7px),"
         f"repeating-linear-gradient(-45deg, #ffffff66 0 2px, transparent 2px 7px),{WARNING_COLOR}")


def _bar(fraction: float, background: str, height_px: int = 22) -> str:
    return (f'<div style="width:{max(0.0, min(fraction, 1.0)) * 100:.2f}%;height:{height_px}px;'
            f'background:{background}"></div>')


def lidocaine_gauge(lidocaine_mg: float, ceiling_mg: float, title: str) -> str:
    """A bar for the lidocaine in the cocktail against a vertical line at the ceiling; hatched red when over."""
    over = lidocaine_mg > ceiling_mg + 1e-9
    scale = max(lidocaine_mg, ceiling_mg) * 1.15 or 1.0
    state = "OVER the ceiling" if over else "within the ceiling"
    line = ceiling_mg / scale * 100
    return (f'<div class="mesolab-gauge" role="img" aria-label="{html.escape(title)}: {lidocaine_mg:g} mg, {state} '
            f'of {ceiling_mg:g} mg" style="max-width:680px;font-size:12px">'
            f'<div style="font-weight:bold;margin-bottom:4px">{html.escape(title)}</div>'
            f'<div style="position:relative;border:1px solid {NEEDLE_COLOR};padding:6px 0;background:#fff">'
            f'{_bar(lidocaine_mg / scale, _OVER if over else _WITHIN)}'
            f'<div style="position:absolute;top:0;bottom:0;left:{line:.2f}%;border-left:3px solid {NEEDLE_COLOR}">'
            f'</div></div>'
            f'<div style="position:relative;height:16px">'
            f'<span style="position:absolute;left:0">0 mg</span>'
            f'<span style="position:absolute;left:{line:.2f}%;transform:translateX(-50%)">ceiling {ceiling_mg:g} mg'
            f'</span></div>'
            f'<div>{lidocaine_mg:g} mg in the syringe: <b>{state}</b> '
            f'({"hatched red" if over else "hatched blue"} bar; the black line is the ceiling).</div></div>')


def ceiling_bars(rows: list[tuple[float, float, float]], labels: tuple[str, str], summary: str,
                 caption: str = "") -> HtmlFigure:
    """One row per body weight with two bars: the plain and the with-epinephrine ceiling (mg), numbers written."""
    top = max(max(plain, epi) for _, plain, epi in rows) or 1.0
    body = "".join(
        f'<tr><th scope="row" style="text-align:right;padding-right:8px">{weight:g} kg</th>'
        f'<td style="width:420px;padding:2px 0">{_bar(plain / top, MALE_COLOR, 10)}'
        f'<div style="height:2px"></div>{_bar(epi / top, FEMALE_COLOR, 10)}</td>'
        f'<td style="padding-left:8px;white-space:nowrap">{plain:g} mg · {epi:g} mg</td></tr>'
        for weight, plain, epi in rows)
    legend = (f'<p style="font-size:90%"><span style="display:inline-block;width:14px;height:10px;'
              f'background:{MALE_COLOR}"></span> upper bar: {html.escape(labels[0])} &nbsp; '
              f'<span style="display:inline-block;width:14px;height:10px;background:{FEMALE_COLOR}"></span> '
              f'lower bar: {html.escape(labels[1])}</p>')
    table = (f'<table class="mesolab-ceiling-bars" style="border-collapse:collapse;font-size:90%">'
             f'<thead><tr><th>weight</th><th style="text-align:left">ceiling</th><th>plain · with epinephrine</th>'
             f"</tr></thead><tbody>{body}</tbody></table>{legend}")
    return HtmlFigure(table, summary, caption)
