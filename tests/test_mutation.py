"""Pure mutation rules: input tokenising and guarded input mutation (archon_code.inputs.mutation),
program mutants and the mutation score (archon_code.mutants)."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archon_code.inputs.mutation import count_tokens, mutate_inputs, positions, profile_inputs, render, tokenise
from archon_code.mutants import mutation_score, program_mutants

# -- tokenising ------------------------------------------------------------------------------


def test_tokenise_keeps_lines_and_drops_trailing_blank_lines():
    assert tokenise("3\n1  2 3\r\n\nabc\n\n\n") == [["3"], ["1", "2", "3"], [], ["abc"]]
    assert render([["3"], ["1", "2", "3"], [], ["abc"]]) == "3\n1 2 3\n\nabc\n"
    assert tokenise("") == []


# -- count detection -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        pytest.param("3\n1 2 3\n", {(0, 0)}, id="n-then-n-values"),
        pytest.param("4\n1 1 2\n", {(0, 0)}, id="n-then-parents"),
        pytest.param("5 3\n1 2\n2 3\n4 5\n", {(0, 1)}, id="m-then-m-edges"),
        pytest.param("2 3\n#.#\n..#\n", {(0, 0), (0, 1)}, id="grid-rows-and-width"),
        pytest.param("2\n3\nabc\n2\nxy\n", {(0, 0), (1, 0), (3, 0)}, id="test-count-and-string-lengths"),
        pytest.param("3\n2 5 6\n1 7\n3 1 1 1\n", {(0, 0), (1, 0), (2, 0), (3, 0)}, id="k-prefixed-lines"),
        pytest.param("7\n", set(), id="a-lone-value-is-not-a-count"),
        pytest.param("10 20\n", set(), id="two-values"),
    ],
)
def test_counts_are_detected(text, counts):
    assert count_tokens(tokenise(text)) == counts


def test_lines_inside_a_block_are_not_headers_of_it():
    # "2 3" sits among edges shaped like it: it is an edge, not a count.
    counts = count_tokens(tokenise("6 3\n1 2\n2 3\n3 4\n"))
    assert counts == {(0, 1)}
    # n = m + 1 (a tree: n vertices, n - 1 edges) is protected too.
    assert count_tokens(tokenise("4 3\n1 2\n2 3\n3 4\n")) == {(0, 0), (0, 1)}


# -- mutation guards -------------------------------------------------------------------------------


def single_token_diff(a: str, b: str) -> list[tuple[int, int, str, str]]:
    la, lb = tokenise(a), tokenise(b)
    assert [len(x) for x in la] == [len(x) for x in lb], "the token structure changed"
    return [(i, j, x, y) for i, (ra, rb) in enumerate(zip(la, lb)) for j, (x, y) in enumerate(zip(ra, rb)) if x != y]


def test_each_new_input_is_one_edit_away_from_a_public_input():
    public = ["5\n3 1 4 1 5\n", "3\n2 7 1\n"]
    out = mutate_inputs(public, count=50, seed=1)
    assert out
    for m in out:
        diffs = single_token_diff(public[m.parent], m.text)
        assert len(diffs) == 1 and len(m.edits) == 1


def test_counts_are_never_mutated_and_minimums_hold():
    public = ["4 3\n1 2 5\n2 3 1\n3 4 7\n"]  # n m, then m weighted edges
    out = mutate_inputs(public, count=200, seed=3)
    assert len(out) > 5
    for m in out:
        lines = tokenise(m.text)
        assert lines[0] == ["4", "3"]
        for u, v, w in lines[1:]:
            assert int(u) >= 1 and int(v) >= 2 and int(w) >= 1  # the smallest seen per column
            assert int(u) < int(v)  # every public edge had u < v: the order is kept


def test_bits_stay_bits_and_strings_keep_their_alphabet_and_markers():
    out = mutate_inputs(["6\n0 1 1 0 1 0\n"], count=50, seed=0)
    assert out and all(set(tokenise(m.text)[1]) <= {"0", "1"} for m in out)

    grid = "3 4\nS.#E\n.##.\n....\n"
    out = mutate_inputs([grid], count=100, seed=0)
    assert out
    for m in out:
        body = "".join(tokenise(m.text)[1][0] + tokenise(m.text)[2][0] + tokenise(m.text)[3][0])
        assert set(body) <= set("S.#E")
        assert body.count("S") == 1 and body.count("E") == 1  # markers move, never multiply


def test_binary_strings_flip_and_floats_are_left_alone():
    out = mutate_inputs(["2\n4\n0110\n3\n101\n"], count=30, seed=2)
    assert out and all(set(tokenise(m.text)[2][0] + tokenise(m.text)[4][0]) <= {"0", "1"} for m in out)
    assert mutate_inputs(["0.5 2.25\n"], count=10, seed=0) == []


def test_dedup_cap_and_no_public_input_returned():
    public = ["3\n10 20 30\n", "3\n10 20 31\n"]  # one edit of each gives the other
    out = mutate_inputs(public, count=1000, seed=0)
    texts = [m.text for m in out]
    assert len(texts) == len(set(texts))
    assert not set(texts) & {render(tokenise(p)) for p in public}
    assert len(mutate_inputs(["5\n100 200 300 400 500\n"], count=3, seed=0)) == 3


def test_too_large_inputs_are_not_mutated():
    assert mutate_inputs(["1 2\n"], count=5, seed=0, max_input_chars=3) == []
    out = mutate_inputs(["10 20 30\n", "1 2\n"], count=5, seed=0, max_input_chars=5)
    assert out and all(m.parent == 1 for m in out)


def test_same_seed_same_inputs_other_seed_other_order():
    public = ["6\n5 3 8 1 9 2\n", "2 3\nabc\n"]
    a = mutate_inputs(public, count=20, seed=7)
    assert a == mutate_inputs(public, count=20, seed=7)
    assert [m.text for m in a] != [m.text for m in mutate_inputs(public, count=20, seed=8)]


# -- properties over structured inputs -------------------------------------------------------------


# A value like 101010 reads as a binary string (and is flipped as one), so the arrays of
# numbers below avoid long 0/1-digit values.
NUMBERS = st.integers(1, 10**6).filter(lambda v: len(str(v)) < 3 or bool(set(str(v)) - {"0", "1"}))


@st.composite
def array_inputs(draw):
    values = draw(st.lists(NUMBERS, min_size=2, max_size=12))
    return f"{len(values)}\n{' '.join(map(str, values))}\n"


@st.composite
def edge_inputs(draw):
    n = draw(st.integers(3, 30))
    m = draw(st.integers(2, 12))
    edges = [(draw(st.integers(1, n)), draw(st.integers(1, n))) for _ in range(m)]
    return f"{n} {m}\n" + "".join(f"{u} {v}\n" for u, v in edges)


@settings(max_examples=60, deadline=None)
@given(public=st.lists(st.one_of(array_inputs(), edge_inputs()), min_size=1, max_size=3),
       seed=st.integers(0, 2**32), edits=st.integers(1, 3))
def test_mutation_properties(public, seed, edits):
    out = mutate_inputs(public, count=40, seed=seed, max_edits=edits)
    profile = profile_inputs([tokenise(p) for p in public])
    assert len(out) <= 40
    assert len({m.text for m in out}) == len(out)
    assert out == mutate_inputs(public, count=40, seed=seed, max_edits=edits)
    for m in out:
        parent = tokenise(public[m.parent])
        lines = tokenise(m.text)
        assert [len(x) for x in lines] == [len(x) for x in parent]
        for i, j in count_tokens(parent):
            assert lines[i][j] == parent[i][j]
        for line, where in zip(lines, positions(parent)):
            for tok, pos in zip(line, where):
                low = profile.minimum.get(pos)
                assert low is None or int(tok) >= low
        assert 1 <= len(m.edits) <= edits


# -- program mutants --------------------------------------------------------------------------------

REFERENCE = """\
import sys

def main():
    n = int(input())
    a = list(map(int, input().split()))
    best = 0
    for i in range(n):
        if a[i] > best and not a[i] % 2 == 1:
            best = a[i]
    total = 0
    i = 0
    while i < n:
        total += a[i] * 2
        i += 1
    print(best, total)

main()
"""


def test_mutants_compile_differ_and_are_single_edits():
    mutants = program_mutants(REFERENCE, count=25, seed=0)
    assert len(mutants) == 25
    original = ast.dump(ast.parse(REFERENCE))
    texts = set()
    for m in mutants:
        compile(m.source, "<m>", "exec")
        assert ast.dump(ast.parse(m.source)) != original
        assert m.mutation.startswith("line ")
        texts.add(m.source)
    assert len(texts) == 25
    kinds = " ".join(m.mutation for m in program_mutants(REFERENCE, count=200, seed=0))
    for shown in ("<", "->", "range", "and", "drop `not`", "+"):
        assert shown in kinds


def test_mutants_are_seeded():
    a = program_mutants(REFERENCE, count=8, seed=1)
    assert a == program_mutants(REFERENCE, count=8, seed=1)
    assert a != program_mutants(REFERENCE, count=8, seed=2)


def test_mutants_of_hostile_sources_are_bounded():
    assert program_mutants("def f(:\n", count=5) == []
    assert program_mutants("x = 1\n" * 10, count=5, max_source_chars=20) == []
    assert program_mutants("x = (" * 5000 + "1" + ")" * 5000 + "\n", count=5) == []
    many = "".join(f"x{i} = {i} + {i}\n" for i in range(3000))
    assert program_mutants(many, count=5, max_nodes=1000) == []
    assert len(program_mutants(many, count=5)) == 5


def test_mutants_from_many_threads_at_once():
    """Mutation runs in worker threads. Without the shared parse lock, CPython's AST converter
    fails there now and then with "SystemError: AST constructor recursion depth mismatch".
    A garbage-collector callback that yields the GIL makes thread switches inside a parse
    frequent, and threads at different stack depths make a switch visible."""
    import gc
    import time
    from concurrent.futures import ThreadPoolExecutor

    def at_depth(depth: int, seed: int):
        if depth:
            return at_depth(depth - 1, seed)
        return program_mutants(REFERENCE, count=10, seed=seed)

    def yield_gil(phase, info):
        time.sleep(0)

    threshold = gc.get_threshold()
    gc.callbacks.append(yield_gil)
    gc.set_threshold(50)
    try:
        with ThreadPoolExecutor(4) as ex:
            results = list(ex.map(lambda k: at_depth(k % 20, k), range(200)))
    finally:
        gc.callbacks.remove(yield_gil)
        gc.set_threshold(*threshold)
    assert all(len(r) == 10 for r in results)
    assert results[7] == program_mutants(REFERENCE, count=10, seed=7)


# -- mutation score ------------------------------------------------------------------------------------


def test_mutation_score():
    assert mutation_score({"a", "b", "c", "d"}, {"a", "b", "x"}) == 0.5
    assert mutation_score({"a"}, set()) == 0.0
    assert mutation_score(set(), {"a"}) is None
