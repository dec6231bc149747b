"""The CodeContests problem, as published in the HF dataset ``deepmind/code_contests``.

Integers for ``source``, ``difficulty`` and solution ``language`` follow the dataset's
ClassLabel order (which differs from the original protobuf enums), so records from the
hub, from parquet exports and from JSONL dumps all decode the same way.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

# The dataset card documents these as the limits to assume when a record leaves them
# unset: ``time_limit`` may be null (or zero) and ``memory_limit_bytes`` may be 0.
DEFAULT_TIME_LIMIT_S = 2.0
DEFAULT_MEMORY_LIMIT_MB = 256

MIB = 1024 * 1024

_IMAGE_MARKER = re.compile(r"<image>|\[image\]", re.IGNORECASE)


class _NamedIntEnum(enum.IntEnum):
    """An IntEnum that also accepts its member names (any case) when validated."""

    @classmethod
    def parse(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
            key = value.strip().upper()
            if key not in cls.__members__:
                names = ", ".join(cls.__members__)
                raise ValueError(f"unknown {cls.__name__.lower()} {value!r} (expected one of {names})")
            return cls[key]
        return value


class Source(_NamedIntEnum):
    UNKNOWN_SOURCE = 0
    CODECHEF = 1
    CODEFORCES = 2
    HACKEREARTH = 3
    CODEJAM = 4
    ATCODER = 5
    AIZU = 6


class Difficulty(_NamedIntEnum):
    UNKNOWN_DIFFICULTY = 0
    EASY = 1
    MEDIUM = 2
    HARD = 3
    HARDER = 4
    HARDEST = 5
    EXTERNAL = 6
    A = 7
    B = 8
    C = 9
    D = 10
    E = 11
    F = 12
    G = 13
    H = 14
    I = 15  # noqa: E741 - the dataset's own label
    J = 16
    K = 17
    L = 18
    M = 19
    N = 20
    O = 21  # noqa: E741
    P = 22
    Q = 23
    R = 24
    S = 25
    T = 26
    U = 27
    V = 28


class Language(_NamedIntEnum):
    """The dataset's solution languages. Which of them run, and as what, is the language
    table's business (``archon_code.stored_solutions``)."""

    UNKNOWN_LANGUAGE = 0
    PYTHON = 1  # Python 2
    CPP = 2
    PYTHON3 = 3
    JAVA = 4

    @property
    def label(self) -> str:
        """Short human name: python2, cpp, python3, java, unknown."""
        return _LANGUAGE_LABELS[self]


_LANGUAGE_LABELS = {
    Language.UNKNOWN_LANGUAGE: "unknown",
    Language.PYTHON: "python2",
    Language.CPP: "cpp",
    Language.PYTHON3: "python3",
    Language.JAVA: "java",
}

@dataclass(frozen=True)
class Test:
    """One input/output pair; field-compatible with ``sandbox.types.TestCase``."""

    input: str
    output: str

    __test__ = False  # not a pytest test class


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Tests(_Record):
    input: list[str] = Field(default_factory=list)
    output: list[str] = Field(default_factory=list)

    @field_validator("output")
    @classmethod
    def _same_length(cls, output: list[str], info: ValidationInfo) -> list[str]:
        inputs = info.data.get("input")
        if inputs is not None and len(inputs) != len(output):
            raise ValueError(f"input and output lengths differ ({len(inputs)} vs {len(output)})")
        return output

    def __len__(self) -> int:
        return len(self.input)

    def pairs(self) -> list[Test]:
        return [Test(i, o) for i, o in zip(self.input, self.output)]


class Solutions(_Record):
    language: list[Language] = Field(default_factory=list)
    solution: list[str] = Field(default_factory=list)

    @field_validator("language", mode="before")
    @classmethod
    def _language_names(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [Language.parse(v) for v in value]
        return value

    @field_validator("solution")
    @classmethod
    def _same_length(cls, solution: list[str], info: ValidationInfo) -> list[str]:
        languages = info.data.get("language")
        if languages is not None and len(languages) != len(solution):
            raise ValueError(
                f"language and solution lengths differ ({len(languages)} vs {len(solution)})"
            )
        return solution

    def __len__(self) -> int:
        return len(self.solution)


class TimeLimit(_Record):
    seconds: int = 0
    nanos: int = 0

    @property
    def total_s(self) -> float:
        return self.seconds + self.nanos / 1e9


class Problem(_Record):
    """One CodeContests problem. Unknown keys in the input are ignored."""

    name: str = Field(min_length=1)
    description: str
    public_tests: Tests = Field(default_factory=Tests)
    private_tests: Tests = Field(default_factory=Tests)
    generated_tests: Tests = Field(default_factory=Tests)
    source: Source = Source.UNKNOWN_SOURCE
    difficulty: Difficulty = Difficulty.UNKNOWN_DIFFICULTY
    solutions: Solutions = Field(default_factory=Solutions)
    incorrect_solutions: Solutions = Field(default_factory=Solutions)
    cf_contest_id: int = 0
    cf_index: str = ""
    cf_points: float = 0.0
    cf_rating: int = 0
    cf_tags: list[str] = Field(default_factory=list)
    is_description_translated: bool = False
    untranslated_description: str = ""
    time_limit: TimeLimit | None = None
    memory_limit_bytes: int = Field(default=0, ge=0)
    input_file: str = ""
    output_file: str = ""

    @field_validator(
        "public_tests", "private_tests", "generated_tests", "solutions", "incorrect_solutions",
        mode="before",
    )
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("source", mode="before")
    @classmethod
    def _source_name(cls, value: Any) -> Any:
        return Source.parse(value)

    @field_validator("difficulty", mode="before")
    @classmethod
    def _difficulty_name(cls, value: Any) -> Any:
        return Difficulty.parse(value)

    @property
    def id(self) -> str:
        """Problems are identified by name, as in the dataset."""
        return self.name

    def public(self) -> list[Test]:
        """Tests a solver may see (the examples from the statement)."""
        return self.public_tests.pairs()

    def hidden(self, include_generated: bool = False) -> list[Test]:
        """Tests used to judge a final answer: private, then optionally generated."""
        tests = self.private_tests.pairs()
        if include_generated:
            tests += self.generated_tests.pairs()
        return tests

    @property
    def time_limit_s(self) -> float:
        if self.time_limit is None or self.time_limit.total_s <= 0:
            return DEFAULT_TIME_LIMIT_S
        return self.time_limit.total_s

    @property
    def memory_limit_mb(self) -> int:
        # Rounded up: statements often say 256000000 bytes, and a limit in MiB must
        # never be tighter than the one the problem was judged with.
        if self.memory_limit_bytes <= 0:
            return DEFAULT_MEMORY_LIMIT_MB
        return math.ceil(self.memory_limit_bytes / MIB)

    @property
    def has_image(self) -> bool:
        """The statement refers to a picture the text cannot show."""
        return bool(_IMAGE_MARKER.search(self.description))

    @property
    def io_files(self) -> tuple[str | None, str | None]:
        """(input file, output file); None means stdin / stdout."""
        return (self.input_file or None, self.output_file or None)
