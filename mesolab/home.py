"""The course home page, ``notebooks/00_start_here.ipynb``: the course map and the learner's progress.

The course map is generated from the one list of modules (``mesolab/modules.yaml``) into a Markdown cell of the
home page, so a learner sees it before any kernel runs (and on GitHub); the README's module table is generated
the same way. ``python -m mesolab.home`` (``make course-map``) rewrites both; ``--check`` only says whether they
are current (the tests run it).

The progress panel reads the learner's progress file (:mod:`mesolab.progress`) and the lesson notebooks beside
the home page, to list every self-check with the lesson section it belongs to. It is plain HTML and buttons:
no figure, so it shows in a moment.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import progress as progress_store
from .modules import Module, modules

HOME_PAGE = "00_start_here.ipynb"
#: Metadata tag of the home page's generated cell.
COURSE_MAP_TAG = "mesolab-course-map"
README_START = "<!-- module table: generated from mesolab/modules.yaml by `make course-map`; edit that file -->"
README_END = "<!-- end of module table -->"

_SELF_CHECK = re.compile(r"""\bcheck\(\s*["']([^"']+)["']""")
_OPTION_LINE = re.compile(r"^#\s+[a-z]\)")


@dataclass(frozen=True)
class SelfCheck:
    id: str  # "01.tip_depth"
    question: str  # the question as the lesson asks it
    section: str  # the heading of the lesson section it follows: what to reread

    @property
    def anchor(self) -> str:
        """The id JupyterLab gives the section's heading (its text, spaces as hyphens)."""
        return self.section.replace(" ", "-")


def _heading_text(markdown_heading: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown_heading)  # [text](link) -> text
    return re.sub(r"[*_`]", "", text).strip()


def _question(source: str) -> str:
    """The question of a self-check cell: its first comment lines, up to the options, ending at the last '?'."""
    lines = source.splitlines()
    words = [lines[0].split(":", 1)[-1].strip()] if lines else []
    for line in lines[1:]:
        if not line.startswith("#") or _OPTION_LINE.match(line) or words[-1].endswith("?"):
            break
        words.append(line.lstrip("#").strip())
    text = " ".join(words)
    return text[: text.rfind("?") + 1] if "?" in text else text


@lru_cache(maxsize=32)
def _selfchecks_cached(lesson: Path, modified_ns: int) -> tuple[SelfCheck, ...]:
    notebook = json.loads(lesson.read_text(encoding="utf-8"))
    found, section = [], ""
    for cell in notebook.get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "markdown":
            headings = re.findall(r"^#{2,3}\s+(.+?)\s*#*\s*$", source, re.M)
            if headings:
                section = _heading_text(headings[-1])
        elif cell.get("cell_type") == "code":
            for exercise_id in _SELF_CHECK.findall(source):
                found.append(SelfCheck(exercise_id, _question(source), section))
    return tuple(found)


def lesson_selfchecks(lesson: Path) -> tuple[SelfCheck, ...]:
    """Every self-check of a lesson notebook, in order, with its question and the section it belongs to.
    A missing or unreadable notebook has none."""
    try:
        return _selfchecks_cached(lesson, lesson.stat().st_mtime_ns)
    except (OSError, ValueError):
        return ()


# --- the course map (generated into the home page) and the README's module table -------------------------------

def _minutes(module: Module) -> str:
    return f"{module.minutes} min ({module.teaching_minutes} teaching, {module.exercise_minutes} exercises)"


def course_map_markdown() -> str:
    """The home page's course map: a summary table, then each module's objectives."""
    lines = ["## The course", "",
             "Each module is one lesson notebook (open it from the link) and, on a course, one graded assignment "
             "that your instructor hands out.", "",
             "| Module | Time | Graded assignment |", "|---|---|---|"]
    for module in modules():
        graded = f"yes (`{module.assignment}`)" if module.assignment else "no"
        lines.append(f"| [{module.number} — {module.title}]({Path(module.lesson).name}) | {_minutes(module)} "
                     f"| {graded} |")
    total = sum(module.minutes for module in modules())
    lines += ["", f"In all about {total // 60} h {total % 60:02d} min of teaching and exercises.", ""]
    for module in modules():
        lines += [f"### {module.number} — {module.title}", "",
                  f"[Open lesson {module.number}]({Path(module.lesson).name}) · {_minutes(module)} · "
                  + ("graded assignment" if module.assignment else "no graded assignment"), "",
                  "By the end of it you can:", ""]
        lines += [f"- {objective}" for objective in module.objectives]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def module_table_markdown() -> str:
    """The README's module table."""
    lines = ["| Module | Time | Lesson (`notebooks/`) | Graded assignment (`source/`, `release/`) |",
             "|---|---|---|---|"]
    for module in modules():
        assignment = f"`{module.assignment}`" if module.assignment else "none"
        lines.append(f"| {module.number} {module.title} | {module.minutes} min | `{Path(module.lesson).name}` "
                     f"| {assignment} |")
    return "\n".join(lines) + "\n"


def _home_page_with_map(notebook: dict) -> dict:
    cells = [cell for cell in notebook["cells"] if COURSE_MAP_TAG in cell.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{HOME_PAGE} must have exactly one cell tagged {COURSE_MAP_TAG!r}, found {len(cells)}")
    cells[0]["source"] = course_map_markdown().splitlines(keepends=True)
    return notebook


def _readme_with_table(readme: str) -> str:
    if readme.count(README_START) != 1 or readme.count(README_END) != 1:
        raise ValueError(f"README.md must hold the markers {README_START!r} and {README_END!r} once each")
    before, rest = readme.split(README_START)
    after = rest.split(README_END)[1]
    return f"{before}{README_START}\n{module_table_markdown()}{README_END}{after}"


def generated_files(root: Path) -> dict[Path, str]:
    """The home page and the README as they should be: path -> text."""
    home = root / "notebooks" / HOME_PAGE
    notebook = _home_page_with_map(json.loads(home.read_text(encoding="utf-8")))
    readme = root / "README.md"
    return {home: json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
            readme: _readme_with_table(readme.read_text(encoding="utf-8"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mesolab.home",
                                     description="Write the course map into the home page and the README.")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository (default: here)")
    parser.add_argument("--check", action="store_true", help="only say whether they are current")
    args = parser.parse_args(argv)
    stale = []
    for path, text in generated_files(args.root).items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("Not current with mesolab/modules.yaml: " + ", ".join(str(p) for p in stale)
              + ". Run `make course-map`.", file=sys.stderr)
        return 1
    for path in stale:
        print(f"updated {path}")
    return 0


# --- the learner's progress -------------------------------------------------------------------------------------

def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _link(href: str, text: str) -> str:
    return f'<a href="{_esc(href)}">{_esc(text)}</a>'


def progress_html(folder: Path | str = ".", progress: progress_store.Progress | None = None,
                  message: str | None = None) -> str:
    """The progress panel's HTML: each lesson opened or not, its self-checks tried and right, and what to revisit
    (the self-checks last answered wrongly, with the section of the lesson to reread). ``folder`` holds the
    lessons (the home page's own folder)."""
    folder = Path(folder)
    if progress is None:
        progress, message = progress_store.load()
    parts = []
    if message:
        parts.append(f'<p class="mesolab-progress-notice" role="status">{_esc(message)}</p>')
    rows, revisit, details = [], [], []
    known: set[str] = set()
    for module in modules():
        lesson_file = Path(module.lesson).name
        checks = lesson_selfchecks(folder / lesson_file)
        ids = [check.id for check in checks]
        ids += sorted(i for i in progress.checks if i.split(".", 1)[0] == module.number and i not in ids)
        known.update(ids)
        by_id = {check.id: check for check in checks}
        opened = progress.lessons.get(module.number)
        tried = [i for i in ids if i in progress.checks]
        right_now = [i for i in tried if progress.checks[i].last == "right"]
        title = f"{module.number} — {module.title}"
        rows.append(
            f'<tr><th scope="row" style="text-align:left">{_link(lesson_file, title)}</th>'
            f"<td>{'opened ' + _esc(opened.last_opened[:10]) if opened else 'not yet'}</td>"
            f"<td>{len(tried)} of {len(ids)}</td><td>{len(right_now)} of {len(ids)}</td></tr>")
        items = []
        for exercise_id in ids:
            check = by_id.get(exercise_id)
            question = check.question if check else exercise_id
            record = progress.checks.get(exercise_id)
            if record is None:
                status = "not tried"
            else:
                status = (f"{'✔ right' if record.last == 'right' else '✘ wrong'} at the last try "
                          f"({record.tries} {'try' if record.tries == 1 else 'tries'})")
            items.append(f"<li>{_esc(question)} <i>{_esc(status)}</i></li>")
            if record is not None and record.last == "wrong":
                where = (_link(f"{lesson_file}#{check.anchor}", f"{module.number}: {check.section}")
                         if check and check.section else _link(lesson_file, f"lesson {module.number}"))
                revisit.append(f"<li>Reread {where}, then try again: {_esc(question)} "
                               f"<i>({record.tries} {'try' if record.tries == 1 else 'tries'}, "
                               f"{record.right} right)</i></li>")
        if items:
            details.append(f"<li>{_esc(title)}<ul>{''.join(items)}</ul></li>")
    parts.append('<table class="mesolab-table mesolab-progress-lessons"><caption>Lessons opened and self-checks '
                 '(right: the last answer was right)</caption><thead><tr><th scope="col" style="text-align:left">'
                 'Lesson</th>'
                 '<th scope="col">Opened</th><th scope="col">Self-checks tried</th><th scope="col">Right</th>'
                 f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    parts.append('<h3 class="mesolab-revisit-heading">To revisit</h3>')
    if revisit:
        parts.append(f'<ul class="mesolab-revisit">{"".join(revisit)}</ul>')
    elif progress.checks:
        parts.append('<p class="mesolab-revisit-none">Nothing: every self-check you tried was right at your last '
                     "answer.</p>")
    else:
        parts.append('<p class="mesolab-revisit-none">Nothing yet: the self-checks you answer in the lessons are '
                     "listed here when the answer was wrong, with the section to reread.</p>")
    if details:
        parts.append('<details class="mesolab-progress-details"><summary>Every self-check</summary>'
                     f"<ul>{''.join(details)}</ul></details>")
    parts.append(f'<p class="mesolab-progress-where"><small>Kept on this computer only, in '
                 f"<code>{_esc(str(progress_store.progress_path()))}</code>; never sent anywhere.</small></p>")
    return f'<div class="mesolab-progress">{"".join(parts)}</div>'


def progress_panel(folder: Path | str = "."):
    """The home page's progress panel: the progress, a Refresh button, and Start over (asks first)."""
    import ipywidgets as widgets
    from IPython.display import HTML, clear_output, display

    shown = widgets.Output()
    shown.add_class("mesolab-progress-output")
    refresh = widgets.Button(description="Refresh", icon="refresh",
                             tooltip="Show your progress again, after working in a lesson")
    start_over = widgets.Button(description="Start over…", icon="trash",
                                tooltip="Forget your progress (asks first)")
    confirm_text = widgets.HTML("<b>Start over?</b> This forgets which lessons you opened and every self-check "
                                "result. The old record is kept once, as a .previous file beside it.")
    yes = widgets.Button(description="Yes, start over", button_style="danger")
    cancel = widgets.Button(description="Cancel")
    confirm = widgets.VBox([confirm_text, widgets.HBox([yes, cancel])])
    confirm.layout.display = "none"
    for button, name in ((refresh, "refresh"), (start_over, "start-over"), (yes, "start-over-yes"),
                         (cancel, "start-over-cancel")):
        button.add_class(f"mesolab-progress-{name}")

    def show(message: str | None = None) -> None:
        progress, load_message = progress_store.load()
        with shown:
            clear_output(wait=True)
            display(HTML(progress_html(folder, progress, " ".join(filter(None, [message, load_message])) or None)))

    def ask(_button=None) -> None:
        confirm.layout.display = ""

    def do_start_over(_button=None) -> None:
        confirm.layout.display = "none"
        try:
            previous = progress_store.start_over()
        except OSError as error:
            show(f"Could not start over: {error}.")
            return
        show("Progress cleared." + (f" The old record is kept as {previous.name}." if previous else ""))

    refresh.on_click(lambda _button: show())
    start_over.on_click(ask)
    yes.on_click(do_start_over)
    cancel.on_click(lambda _button: setattr(confirm.layout, "display", "none"))
    show()
    panel = widgets.VBox([shown, widgets.HBox([refresh, start_over]), confirm])
    panel.add_class("mesolab-progress-panel")
    return panel


if __name__ == "__main__":
    raise SystemExit(main())
