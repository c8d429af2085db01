"""Read a trainee's answer strictly, for nbgrader test cells.

Test cells import these functions inside the cell (so a trainee who rebinds the name gains nothing),
pass the answer's *name*, and compare what they return: genuine ``float``, ``str`` or ``frozenset``
values, never the trainee's own object, so an answer whose ``==`` always says True cannot pass. Each
failure raises AssertionError with a message that says what is missing or what form is expected.
"""
from __future__ import annotations

import datetime
import math
import re
import sys

_MISSING = object()


def _answer(name: str) -> object:
    """The value the test cell's namespace (the trainee's) holds under ``name``."""
    value = sys._getframe(2).f_globals.get(name, _MISSING)
    if value is _MISSING:
        raise AssertionError(
            f"{name} is not defined: write `{name} = ...` in the answer cell above and run it. If that cell "
            "stopped with an error, or was interrupted because it ran too long, fix it first.")
    return value


def _kind(value: object) -> str:
    """What the answer is, for a message: its type's name, or, for an answer that reached the tests as
    ``mesolab.grading.isolated.UnreadableAnswer``, that it was an object which is not plain data."""
    kind = type(value)
    if kind.__name__ == "UnreadableAnswer":
        return f"{getattr(value, 'kind', 'custom')} object (not a plain number, text or set, so it cannot be graded)"
    return kind.__name__


def read_number(name: str, unit: str) -> float:
    """The answer called ``name`` as a real float (see :func:`number`)."""
    return number(_answer(name), name, unit)


def read_choice(name: str, options: str) -> str:
    """The answer called ``name`` as one lower-case letter (see :func:`choice`)."""
    return choice(_answer(name), name, options)


def read_choices(name: str, options: str) -> frozenset[str]:
    """The answer called ``name`` as a set of lower-case letters (see :func:`choices`)."""
    return choices(_answer(name), name, options)


def read_order(name: str, options: str) -> str:
    """The answer called ``name`` as every option letter once, in the trainee's order (see :func:`order`)."""
    return order(_answer(name), name, options)


def read_date(name: str) -> str:
    """The answer called ``name`` as a calendar date "YYYY-MM-DD" (see :func:`iso_date`)."""
    return iso_date(_answer(name), name)


def number(value: object, name: str, unit: str) -> float:
    """The answer as a real float; ints and floats (including numpy's float64) are accepted."""
    kind = type(value)
    if kind is bool:
        raise AssertionError(f"{name} must be a number in {unit}, not True/False. Example: {name} = 0.8")
    if issubclass(kind, float):
        # float.__float__ reads the stored value itself, bypassing any method a subclass overrides.
        result = float.__float__(value)  # type: ignore[arg-type]
    elif issubclass(kind, int):
        result = float(int.__int__(value))  # type: ignore[arg-type]
    else:
        hint = " (remove the quotes)" if kind is str else ""
        raise AssertionError(
            f"{name} must be a number in {unit}{hint}, but it is a {_kind(value)}. Example: {name} = 0.8")
    if math.isnan(result) or math.isinf(result):
        raise AssertionError(f"{name} must be a finite number in {unit}, got {result}")
    return result


def choice(value: object, name: str, options: str) -> str:
    """A one-letter choice such as "b"; case and surrounding spaces do not matter."""
    if type(value) is not str:
        raise AssertionError(
            f'{name} must be one letter in quotes, e.g. {name} = "{options[0]}", but it is a {_kind(value)}')
    letter = str.lower(str.strip(value))
    if len(letter) != 1 or letter not in options:
        raise AssertionError(f'{name} must be one of {", ".join(repr(o) for o in options)}; got {value!r}')
    return letter


def choices(value: object, name: str, options: str) -> frozenset[str]:
    """Several letters, e.g. {"a", "c"} or ["a", "c"] or "a, c"; case, spaces and order do not matter."""
    kind = type(value)
    if kind is str:
        items: list[object] = [part for part in str.split(str.replace(value, ",", " ")) if part]  # type: ignore[arg-type]
    elif kind in (set, frozenset, list, tuple):
        items = list(value)  # type: ignore[call-overload]
    else:
        raise AssertionError(
            f'{name} must be a set of letters, e.g. {name} = {{"a", "c"}}, but it is a {_kind(value)}')
    letters = set()
    for item in items:
        letter = choice(item, f"each letter in {name}", options)
        letters.add(letter)
    return frozenset(letters)


def order(value: object, name: str, options: str) -> str:
    """Every letter of ``options`` exactly once, in order: "cfdbae", "c, f, d, b, a, e" or a list of letters; case,
    spaces and commas do not matter. Returns the letters as one lower-case string."""
    kind = type(value)
    example = ", ".join(options)
    if kind is str:
        items: list[object] = [part for part in str.replace(str.replace(value, ",", " "), " ", "")]  # type: ignore[arg-type]
    elif kind in (list, tuple):
        items = list(value)  # type: ignore[call-overload]
    else:
        raise AssertionError(f'{name} must be the letters in order, in quotes, e.g. {name} = "{options}", but it is '
                             f"a {_kind(value)}")
    letters = [choice(item, f"each letter in {name}", options) for item in items]
    if sorted(letters) != sorted(options):
        missing = [o for o in options if o not in letters]
        repeated = sorted({letter for letter in letters if letters.count(letter) > 1})
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"repeated {', '.join(repeated)}"] if repeated else [])
        raise AssertionError(f"{name} must put every one of {example} in order, each once; {'; '.join(problems)}")
    return "".join(letters)


def iso_date(value: object, name: str) -> str:
    """A date written "YYYY-MM-DD" in quotes (surrounding spaces do not matter), returned in the same form."""
    if type(value) is not str:
        raise AssertionError(f'{name} must be a date in quotes, year-month-day, e.g. {name} = "2027-03-15", but it '
                             f"is a {_kind(value)}")
    text = str.strip(value)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise AssertionError(f'{name} must be a date written year-month-day, e.g. {name} = "2027-03-15"; got '
                             f"{value!r}") from None
