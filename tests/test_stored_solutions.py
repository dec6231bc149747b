"""Stored solutions meet the language table in one place: dataset ids to runnable names."""

from __future__ import annotations

import pytest

from archon_code.stored_solutions import reference_solutions, runnable_language, runnable_solutions
from problems import Language, Problem
from problems.bundled import SOLUTION_SUFFIXES
from sandbox import languages


def _problem() -> Problem:
    return Problem.model_validate({
        "name": "x", "description": "d",
        "solutions": {"language": [3, 2, 1, 4, 0], "solution": ["py3", "cpp", "py2", "java", "?"]},
    })


def test_dataset_ids_map_through_the_table() -> None:
    assert [runnable_language(i) for i in range(5)] == [None, None, "cpp", "python", "java"]
    for lang in languages.LANGUAGES.values():
        for code in lang.codecontests:
            assert runnable_language(Language(code)) == lang.name


def test_runnable_solutions_keep_their_stored_index_and_skip_what_cannot_run() -> None:
    stored = runnable_solutions(_problem().solutions)
    assert [(s.index, s.program.language, s.program.source) for s in stored] == [
        (0, "python", "py3"), (1, "cpp", "cpp"), (3, "java", "java")]


def test_reference_solutions_by_table_name() -> None:
    p = _problem()
    assert reference_solutions(p, "python") == ["py3"]
    assert reference_solutions(p, "cpp") == ["cpp"]
    assert reference_solutions(p, "java") == ["java"]
    with pytest.raises(ValueError, match="python, cpp, java"):
        reference_solutions(p, "rust")


def test_the_table_names_each_dataset_id_once_and_only_ids_the_dataset_has() -> None:
    codes = [code for lang in languages.LANGUAGES.values() for code in lang.codecontests]
    assert len(codes) == len(set(codes))
    assert set(codes) <= {int(member) for member in Language}


def test_bundled_solution_suffixes_agree_with_the_table() -> None:
    for suffix, code in SOLUTION_SUFFIXES.items():
        lang = languages.by_suffix("main" + suffix)
        assert lang is not None and lang.suffix == suffix and int(code) in lang.codecontests, suffix


def test_other_suffixes_name_their_language() -> None:
    assert languages.by_suffix("sol.cc").name == "cpp"
    assert languages.by_suffix("sol.c").name == "cpp"
    assert languages.by_suffix("sol.rs") is None
