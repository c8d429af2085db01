"""The figures lessons show are kept as PNGs (mesolab.plots.prerendered): current, used, and never stale."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mesolab.plots import FigureView, prerendered

ROOT = Path(__file__).resolve().parents[1]
LESSONS = tuple(sorted(path.stem for path in (ROOT / "notebooks").glob("*.ipynb")))

# Runs a lesson's code cells in a fresh interpreter and shows every cell's value as Jupyter would (its mimebundle).
_RUN_LESSON = r"""
import ast, json, sys, nbformat
*lessons, mode = sys.argv[1:]
for lesson in lessons:
    namespace = {}
    for cell in nbformat.read(lesson, as_version=4).cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<cell>", "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
            for show in ("_repr_mimebundle_", "_repr_html_"):
                if hasattr(value, show):
                    getattr(value, show)()
                    break
if mode == "verify":
    from mesolab.plots import prerendered
    print(json.dumps(prerendered.used))
else:
    print("matplotlib" in sys.modules)
"""


def _run(lessons: tuple[str, ...], mode: str, tmp_path: Path) -> str:
    code = _RUN_LESSON if mode != "verify" else _RUN_LESSON.replace(
        "*lessons, mode", "from mesolab.plots import prerendered\nprerendered.verify = True\n*lessons, mode")
    paths = [str(ROOT / "notebooks" / f"{lesson}.ipynb") for lesson in lessons]
    done = subprocess.run([sys.executable, "-c", code, *paths, mode],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env={**os.environ, "MESOLAB_PROGRESS_FILE": str(tmp_path / "progress.json"),
                               "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_every_figure_a_lesson_shows_is_kept_and_equals_a_fresh_drawing(tmp_path):
    # With ``verify`` on, prerendered.png raises when a kept PNG differs from a fresh drawing, and records
    # whether each figure shown was kept or had to be drawn.
    used = json.loads(_run(LESSONS, "verify", tmp_path))
    assert used and set(used.values()) == {"kept"}, \
        f"run `make figures`: a lesson shows a figure that is not kept: {used}"
    # `make figures` starts from an empty folder: no kept PNG outlives the figure it was drawn for.
    assert sorted(used) == sorted(p.name for p in prerendered.FOLDER.glob("*.png"))


def test_running_every_lesson_top_to_bottom_imports_no_matplotlib(tmp_path):
    assert _run(LESSONS, "show", tmp_path) == "False"


def test_a_figure_with_other_inputs_or_code_is_drawn_not_taken_from_a_kept_file(monkeypatch, tmp_path):
    assert prerendered.name("skin.draw_cross_section", (1.0,)) != prerendered.name("skin.draw_cross_section", (1.5,))
    kept = prerendered.name("claims.draw_claim_evidence", (None,))
    monkeypatch.setattr(prerendered, "_code_digest", lambda: "the drawing code changed")
    assert prerendered.name("claims.draw_claim_evidence", (None,)) != kept
    monkeypatch.setattr(prerendered, "FOLDER", tmp_path)  # nothing kept: the figure is drawn
    view = FigureView.drawn_ahead("claims.draw_claim_evidence", ("no_deaths",), alt="claims", caption="")
    assert view.png() == view._render() and view.png().startswith(b"\x89PNG")
    assert list(tmp_path.iterdir()) == []  # drawing never writes unless `make figures` records
