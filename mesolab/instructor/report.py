"""``mesolab report ASSIGNMENT``: item analysis of an assignment, read from nbgrader's gradebook.

Items are the grade cells of the assignment's notebooks (autograded checks and manually graded answers).
Each trainee's score per item comes from nbgrader's Gradebook API; an item still awaiting its manual grade is
"not graded", never 0. The statistics are :mod:`mesolab.instructor.item_analysis`; this module reads the
course, finds the most frequent wrong answer of choice questions in the autograded notebooks, draws the
figures (matplotlib's Agg canvas, no pyplot) and writes ``item_analysis.csv``, PNG figures and one
self-contained ``report.html`` to ``reports/<assignment>/`` (or ``--output``).
"""
from __future__ import annotations

import ast
import base64
import csv
import datetime as _dt
import html
import io
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import item_analysis as ia
from .course import CourseError, course_root, gradebook, load_config, submitted_students

_SOLUTION = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$", re.M)
_OPTION = re.compile(r"^\s*[-*]\s*([a-z])\)\s*(.+?)\s*$", re.M)

# Paul Tol's colour-blind-safe palettes (the three named colours are MesoLab's, from mesolab/plots/style.py).
try:
    from mesolab.plots.style import FEMALE_COLOR as _ORANGE, MALE_COLOR as _BLUE, WARNING_COLOR as _RED
except ImportError:  # pragma: no cover - the style module is part of the package
    _BLUE, _ORANGE, _RED = "#0077BB", "#EE7733", "#994455"
_CYAN, _GREY, _DARK = "#33BBEE", "#BBBBBB", "#222222"
FLAG_STYLE = {  # colour, marker: the shape also tells the categories apart in greyscale
    "none": (_BLUE, "o"),
    "flagged": (_ORANGE, "s"),
    ia.NEGATIVE: (_RED, "v"),
}

GUIDANCE = {
    ia.NEGATIVE: ("Trainees who did well overall got this item wrong more often than those who did poorly. "
                  "The key may be wrong, the question ambiguous, or a distractor may be defensible to a "
                  "knowledgeable reader. Check the answer key and the wording first, before anything else."),
    ia.POOR: ("The item hardly separates stronger from weaker trainees (r below 0.20). Read the question for "
              "ambiguity, a trick, or a point that was not taught; revise or replace it."),
    ia.TOO_HARD: ("Fewer than 20 % of the possible points were earned. Either the point was not taught (teach it "
                  "again, starting from the most frequent wrong answer) or the item is flawed."),
    ia.TOO_EASY: ("Almost everyone got full marks: the item tells you little about who understood. Fine as a "
                  "warm-up; otherwise make it ask for reasoning rather than recall."),
}


@dataclass
class Item:
    """One grade cell, with what the source notebook says about it."""

    notebook: str
    grade_id: str
    max_score: float
    label: str
    title: str = ""
    question: str = ""
    answer_ids: list[str] = field(default_factory=list)
    correct: dict[str, str] = field(default_factory=dict)  # answer name -> normalised choice (choice items)
    options: dict[str, str] = field(default_factory=dict)  # letter -> option text
    manual: bool = False

    @property
    def topic(self) -> str:
        """The question's heading without "Question 3 (2 points):"."""
        topic = re.sub(r"^Question\s+\d+\s*(\([^)]*\))?\s*:?\s*", "", self.title).strip()
        if topic:
            return topic
        return "written answer, graded by the instructor" if self.manual else (self.title or self.grade_id)


@dataclass
class Data:
    assignment: str
    items: list[Item]
    students: list[str]
    scores: list[list[float | None]]
    not_graded_yet: list[str]  # submitted but not in the gradebook


# --- reading the course -----------------------------------------------------------------------------------

def _choice(value: object) -> str | None:
    """A choice answer in one canonical form: "b" or {"a", "c"}; None if it is not a choice."""
    if isinstance(value, str):
        parts = [p for p in value.replace(",", " ").lower().split() if p]
        if len(parts) == 1 and len(parts[0]) == 1 and parts[0].isalpha():
            return f'"{parts[0]}"'
        if parts and all(len(p) == 1 and p.isalpha() for p in parts):
            value = parts
        else:
            return None
    if isinstance(value, (set, frozenset, list, tuple)):
        letters = set()
        for v in value:
            if not isinstance(v, str) or len(v.strip()) != 1 or not v.strip().isalpha():
                return None
            letters.add(v.strip().lower())
        return "{" + ", ".join(f'"{v}"' for v in sorted(letters)) + "}"
    return None


def choice_answers(source: str) -> dict[str, str]:
    """name -> canonical choice for each ``name = <literal>`` in ``source`` (unparsable code: nothing)."""
    try:
        tree = ast.parse(_SOLUTION.sub("", source))
    except SyntaxError:
        return {}
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError):
                continue
            canonical = _choice(value)
            if canonical is not None:
                found[node.targets[0].id] = canonical
    return found


def _label(grade_id: str, notebook: str, several: bool) -> str:
    match = re.match(r"^q(\d+)", grade_id, re.I)
    label = f"Q{match.group(1)}" if match else grade_id
    return f"{notebook}:{label}" if several else label


def source_items(root: Path, assignment: str) -> list[Item]:
    """The grade cells of the assignment's source notebooks, in notebook order, with question and key."""
    folder = root / "source" / assignment
    paths = sorted(folder.glob("*.ipynb"))
    items = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        last_grade = -1
        for index, cell in enumerate(nb.cells):
            meta = cell.metadata.get("nbgrader", {})
            if not meta.get("grade"):
                continue
            item = Item(notebook=path.stem, grade_id=meta["grade_id"], max_score=float(meta.get("points", 0)),
                        label=_label(meta["grade_id"], path.stem, len(paths) > 1), manual=bool(meta.get("solution")))
            if meta.get("solution"):
                answers = [cell]
            else:
                answers = [c for c in nb.cells[last_grade + 1:index] if c.cell_type == "code"
                           and c.metadata.get("nbgrader", {}).get("solution")]
            item.answer_ids = [c.metadata["nbgrader"]["grade_id"] for c in answers]
            for answer in answers:
                if answer.cell_type == "code":
                    item.correct.update(choice_answers(answer.source))
            first = nb.cells.index(answers[0]) if answers else index
            for previous in reversed(nb.cells[last_grade + 1:first]):
                if previous.cell_type == "markdown" and not previous.metadata.get("nbgrader", {}).get("solution"):
                    item.question = previous.source.strip()
                    break
            heading = next((line for line in item.question.splitlines() if line.startswith("#")), "")
            item.title = heading.lstrip("#").strip()
            item.options = dict(_OPTION.findall(item.question))
            items.append(item)
            last_grade = index
    return items


def _score(grade) -> float | None:
    """A grade's points, or None while it awaits a manual grade (never 0 for 'not graded')."""
    extra = grade.extra_credit or 0.0
    if grade.manual_score is not None:
        value = grade.manual_score + extra
    elif grade.needs_manual_grade or grade.auto_score is None:
        return None
    else:
        value = grade.auto_score + extra
    return max(0.0, min(float(value), float(grade.max_score)))


def read_course(course: Path, assignment: str) -> Data:
    config = load_config(course)
    root = course_root(config)
    submitted = submitted_students(config, assignment)  # also checks that the assignment exists
    items = source_items(root, assignment)
    from nbgrader.api import MissingEntry

    with gradebook(config) as book:
        try:
            book.find_assignment(assignment)
        except MissingEntry:
            raise CourseError(f"the gradebook has no grades for {assignment}: run nbgrader autograde first") from None
        rows: dict[str, dict[tuple[str, str], float | None]] = {}
        for submission in book.assignment_submissions(assignment):
            row = rows.setdefault(submission.student.id, {})
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    row[(notebook.notebook.name, grade.name)] = _score(grade)
                    if not any(i.notebook == notebook.notebook.name and i.grade_id == grade.name for i in items):
                        items.append(Item(notebook=notebook.notebook.name, grade_id=grade.name,
                                          max_score=float(grade.max_score), label=grade.name))
    students = sorted(rows)
    scores = [[rows[s].get((i.notebook, i.grade_id)) for i in items] for s in students]
    return Data(assignment, items, students, scores, [s for s in submitted if s not in rows])


def wrong_answers(root: Path, data: Data, item: Item) -> Counter:
    """Canonical wrong answers to a choice item, counted over trainees without full marks on it."""
    counts: Counter = Counter()
    if not item.correct:
        return counts
    j = data.items.index(item)
    for student, row in zip(data.students, data.scores):
        if row[j] is None or row[j] >= item.max_score - 1e-9:
            continue
        path = root / "autograded" / student / data.assignment / f"{item.notebook}.ipynb"
        if not path.is_file():
            continue
        nb = nbformat.read(path, as_version=4)
        given: dict[str, str] = {}
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") in item.answer_ids and cell.cell_type == "code":
                given.update(choice_answers(cell.source))
        wrong = [f"{name} = {given[name]}" if len(item.correct) > 1 else given[name]
                 for name, right in item.correct.items() if name in given and given[name] != right]
        if wrong:
            counts["; ".join(wrong)] += 1
    return counts


# --- figures ----------------------------------------------------------------------------------------------

def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    return fig


def scatter_figure(items: list[Item], stats: list[ia.ItemStats]):
    fig = _figure(8.0, 5.6)
    ax = fig.add_subplot()
    rs = [s.discrimination for s in stats if s.discrimination is not None]
    low = min([-0.4] + [r - 0.12 for r in rs])
    ax.set_xlim(-0.02, 1.08)
    ax.set_ylim(low, 1.1)
    ax.axhspan(low, 0, color=_RED, alpha=0.10, lw=0)
    ax.axhspan(0, ia.POOR_DISCRIMINATION, color=_ORANGE, alpha=0.10, lw=0)
    ax.axvspan(-0.02, ia.TOO_HARD_P, color=_GREY, alpha=0.25, lw=0)
    ax.axvspan(ia.TOO_EASY_P, 1.08, color=_GREY, alpha=0.25, lw=0)
    ax.axhline(0, color=_RED, lw=1.2)
    ax.axhline(ia.POOR_DISCRIMINATION, color=_ORANGE, lw=1.2, ls="--")
    for y in (0.30, 0.40):
        ax.axhline(y, color=_GREY, lw=0.8, ls=":")
    ax.axvline(ia.TOO_HARD_P, color=_DARK, lw=0.8, ls="--")
    ax.axvline(ia.TOO_EASY_P, color=_DARK, lw=0.8, ls="--")
    # Ebel's bands, named in the right margin so they never cover a point or its label.
    margin = ax.get_yaxis_transform()
    bands = [(0.40, 1.05, "very good\n(≥ 0.40)", _DARK), (0.30, 0.40, "good", _DARK),
             (0.20, 0.30, "marginal", _DARK), (0.0, 0.20, "poor", _DARK), (low, 0.0, "negative:\nlook first", _RED)]
    for bottom, top, name, colour in bands:
        ax.text(1.01, (bottom + top) / 2, name, transform=margin, fontsize=8, color=colour, va="center",
                ha="left", weight="bold" if colour == _RED else "normal", clip_on=False)
    ax.text(0.10, 1.0, "too hard\np < 0.20", fontsize=8, ha="center", va="top", color=_DARK)
    ax.text(1.015, 1.0, "too\neasy\n> 0.95", fontsize=8, ha="center", va="top", color=_DARK)
    shown = set()
    for item, s in zip(items, stats):
        if s.discrimination is None or s.difficulty is None:
            continue
        kind = ia.NEGATIVE if ia.NEGATIVE in s.flags else ("flagged" if s.flags else "none")
        colour, marker = FLAG_STYLE[kind]
        name = {"none": "no flag", "flagged": "flagged", ia.NEGATIVE: "negative discrimination"}[kind]
        ax.scatter(s.difficulty, s.discrimination, s=60, color=colour, marker=marker, edgecolor=_DARK, lw=0.6,
                   zorder=3, label=None if kind in shown else name)
        shown.add(kind)
    _label_points(ax, [(i.label, s.difficulty, s.discrimination) for i, s in zip(items, stats)
                       if s.discrimination is not None and s.difficulty is not None])
    missing = [i.label for i, s in zip(items, stats) if s.discrimination is None]
    ax.set_xlabel("difficulty p (mean score ÷ maximum; higher = easier)")
    ax.set_ylabel("discrimination r (item vs rest of the score)")
    ax.set_title("Items: difficulty and discrimination")
    if shown:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3, fontsize=8, frameon=False)
    if missing:
        fig.text(0.01, 0.005, "not plotted (r not computable): " + ", ".join(missing), fontsize=8, ha="left",
                 va="bottom")
        fig.get_layout_engine().set(rect=(0, 0.04, 1, 0.96))
    return fig


def _label_points(ax, points: list[tuple[str, float, float]]) -> None:
    """Label each point; coincident points share one label, near neighbours put theirs on opposite sides."""
    groups: list[list] = []
    for label, x, y in points:
        for group in groups:
            if abs(group[1] - x) < 0.005 and abs(group[2] - y) < 0.005:
                group[0].append(label)
                break
        else:
            groups.append([[label], x, y])
    placed: list[tuple[float, float, str]] = []
    for labels, x, y in sorted(groups, key=lambda g: (-g[2], g[1])):
        near = {side for px, py, side in placed if abs(px - x) < 0.15 and abs(py - y) < 0.07}
        side = "right" if x < 0.85 else "left"
        if side in near:
            side = "left" if side == "right" else "right"
        dy = -11 if {"left", "right"} <= near else 0
        placed.append((x, y, side))
        ax.annotate(", ".join(labels), (x, y), xytext=(8 if side == "right" else -8, dy),
                    textcoords="offset points", fontsize=9, ha="left" if side == "right" else "right",
                    va="center", color=_DARK, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))


def histogram_figure(cohort: ia.CohortStats):
    import numpy as np

    fig = _figure(7.0, 3.8)
    ax = fig.add_subplot()
    top = cohort.max_total
    if top <= 40 and float(top).is_integer():
        bins = np.arange(-0.5, top + 1.5, 1.0)
    else:
        bins = np.linspace(0, top if top > 0 else 1, 21)
    ax.hist(cohort.totals, bins=bins, color=_BLUE, edgecolor="white")
    if cohort.mean is not None:
        ax.axvline(cohort.mean, color=_ORANGE, lw=2, ls="--", label=f"mean {cohort.mean:.1f}")
        ax.legend(loc="best", fontsize=8)
    ax.set_xlim(bins[0], bins[-1])
    ax.set_xlabel(f"total score (items graded for everyone, out of {top:g})")
    ax.set_ylabel("trainees")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"Score distribution (n = {cohort.n})")
    return fig


def item_bars_figure(items: list[Item], stats: list[ia.ItemStats]):
    fig = _figure(7.5, 0.9 + 0.42 * len(items))
    ax = fig.add_subplot()
    labels = [f"{i.label} ({i.max_score:g} pt)" for i in items]
    parts = {"full marks": [], "partial": [], "zero": [], "not graded yet": []}
    for s in stats:
        n = s.n_graded + s.n_missing or 1
        full = sum(c for v, c in s.distribution.items() if v >= s.max_score - 1e-9)
        zero = sum(c for v, c in s.distribution.items() if v <= 1e-9 and s.max_score > 0)
        parts["full marks"].append(full / n)
        parts["zero"].append(zero / n)
        parts["partial"].append((s.n_graded - full - zero) / n)
        parts["not graded yet"].append(s.n_missing / n)
    style = {"full marks": (_BLUE, ""), "partial": (_CYAN, ".."), "zero": (_ORANGE, "//"),
             "not graded yet": (_GREY, "xx")}
    y = list(range(len(items)))[::-1]
    left = [0.0] * len(items)
    for name, values in parts.items():
        if not any(values) and name in ("partial", "not graded yet"):
            continue
        colour, hatch = style[name]
        ax.barh(y, values, left=left, color=colour, hatch=hatch, edgecolor="white", lw=0.5, label=name)
        left = [a + b for a, b in zip(left, values)]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_xlabel("share of trainees")
    ax.set_title("Scores per item")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18 if len(items) > 6 else -0.3), ncols=4, fontsize=8,
              frameon=False)
    return fig


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


# --- report -----------------------------------------------------------------------------------------------

def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _wrong_text(item: Item, answer: str) -> str:
    letter = re.fullmatch(r'"([a-z])"', answer)
    if letter and letter.group(1) in item.options:
        return f"{answer} — {item.options[letter.group(1)]}"
    return answer


def build(course: Path, assignment: str, output: Path | None = None) -> Path:
    """Write the report files; return the path of report.html."""
    config = load_config(course)
    root = course_root(config)
    data = read_course(course, assignment)
    if not data.students:
        raise CourseError(f"no trainee of {assignment} is in the gradebook yet: run nbgrader autograde first")
    out = Path(output) if output is not None else root / "reports" / assignment
    out.mkdir(parents=True, exist_ok=True)
    stats, cohort = ia.analyse_items(data.scores, [i.max_score for i in data.items])
    wrong = {i.grade_id: wrong_answers(root, data, i) for i in data.items}

    with open(out / "item_analysis.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["item", "notebook", "grade_cell", "question", "max_score", "n_graded", "n_not_graded",
                         "mean_score", "difficulty_p", "full_marks", "discrimination_r", "ebel_band",
                         "upper_lower_D", "distribution", "flags", "most_frequent_wrong_answer", "times_chosen"])
        for item, s in zip(data.items, stats):
            common = wrong[item.grade_id].most_common(1)
            writer.writerow([item.label, item.notebook, item.grade_id, item.title, f"{item.max_score:g}",
                             s.n_graded, s.n_missing, _fmt(s.mean, 3), _fmt(s.difficulty, 3),
                             _fmt(s.full_marks, 3), _fmt(s.discrimination, 3), s.band, _fmt(s.upper_lower, 3),
                             " ".join(f"{v:g}:{c}" for v, c in s.distribution.items()), "; ".join(s.flags),
                             common[0][0] if common else "", common[0][1] if common else ""])

    figures = {"difficulty_discrimination.png": scatter_figure(data.items, stats),
               "score_histogram.png": histogram_figure(cohort),
               "item_scores.png": item_bars_figure(data.items, stats)}
    images = {}
    for name, fig in figures.items():
        images[name] = _png(fig)
        (out / name).write_bytes(images[name])

    path = out / "report.html"
    path.write_text(_html(data, stats, cohort, wrong, images), encoding="utf-8")
    return path


def _question_html(markdown: str) -> str:
    """The question's markdown as simple HTML (escaped first): paragraphs, lists, **bold**, `code`; no links."""
    def inline(text: str) -> str:
        text = html.escape(text)
        text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
        text = re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<em>\1</em>", text)
        return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)

    out, paragraph, items = [], [], []

    def flush() -> None:
        if paragraph:
            out.append("<p>" + inline(" ".join(paragraph)) + "</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in markdown.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            flush()
        elif re.match(r"^[-*]\s+", stripped):
            if paragraph:
                flush()
            items.append(re.sub(r"^[-*]\s+", "", stripped))
        elif not stripped:
            flush()
        else:
            if items:
                flush()
            paragraph.append(stripped)
    flush()
    return "\n".join(out)


def _img(png: bytes, alt: str) -> str:
    return (f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">')


def _html(data: Data, stats, cohort: ia.CohortStats, wrong, images) -> str:
    e = html.escape
    parts = [f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Item analysis — {e(data.assignment)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222;
       line-height: 1.45; }}
table {{ border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }}
th, td {{ border: 1px solid #bbb; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
img {{ max-width: 100%; height: auto; display: block; margin: 1rem 0; }}
.warning {{ border-left: 0.3rem solid #994455; background: #f7eef0; padding: 0.5rem 1rem; }}
.flag {{ border: 1px solid #bbb; border-radius: 0.3rem; padding: 0.5rem 1rem; margin: 1rem 0; }}
.flag.negative {{ border-left: 0.4rem solid #994455; }}
.question {{ background: #f6f6f6; padding: 0.1rem 1rem; font-size: 0.92rem; }}
.tag {{ display: inline-block; padding: 0 0.4rem; border-radius: 0.2rem; background: #EE7733; color: #000;
        font-size: 0.85rem; margin-right: 0.3rem; }}
.tag.negative {{ background: #994455; color: #fff; }}
</style></head><body>
<h1>Item analysis: {e(data.assignment)}</h1>
<p>Generated {_dt.datetime.now().strftime('%Y-%m-%d %H:%M')} from the nbgrader gradebook.
{len(data.items)} items (grade cells), {cohort.n} trainees graded.
<a href="#how-to-read">How to read this report</a>.</p>
"""]
    if cohort.small:
        parts.append(f'<p class="warning"><strong>Small cohort (n = {cohort.n}).</strong> With fewer than '
                     f'{ia.STABLE_N} trainees these statistics are unstable: one trainee can move an item across a '
                     "threshold. Read the flags as prompts to look at an item, not as verdicts.</p>")
    if data.not_graded_yet:
        parts.append(f'<p class="warning">{len(data.not_graded_yet)} submission(s) are not in the gradebook yet '
                     f'(not autograded): {e(", ".join(data.not_graded_yet))}. They are not counted.</p>')
    missing_items = [(i, s) for i, s in zip(data.items, stats) if s.n_missing]
    if missing_items:
        parts.append('<p class="warning">Not graded yet (manual grading pending): ' + ", ".join(
            f"{e(i.label)} ({s.n_missing} of {s.n_graded + s.n_missing})" for i, s in missing_items)
                     + ". These are shown as <em>not graded</em>, never as 0; their statistics use the trainees "
                       "graded so far, and totals leave them out.</p>")

    # cohort
    parts.append("<h2>Cohort</h2><table>")
    parts.append(f"<tr><th>trainees</th><td class='num'>{cohort.n}</td></tr>")
    parts.append(f"<tr><th>mean total</th><td class='num'>{_fmt(cohort.mean, 1)} of {cohort.max_total:g}</td></tr>")
    parts.append(f"<tr><th>standard deviation</th><td class='num'>{_fmt(cohort.sd, 1)}</td></tr>")
    parts.append(f"<tr><th>reliability</th><td>{_fmt(cohort.reliability)} — {e(cohort.reliability_note)}</td></tr>")
    parts.append("</table>")
    if cohort.reliability is not None:
        alpha = cohort.reliability
        reading = ("high: the items agree well" if alpha >= 0.8 else "acceptable for a short assignment"
                   if alpha >= 0.5 else "low: the items do not measure one common thing well (or some are flawed); "
                   "do not base a decision on the total")
        parts.append(f"<p>Reliability {alpha:.2f} is {e(reading)}.</p>")
    parts.append("<p>Reliability (Cronbach's alpha) says how consistently the items measure one thing; for a short "
                 "assignment 0.5–0.7 is common, and above 0.8 is wanted before a score decides anything.</p>")
    parts.append(_img(images["score_histogram.png"], "histogram of total scores"))

    # flagged items
    flagged = sorted((x for x in zip(data.items, stats) if x[1].flags), key=lambda x: (x[1].urgency, x[0].label))
    parts.append("<h2>Items to look at</h2>")
    if not flagged:
        parts.append("<p>No item is flagged.</p>")
    for item, s in flagged:
        negative = ia.NEGATIVE in s.flags
        parts.append(f'<div class="flag{" negative" if negative else ""}" id="item-{e(item.grade_id)}">')
        heading = item.title if item.title.lower().startswith("question") else f"{item.label}: {item.topic}"
        parts.append(f"<h3>{e(heading)}</h3><p>")
        parts.append(" ".join(f'<span class="tag{" negative" if f == ia.NEGATIVE else ""}">{e(f)}</span>'
                              for f in s.flags))
        parts.append(f" p = {_fmt(s.difficulty)}, r = {_fmt(s.discrimination)}, D = {_fmt(s.upper_lower)}, "
                     f"full marks {_fmt(s.full_marks and s.full_marks * 100, 0)} %.</p><ul>")
        for flag in s.flags:
            parts.append(f"<li><strong>{e(flag)}:</strong> {e(GUIDANCE[flag])}</li>")
        if item.manual:
            parts.append("<li>This answer is graded by hand: also check the marking guide, and whether every grader "
                         f"applied it the same way ({s.n_graded} of {s.n_graded + s.n_missing} graded so far).</li>")
        parts.append("</ul>")
        common = wrong[item.grade_id].most_common(1)
        if common:
            answer, count = common[0]
            total = sum(wrong[item.grade_id].values())
            parts.append(f"<p><strong>Most frequent wrong answer</strong> ({count} of {total} wrong answers; it names "
                         f"the misconception to teach again): {e(_wrong_text(item, answer))}</p>")
        if item.question:
            parts.append(f'<div class="question">{_question_html(item.question)}</div>')
        parts.append("</div>")

    # scatter + table
    parts.append("<h2>All items</h2>")
    parts.append(_img(images["difficulty_discrimination.png"], "difficulty against discrimination per item"))
    parts.append("<table><tr><th>item</th><th>question</th><th>max</th><th>graded</th><th>p</th><th>full marks</th>"
                 "<th>r</th><th>D</th><th>scores (value: trainees)</th><th>most frequent wrong answer</th>"
                 "<th>flags</th></tr>")
    for item, s in zip(data.items, stats):
        common = wrong[item.grade_id].most_common(1)
        distribution = ", ".join(f"{v:g}: {c}" for v, c in s.distribution.items())
        if s.n_missing:
            distribution += f", not graded: {s.n_missing}"
        parts.append(
            f"<tr><td>{e(item.label)}</td><td>{e(item.topic)}</td><td class='num'>{item.max_score:g}</td>"
            f"<td class='num'>{s.n_graded}/{s.n_graded + s.n_missing}</td><td class='num'>{_fmt(s.difficulty)}</td>"
            f"<td class='num'>{_fmt(s.full_marks)}</td><td class='num'>{_fmt(s.discrimination)} ({e(s.band)})</td>"
            f"<td class='num'>{_fmt(s.upper_lower)}</td><td>{e(distribution)}</td>"
            f"<td>{e(f'{common[0][0]} ×{common[0][1]}') if common else ''}</td><td>{e('; '.join(s.flags))}</td></tr>")
    parts.append("</table>")
    distractors = [(item, wrong[item.grade_id]) for item in data.items if wrong[item.grade_id]]
    if distractors:
        parts.append("<h2>Most frequent wrong answers (choice questions)</h2>"
                     "<p>The wrong answer chosen most often names the misconception to teach again.</p>"
                     "<table><tr><th>item</th><th>question</th><th>wrong answer chosen most often</th>"
                     "<th>chosen by</th><th>next most frequent</th></tr>")
        for item, counts in distractors:
            ranked = counts.most_common(3)
            total = sum(counts.values())
            others = ", ".join(f"{_wrong_text(item, a)} ×{c}" for a, c in ranked[1:])
            parts.append(f"<tr><td>{e(item.label)}</td><td>{e(item.topic)}</td>"
                         f"<td>{e(_wrong_text(item, ranked[0][0]))}</td>"
                         f"<td class='num'>{ranked[0][1]} of {total} wrong</td><td>{e(others)}</td></tr>")
        parts.append("</table>")
    parts.append(_img(images["item_scores.png"], "share of full, partial, zero and ungraded scores per item"))

    # reading guide
    parts.append("""<h2 id="how-to-read">How to read this report</h2>
<ul>
<li><strong>Difficulty p</strong> is the mean score divided by the item's points (for a one-point item: the share
who got it right). Useful items mostly lie between about 0.3 and 0.9. <em>Full marks</em> is the share with every
point.</li>
<li><strong>Discrimination r</strong> is the correlation between the item and the rest of the score (the total
without the item): do trainees who do well elsewhere also do well here? After Ebel: 0.40 and above very good,
0.30–0.39 good, 0.20–0.29 marginal (revise), below 0.20 poor, <strong>negative: the item is probably wrong or
misleading; look at it first</strong>. <strong>D</strong> is the same idea in simpler form: the mean item score of
the top 27&nbsp;% of trainees by total minus that of the bottom 27&nbsp;%, divided by the item's points.</li>
<li><strong>Too easy</strong> (p above 0.95) items tell you little; <strong>too hard</strong> (p below 0.20) items
point to something untaught or a flawed item.</li>
<li>For choice questions, the <strong>most frequent wrong answer</strong> names the misconception to teach
again.</li>
<li>Totals (histogram, r, D and reliability) count only items graded for every trainee; items awaiting manual
grading are shown as <em>not graded</em>, never as 0.</li>
</ul>
<p>The figures and <code>item_analysis.csv</code> are saved next to this file.</p>
</body></html>
""")
    return "\n".join(parts)


def main(args) -> int:
    try:
        path = build(args.course, args.assignment, getattr(args, "output", None))
    except CourseError as error:
        print(f"mesolab report: {error}", file=sys.stderr)
        return 2
    print(f"Item analysis of {args.assignment}: {path}")
    print(f"(figures and item_analysis.csv in {path.parent})")
    return 0
