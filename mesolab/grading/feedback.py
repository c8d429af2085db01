"""nbgrader preprocessors for the feedback returned to trainees.

nbgrader's ClearHiddenTests removes hidden test code from the feedback, but a failing hidden assert
still prints its own source line in the traceback, which can show the expected value. This
preprocessor reduces the error output of every graded test cell to the error's name and message.
"""
from __future__ import annotations

import textwrap

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


class HideTestTracebacks(Preprocessor):
    """Replace tracebacks in nbgrader test cells with 'ErrorName: message' only."""

    enabled = Bool(True).tag(config=True)  # nbconvert preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):  # type: ignore[override]
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        is_test = nbgrader.get("grade") and not nbgrader.get("solution")
        if cell.cell_type == "code" and is_test:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = output.get("evalue") or "this check did not pass"
                    # Wrapped: the feedback page shows outputs as preformatted text, one long line scrolls.
                    text = textwrap.fill(f"{output.get('ename', 'Error')}: {message}", width=90)
                    output["traceback"] = [text]
        return cell, resources
