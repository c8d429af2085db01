"""Input checks shared by the domain functions: clear ValueErrors, never a deep traceback."""
from __future__ import annotations

import math
from numbers import Real
from typing import Iterable


def real_number(name: str, value: object, low: float, high: float, unit: str) -> float:
    """Return ``value`` as a float if it is a real number within [low, high], else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number in {unit}, got {type(value).__name__} {value!r}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{name} must be a finite number in {unit}, got {value!r}")
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g} {unit}, got {number:g}")
    return number


def one_of(name: str, value: object, valid: Iterable[str], aliases: dict[str, str] | None = None,
           plural: str | None = None) -> str:
    """Match ``value`` to one of ``valid`` ignoring case, spaces and hyphens, else raise ValueError."""
    valid = tuple(valid)
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        if key in valid:
            return key
        if aliases and key in aliases:
            return aliases[key]
    raise ValueError(f"unknown {name} {value!r}; valid {plural or name + 's'}: {', '.join(valid)}")
