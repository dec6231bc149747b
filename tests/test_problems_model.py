from __future__ import annotations

import dataclasses
import json

import pytest
from pydantic import ValidationError

from archon_code.stored_solutions import reference_solutions
from problems import (
    DEFAULT_MEMORY_LIMIT_MB,
    DEFAULT_TIME_LIMIT_S,
    Difficulty,
    Language,
    Problem,
    Source,
    Test,
    load_problems,
)
from sandbox.types import TestCase


def _record(**overrides) -> dict:
    base = {
        "name": "1_A. Theatre Square",
        "description": "Cover the square.",
        "public_tests": {"input": ["6 6 4\n"], "output": ["4\n"]},
        "private_tests": {"input": ["1 1 1\n", "2 1 1\n"], "output": ["1\n", "2\n"]},
        "generated_tests": {"input": ["3 1 1\n"], "output": ["3\n"]},
        "source": 2,
        "difficulty": 7,
        "solutions": {"language": [3, 2, 1, 4], "solution": ["py3", "cpp", "py2", "java"]},
        "incorrect_solutions": {"language": [3], "solution": ["wrong"]},
        "time_limit": {"seconds": 1, "nanos": 0},
        "memory_limit_bytes": 256000000,
    }
    base.update(overrides)
    return base


# --- the real problems ---------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_problems(codecontests_dev) -> list[Problem]:
    return load_problems(str(codecontests_dev))


def test_all_dev_problems_decode_with_tests_limits_and_one_python3_solution(dev_problems) -> None:
    assert len(dev_problems) == 80
    assert len({p.id for p in dev_problems}) == 80
    for p in dev_problems:
        assert p.source is Source.CODEFORCES
        assert p.public() and p.hidden(), p.id
        assert p.time_limit is not None and p.time_limit_s > 0, p.id
        assert p.memory_limit_mb > 0
        assert p.solutions.language == [Language.PYTHON3], p.id
        assert len(reference_solutions(p, "python")) == 1
        assert reference_solutions(p, "cpp") == []
        assert p.io_files == (None, None)


def test_dev_difficulty_decodes_to_the_codeforces_problem_letter(dev_problems) -> None:
    # In the ClassLabel order 7..28 are the letters A..V; a Codeforces problem's letter
    # is its index within the contest, so the two agree whenever a letter is set.
    lettered = [p for p in dev_problems if p.difficulty is not Difficulty.UNKNOWN_DIFFICULTY]
    assert len(lettered) >= 70
    for p in lettered:
        assert p.difficulty.name == p.cf_index[0], p.id


def test_source_and_difficulty_follow_the_hf_classlabel_order() -> None:
    assert [s.name for s in Source] == [
        "UNKNOWN_SOURCE", "CODECHEF", "CODEFORCES", "HACKEREARTH", "CODEJAM", "ATCODER", "AIZU",
    ]
    assert [d.name for d in Difficulty] == [
        "UNKNOWN_DIFFICULTY", "EASY", "MEDIUM", "HARD", "HARDER", "HARDEST", "EXTERNAL",
        *"ABCDEFGHIJKLMNOPQRSTUV",
    ]
    assert [int(d) for d in Difficulty] == list(range(29))
    p = Problem.model_validate(_record(source=5, difficulty=28))
    assert (p.source, p.difficulty) == (Source.ATCODER, Difficulty.V)


def test_source_and_difficulty_also_accept_names() -> None:
    p = Problem.model_validate(_record(source="codechef", difficulty="Medium"))
    assert (p.source, p.difficulty) == (Source.CODECHEF, Difficulty.MEDIUM)
    with pytest.raises(ValidationError) as info:
        Problem.model_validate(_record(difficulty="IMPOSSIBLE"))
    assert "EASY" in str(info.value) and info.value.errors()[0]["loc"] == ("difficulty",)
    with pytest.raises(ValidationError):
        Problem.model_validate(_record(source=7))


# --- fields and defaults -------------------------------------------------------------


def test_missing_or_null_tests_and_solutions_are_empty_and_extra_keys_are_ignored() -> None:
    p = Problem.model_validate(
        {"name": "x", "description": "d", "private_tests": None, "solutions": None, "extra": 1}
    )
    assert p.public() == [] and p.hidden(include_generated=True) == []
    assert len(p.solutions) == 0 and reference_solutions(p, "python") == []
    assert (p.source, p.difficulty) == (Source.UNKNOWN_SOURCE, Difficulty.UNKNOWN_DIFFICULTY)
    assert not hasattr(p, "extra")


@pytest.mark.parametrize(
    ("field", "value", "loc", "message"),
    [
        ("private_tests", {"input": ["a", "b", "c"], "output": ["1", "2"]}, ("private_tests", "output"),
         "input and output lengths differ (3 vs 2)"),
        ("solutions", {"language": [3], "solution": []}, ("solutions", "solution"),
         "language and solution lengths differ (1 vs 0)"),
    ],
)
def test_paired_lists_must_have_equal_lengths(field, value, loc, message) -> None:
    with pytest.raises(ValidationError) as info:
        Problem.model_validate(_record(**{field: value}))
    (error,) = info.value.errors()
    assert error["loc"] == loc
    assert message in error["msg"]


def test_name_and_description_are_required() -> None:
    record = _record()
    del record["description"]
    with pytest.raises(ValidationError) as info:
        Problem.model_validate(record)
    assert info.value.errors()[0]["loc"] == ("description",)
    with pytest.raises(ValidationError):
        Problem.model_validate(_record(name=""))


@pytest.mark.parametrize(
    ("time_limit", "expected"),
    [
        (None, DEFAULT_TIME_LIMIT_S),
        ({"seconds": 0, "nanos": 0}, DEFAULT_TIME_LIMIT_S),
        ({"seconds": 0, "nanos": 500_000_000}, 0.5),
        ({"seconds": 3, "nanos": 250_000_000}, 3.25),
    ],
)
def test_time_limit_seconds(time_limit, expected) -> None:
    assert Problem.model_validate(_record(time_limit=time_limit)).time_limit_s == expected


@pytest.mark.parametrize(
    ("memory_bytes", "expected_mb"),
    [(0, DEFAULT_MEMORY_LIMIT_MB), (268435456, 256), (256000000, 245), (64 * 2**20 + 1, 65)],
)
def test_memory_limit_rounds_up_to_whole_mib(memory_bytes, expected_mb) -> None:
    assert Problem.model_validate(_record(memory_limit_bytes=memory_bytes)).memory_limit_mb == expected_mb


def test_negative_memory_limit_is_rejected() -> None:
    with pytest.raises(ValidationError):
        Problem.model_validate(_record(memory_limit_bytes=-1))


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("See the picture: <image>", True),
        ("see [Image] below", True),
        ("<IMAGE>", True),
        ("[image]", True),
        ("an image of a tree (as text)", False),
        ("a[i] <img>", False),
    ],
)
def test_has_image(description, expected) -> None:
    assert Problem.model_validate(_record(description=description)).has_image is expected


def test_io_files_empty_means_standard_streams() -> None:
    assert Problem.model_validate(_record()).io_files == (None, None)
    p = Problem.model_validate(_record(input_file="input.txt", output_file="output.txt"))
    assert p.io_files == ("input.txt", "output.txt")


def test_public_and_hidden_tests_convert_to_sandbox_test_cases() -> None:
    p = Problem.model_validate(_record())
    assert p.public() == [Test("6 6 4\n", "4\n")]
    assert p.hidden() == [Test("1 1 1\n", "1\n"), Test("2 1 1\n", "2\n")]
    assert p.hidden(include_generated=True)[-1] == Test("3 1 1\n", "3\n")
    cases = [TestCase(**dataclasses.asdict(t)) for t in p.hidden()]
    assert cases[1] == TestCase(input="2 1 1\n", output="2\n")


def test_solution_languages_have_the_dataset_labels() -> None:
    p = Problem.model_validate(_record())
    assert [lang.label for lang in p.solutions.language] == ["python3", "cpp", "python2", "java"]


def test_problem_is_frozen_and_round_trips_through_json() -> None:
    p = Problem.model_validate(_record())
    assert p.id == p.name
    with pytest.raises(ValidationError):
        p.name = "other"  # type: ignore[misc]
    dumped = json.loads(p.model_dump_json())
    assert dumped["source"] == 2 and dumped["difficulty"] == 7
    assert dumped["solutions"]["language"] == [3, 2, 1, 4]
    assert Problem.model_validate(dumped) == p
