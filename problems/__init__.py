"""What a coding problem is, and where problems come from."""

from problems.bundled import bundled_dir, load_bundled, read_problem_dir
from problems.errors import (
    ProblemError,
    ProblemFileError,
    ProblemNotFoundError,
    ProblemSourceError,
)
from problems.loaders import HF_DATASET, HF_SPLITS, load_problems
from problems.model import (
    DEFAULT_MEMORY_LIMIT_MB,
    DEFAULT_TIME_LIMIT_S,
    Difficulty,
    Language,
    Problem,
    Solutions,
    Source,
    Test,
    Tests,
    TimeLimit,
)

__all__ = [
    "DEFAULT_MEMORY_LIMIT_MB",
    "DEFAULT_TIME_LIMIT_S",
    "HF_DATASET",
    "HF_SPLITS",
    "Difficulty",
    "Language",
    "Problem",
    "ProblemError",
    "ProblemFileError",
    "ProblemNotFoundError",
    "ProblemSourceError",
    "Solutions",
    "Source",
    "Test",
    "Tests",
    "TimeLimit",
    "bundled_dir",
    "load_bundled",
    "load_problems",
    "read_problem_dir",
]
