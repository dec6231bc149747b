"""Inferring an input's layout from public inputs: counts and what they count, test cases,
strings and grids; and parsing inputs back with a layout."""

from __future__ import annotations

import time

import pytest

from archon_code.inputs.layout import infer_layout, match, tokenise


def shape(*inputs: str) -> str:
    layout = infer_layout(list(inputs))
    assert layout is not None
    assert layout.examples == len(inputs)
    return layout.describe()


@pytest.mark.parametrize(("inputs", "expected"), [
    pytest.param(["5 7\n"], "(#1:int #2:int)", id="scalars"),
    pytest.param(["3\n1 2 3\n", "5\n5 4 3 2 1\n"], "(#1:int); (#2[#1]:int)", id="n-then-n-values"),
    pytest.param(["4\n1 1 2\n", "2\n1\n"], "(#1:int); (#2[#1-1]:int)", id="parents"),
    pytest.param(["5 3\n1 2\n2 3\n4 5\n", "3 1\n1 3\n"], "(#1:int #2:int); #2 x [(#3:int #4:int)]",
                 id="m-edges"),
    pytest.param(["4\n1 2\n1 3\n3 4\n", "2\n1 2\n"], "(#1:int); #1-1 x [(#2:int #3:int)]", id="tree"),
    pytest.param(["2 3\n#.#\n..#\n", "1 4\n#..#\n"], "(#1:int #2:int); #1 x [(#3:word[#2])]", id="grid"),
    pytest.param(["4\nabca\n", "2\nzz\n"], "(#1:int); (#2:word[#1])", id="string-of-length-n"),
    pytest.param(["abc\nde\n"], "(#1:word[*]); (#2:word[*])", id="two-strings"),
    pytest.param(["3\n2 1 5\n0\n1 7\n", "1\n3 1 2 3\n"], "(#1:int); #1 x [(#2:int #3[#2]:int)]",
                 id="count-then-values-per-line"),
    pytest.param(["2\n1.5 2\n0.25 3\n", "1\n1 1\n"], "(#1:int); #1 x [(#2:float #3:int)]", id="floats"),
])
def test_simple_layouts(inputs, expected):
    assert shape(*inputs) == expected


def test_test_cases_with_a_body_of_several_lines():
    layout = shape("2\n3\n1 2 3\n2\n5 5\n", "1\n4\n1 1 1 1\n")
    assert layout.startswith("(#1:int); #1 x [") and "[#" in layout
    # t, then per case: n m, an array of m values, m edges.
    many = shape("2\n4 3 2 3 4\n1 2 3\n1 2\n1 3\n1 4\n7 9 1 5 7\n2 10 4 8 5 6 7 3 3\n1 2\n1 3\n1 4\n3 2\n"
                 "3 5\n4 2\n5 6\n1 7\n6 7\n")
    body = many.split(" x [", 1)[1]
    assert body.count(";") == 2 and " x [(" in body  # header, array, block of edges


def test_blank_lines_between_test_cases_and_empty_blocks():
    layout = shape("2\n\n3 2\n1 2\n2 3\n\n2 1\n1 2\n", "1\n\n2 0\n")
    assert layout.startswith("(#1:int); #1 x [blank; (") and "x [(" in layout
    # a count of zero: the block is there, empty, in one of the inputs
    assert shape("3 0\n", "3 2\n1 2\n2 3\n") == "(#1:int #2:int); #2 x [(#3:int #4:int)]"


def test_inputs_that_disagree_fall_back_to_the_largest():
    layout = infer_layout(["3\n1 2 3\n", "hello world\nfoo\n"])
    assert layout is not None and layout.examples == 1


def test_match_parses_with_a_layout_and_rejects_what_does_not_fit():
    layout = infer_layout(["3\n1 2 3\n", "2\n7 8\n"])
    assert layout is not None
    assert match(layout, tokenise("4\n1 1 1 1\n")) is not None
    assert match(layout, tokenise("4\n1 1 1\n")) is None
    assert match(layout, tokenise("4\n1 1 1 1\n9\n")) is None
    record: dict = {}
    match(layout, tokenise("2\n5 6\n"), record=record)
    assert record == {1: [(0, "2")], 2: [(0, ("5", "6"))]}


def test_slots_remember_what_the_inputs_held():
    layout = infer_layout(["3\n1 2 3\n", "2\n7 8\n"])
    assert layout is not None
    (n, a) = sorted(layout.slots.values(), key=lambda s: s.id)
    assert n.values() == ["3", "2"] and n.scalar and not a.scalar
    assert [v for v in a.values() if v != "\0"] == ["1", "2", "3", "7", "8"]


def test_hostile_inputs_are_bounded():
    t0 = time.perf_counter()
    assert infer_layout([("1 " * 50_000) + "\n"] * 3) is not None
    many_lines = "".join(f"{k % 3} {k % 5}\n" for k in range(4000))
    infer_layout([many_lines, "1\n" * 3000])
    infer_layout(["x" * 10_000_000])  # too large: not parsed at all
    assert infer_layout([]) is None and infer_layout(["\n\n"]) is None
    assert time.perf_counter() - t0 >= 0  # finished: the search has a step and time budget
