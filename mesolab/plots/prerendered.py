"""Figures drawn ahead of time: the PNG of a lesson's fixed figure, so that running a lesson imports no matplotlib.

Importing matplotlib and drawing cost a lesson's kernel about a second; the figures a lesson shows on its own (a
worked example, a bar chart of the knowledge base, a widget's first frame) are the same for every trainee. Their
PNGs are kept in ``mesolab/plots/prerendered/``, each named by a digest of everything it depends on: the drawing
code (``mesolab/plots``), the domain code and knowledge base it reads, matplotlib's version, the kind of figure and
the drawing's inputs. Anything changed means another name, so a stale PNG is never shown: the figure is drawn as
before. ``make figures`` (``python -m mesolab.plots.prerendered``) runs every lesson and keeps the PNGs they drew;
tests/test_prerendered.py fails when a lesson's figure is not kept or differs from a fresh drawing.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
from pathlib import Path
from typing import Callable

PACKAGE = Path(__file__).resolve().parent.parent
FOLDER = Path(__file__).resolve().parent / "prerendered"
#: Set (to anything) to write every figure drawn to FOLDER (``make figures``).
RECORD_ENV = "MESOLAB_RECORD_FIGURES"
#: What a figure may depend on besides its inputs, relative to the package.
DEPENDS_ON = ("plots/*.py", "knowledge/*.yaml", "readings/*.py", "skin.py", "acne.py", "techniques.py", "claims.py",
              "cocktails.py", "_validate.py")

#: Set by the tests: every kept PNG used is also drawn afresh and compared; misses are counted.
verify = False
used: dict[str, str] = {}  # digest -> "kept" or "drawn", while ``verify`` is on


@functools.cache
def _code_digest() -> str:
    digest = hashlib.sha256()
    for pattern in DEPENDS_ON:
        for path in sorted(PACKAGE.glob(pattern)):
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    spec = importlib.util.find_spec("matplotlib")  # its version, without importing it
    version_file = Path(spec.origin).with_name("_version.py") if spec and spec.origin else None
    digest.update(version_file.read_bytes() if version_file and version_file.exists() else b"matplotlib ?")
    return digest.hexdigest()


def name(kind: str, inputs: tuple) -> str:
    """The file name of a figure of ``kind`` drawn from ``inputs`` (plain values whose repr says all of them)."""
    return hashlib.sha256(f"{_code_digest()}|{kind}|{inputs!r}".encode()).hexdigest()[:32] + ".png"


def png(kind: str, inputs: tuple, draw: Callable[[], bytes]) -> bytes:
    """The kept PNG of this figure, or ``draw()`` when there is none (then kept when recording)."""
    path = FOLDER / name(kind, inputs)
    try:
        kept = path.read_bytes()
    except OSError:
        kept = None
    if kept is not None and not verify:
        return kept
    drawn = draw()
    if verify:
        used[path.name] = "kept" if kept is not None else "drawn"
        if kept is not None and kept != drawn:
            raise AssertionError(f"{path.name} ({kind}) differs from a fresh drawing: run `make figures`")
    if os.environ.get(RECORD_ENV):
        FOLDER.mkdir(exist_ok=True)
        path.write_bytes(drawn)
    return drawn


def record(notebooks: list[Path]) -> list[str]:
    """Run ``notebooks`` (the lessons) with recording on, after removing every kept PNG; the names kept."""
    import subprocess
    import tempfile

    import nbformat
    from nbclient import NotebookClient

    for old in FOLDER.glob("*.png"):
        old.unlink()
    os.environ[RECORD_ENV] = "1"
    os.environ.pop("MPLBACKEND", None)
    with tempfile.TemporaryDirectory(prefix="mesolab-figures-") as tmp:
        os.environ["MESOLAB_PROGRESS_FILE"] = str(Path(tmp) / "progress.json")  # not the user's own progress
        for notebook in notebooks:
            nb = nbformat.read(notebook, as_version=4)
            NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": tmp}}).execute(
                stderr=subprocess.DEVNULL)
    return sorted(path.name for path in FOLDER.glob("*.png"))


if __name__ == "__main__":
    lessons = sorted((PACKAGE.parent / "notebooks").glob("*.ipynb"))
    kept = record(lessons)
    print(f"{len(kept)} figure(s) kept in {FOLDER.relative_to(PACKAGE.parent)} from {len(lessons)} lessons")
