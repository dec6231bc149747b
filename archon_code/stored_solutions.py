"""A problem's stored solutions as programs the sandbox runs: the one place where the
dataset's language ids meet the language table (``problems`` knows only the dataset's ids,
``sandbox`` only its own names)."""

from __future__ import annotations

from dataclasses import dataclass

from problems import Problem, Solutions
from sandbox import languages
from sandbox.types import Program


def runnable_language(code: int) -> str | None:
    """The table's name for a dataset language id, or None when the sandbox cannot run it
    (Python 2, unknown)."""
    lang = languages.by_codecontests_id(int(code))
    return lang.name if lang is not None else None


@dataclass(frozen=True)
class StoredProgram:
    index: int  # its place among the stored solutions of its kind
    program: Program


def runnable_solutions(solutions: Solutions) -> list[StoredProgram]:
    """Every stored solution in a language the sandbox runs, in stored order."""
    out = []
    for index, (code, source) in enumerate(zip(solutions.language, solutions.solution)):
        name = runnable_language(code)
        if name is not None:
            out.append(StoredProgram(index, Program(source, name)))
    return out


def reference_solutions(problem: Problem, language: str) -> list[str]:
    """Known-correct solutions that the sandbox can run in ``language`` (a name in the
    table; an unknown one raises ValueError)."""
    name = languages.get(language).name
    return [s.program.source for s in runnable_solutions(problem.solutions) if s.program.language == name]
