"""The project's own problems: one folder per problem under ``problems/data/``.

Layout of a problem folder::

    problem.yaml                 name, description, difficulty, time_limit_s,
                                 memory_limit_mb, tags
    tests/public/NN.in|.out      examples shown to solvers
    tests/private/NN.in|.out     hidden tests
    solutions/correct/*.py|.cpp|.java  reference solutions
    solutions/incorrect/*.py|.cpp|.java
"""

from __future__ import annotations

import importlib.resources
import math
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from problems.errors import ProblemFileError, ProblemSourceError
from problems.model import (
    DEFAULT_MEMORY_LIMIT_MB,
    DEFAULT_TIME_LIMIT_S,
    MIB,
    Difficulty,
    Language,
    Problem,
    Source,
)

PROBLEM_FILE = "problem.yaml"
# The bundled problems were written for this project: no contest site is theirs, and the
# dataset's UNKNOWN_SOURCE would say the data is missing. Commands show this label instead.
BUNDLED_SOURCE = "bundled"

# The folder format's own rule for which dataset language a solution file holds (files with
# other suffixes are not solutions). It names dataset ids, which only the dataset can add to;
# whether and how each runs is the language table's business, and a test keeps the two agreeing.
SOLUTION_SUFFIXES = {".py": Language.PYTHON3, ".cpp": Language.CPP, ".java": Language.JAVA}


class BundledMeta(BaseModel):
    """The keys of ``problem.yaml``. Unknown keys are errors: a typo must not pass silently."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str
    difficulty: Difficulty = Difficulty.UNKNOWN_DIFFICULTY
    time_limit_s: float = Field(default=DEFAULT_TIME_LIMIT_S, gt=0)
    memory_limit_mb: int = Field(default=DEFAULT_MEMORY_LIMIT_MB, gt=0)
    tags: list[str] = Field(default_factory=list)

    @field_validator("difficulty", mode="before")
    @classmethod
    def _difficulty_name(cls, value: object) -> object:
        return Difficulty.parse(value)


def bundled_dir() -> Path:
    """The folder holding the bundled problems (inside the installed package)."""
    return Path(str(importlib.resources.files("problems").joinpath("data")))


def is_problem_dir(path: Path) -> bool:
    return (path / PROBLEM_FILE).is_file()


def load_bundled(root: Path | None = None) -> list[Problem]:
    """Every problem folder under ``root`` (default: the bundled set), sorted by name."""
    root = bundled_dir() if root is None else Path(root)
    folders = sorted(p for p in root.iterdir() if is_problem_dir(p)) if root.is_dir() else []
    if not folders:
        raise ProblemSourceError(f"no problem folders (with a {PROBLEM_FILE}) found in {root}")
    return sorted((read_problem_dir(folder) for folder in folders), key=lambda p: p.name)


def read_problem_dir(folder: Path) -> Problem:
    """Read one problem folder; every error names the offending file."""
    folder = Path(folder)
    meta_path = folder / PROBLEM_FILE
    meta = _read_meta(meta_path)
    seconds = math.floor(meta.time_limit_s)
    record = {
        "name": meta.name,
        "description": meta.description,
        "source": Source.UNKNOWN_SOURCE,
        "difficulty": meta.difficulty,
        "cf_tags": meta.tags,
        "time_limit": {
            "seconds": seconds,
            "nanos": round((meta.time_limit_s - seconds) * 1e9),
        },
        "memory_limit_bytes": meta.memory_limit_mb * MIB,
        "public_tests": _read_tests(folder / "tests" / "public"),
        "private_tests": _read_tests(folder / "tests" / "private"),
        "solutions": _read_solutions(folder / "solutions" / "correct"),
        "incorrect_solutions": _read_solutions(folder / "solutions" / "incorrect"),
    }
    try:
        return Problem.model_validate(record)
    except ValidationError as e:
        raise ProblemFileError.from_validation(str(folder), e) from None


def _read_meta(path: Path) -> BundledMeta:
    if not path.is_file():
        raise ProblemFileError(str(path), "file is missing")
    try:
        data = yaml.safe_load(_read_text(path))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        raise ProblemFileError(str(path), f"invalid YAML: {problem}", line=line) from None
    if not isinstance(data, dict):
        raise ProblemFileError(str(path), f"expected a mapping of keys, got {type(data).__name__}")
    try:
        return BundledMeta.model_validate(data)
    except ValidationError as e:
        raise ProblemFileError.from_validation(str(path), e) from None


def _test_key(path: Path) -> tuple[int, int | str]:
    stem = path.stem
    return (0, int(stem)) if stem.isdigit() else (1, stem)


def _read_tests(folder: Path) -> dict[str, list[str]]:
    tests: dict[str, list[str]] = {"input": [], "output": []}
    if not folder.is_dir():
        return tests
    for in_path in sorted(folder.glob("*.in"), key=_test_key):
        out_path = in_path.with_suffix(".out")
        if not out_path.is_file():
            raise ProblemFileError(str(in_path), f"has no matching output file {out_path.name}")
        tests["input"].append(_read_text(in_path))
        tests["output"].append(_read_text(out_path))
    for out_path in folder.glob("*.out"):
        if not out_path.with_suffix(".in").is_file():
            raise ProblemFileError(
                str(out_path), f"has no matching input file {out_path.with_suffix('.in').name}"
            )
    return tests


def _read_solutions(folder: Path) -> dict[str, list]:
    solutions: dict[str, list] = {"language": [], "solution": []}
    if not folder.is_dir():
        return solutions
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        language = SOLUTION_SUFFIXES.get(path.suffix)
        if language is None or not path.is_file():
            continue
        solutions["language"].append(int(language))
        solutions["solution"].append(_read_text(path))
    return solutions


def _read_text(path: Path) -> str:
    # Bytes decoded as is: test data must reach programs exactly as written.
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProblemFileError(str(path), f"not valid UTF-8 (byte {e.start})") from None
