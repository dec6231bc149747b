"""Reading a statement's input constraints: the spellings CodeContests uses for the same bound,
chains of comparisons, and the guarantees a generator must honour."""

from __future__ import annotations

import time

import pytest

from archon_code.inputs.expr import evaluate
from archon_code.inputs.statement import input_section, normalise, parse_statement


def section(body: str) -> str:
    return f"A story.\n\nInput\n\n{body}\n\nOutput\n\nPrint 1 ≤ k ≤ 5 answers.\n"


def bounds(body: str, name: str, env: dict | None = None) -> tuple:
    st = parse_statement(section(body))
    b = st.bounds[name]
    return b.low(env or {}), b.high(env or {})


@pytest.mark.parametrize("body", [
    "The first line contains n (1 ≤ n ≤ 2·10^5).",
    "The first line contains n (1 ≤ n ≤ 2 ⋅ 10^5).",
    r"The first line contains $n$ ($1 \le n \le 2 \cdot 10^5$).",
    r"The first line contains $n$ ($1 \leq n \leq 2 \times 10^{5}$).",
    "The first line contains n (1 <= n <= 200 000).",
    "The first line contains n (1 ≤ n ≤ 200000).",
    "The first line contains n (n ≥ 1, n ≤ 2·10^5).",
])
def test_one_bound_in_every_spelling(body):
    assert bounds(body, "n") == (1, 200_000)


def test_lost_superscripts_are_powers_of_ten():
    # Older Codeforces statements lost their superscripts: 105 is 10^5, 1018 is 10^18.
    assert bounds("The first line contains n (1 ≤ n ≤ 105).", "n") == (1, 10**5)
    assert bounds("It is guaranteed that 1 ≤ L_i ≤ 1018.", "L") == (1, 10**18)
    assert bounds("Numbers ai ( - 109 ≤ ai ≤ 109).", "a") == (-10**9, 10**9)
    # ... but not where the statement writes its powers with ^.
    assert bounds("n (1 ≤ n ≤ 105), m (1 ≤ m ≤ 10^5).", "n") == (1, 105)


def test_chains_lists_expressions_and_strictness():
    st = parse_statement(section(
        "The first line contains n and m (2 ≤ n ≤ 3·10^5, n - 1 ≤ m ≤ min(n(n-1)/2, 3·10^5)).\n"
        "Each of the next m lines contains x and y (1 ≤ x, y ≤ n, x ≠ y).\n"
        "The last line contains k (0 ≤ k < 2^{30})."))
    assert st.order[:4] == ["n", "m", "x", "y"]
    m = st.bounds["m"]
    assert m.low({"n": 5}) == 4 and m.high({"n": 5}) == 10 and m.high({"n": 10**5}) == 300_000
    assert m.high({}) == 300_000  # n unknown: the bound that evaluates
    assert st.bounds["x"].high({"n": 7}) == 7 == st.bounds["y"].high({"n": 7})
    assert ("x", "!=", "y") in st.relations
    assert st.bounds["k"].high({}) == 2**30 - 1


def test_subscripts_absolute_values_and_lengths():
    st = parse_statement(section(
        "The second line contains n integers a_1, a_2, …, a_n (|a_i| ≤ 10^9).\n"
        "The third line contains a string s (1 ≤ |s| ≤ 10^5) of lowercase Latin letters.\n"
        "Then d_1 and d_2 (0 < d_1 < d_2 < 1000)."))
    assert st.lengths["a"].high({}) == 10**9
    assert (st.lengths["s"].low({}), st.lengths["s"].high({})) == (1, 10**5)
    assert st.bounds["d_1"].low({}) == 1 and st.bounds["d_2"].high({}) == 999
    assert st.bounds["d_2"].low({"d_1": 5}) == 6
    assert "abcdefghijklmnopqrstuvwxyz" in st.alphabets


def test_transitive_bounds_when_the_other_side_is_not_chosen_yet():
    st = parse_statement(section("Each line holds L and R (1 ≤ L ≤ R ≤ 10^18)."))
    assert st.bounds["L"].high({}) == 10**18  # R unknown yet: R's own bound
    assert st.bounds["L"].high({"R": 7}) == 7


def test_guarantees():
    st = parse_statement(section(
        "The first line contains t (1 ≤ t ≤ 10^4). Each test case has n (1 ≤ n ≤ 2·10^5) and a "
        "permutation p_1, …, p_n. It is guaranteed that the sum of n over all test cases does not "
        "exceed 2·10^5. Then n - 1 edges follow; they form a tree. All p_i are distinct."))
    assert st.tree and st.permutation and "p" in st.distinct
    assert evaluate(st.sum_bounds["n"], {}) == 200_000
    st = parse_statement(section("There is no pair of locations connected twice, and any location is "
                                 "reachable from any other location. ∑ m ≤ 10^5."))
    assert st.connected and not st.tree
    assert evaluate(st.sum_bounds["m"], {}) == 10**5
    st = parse_statement(section("Tasks depend on each other; there are no circular dependencies."))
    assert st.acyclic
    st = parse_statement(section("Then n lines follow: the i-th holds k_i (0 ≤ k_i ≤ 10^5), then k_i integers. "
                                 "It is guaranteed that the sum of all k_i does not exceed 10^5."))
    assert evaluate(st.sum_bounds["k"], {}) == 10**5
    # "connected" as a verb is no guarantee; a property of the graph is
    for text in ("Each of the next m lines holds u_i, v_i — the cities connected by the i-th road.",
                 "The vertices connected with an edge have different colours.",
                 "The graph is not necessarily connected.",
                 "The graph is connected, but some vertices may be unreachable after the removal."):
        assert not parse_statement(section(text)).connected, text
    for text in ("It is guaranteed that the given graph is connected.", "A connected graph of n vertices follows.",
                 "The cities are connected."):
        assert parse_statement(section(text)).connected, text


def test_string_lengths_and_alphabets_in_words():
    st = parse_statement(section("The only line contains a string of letters 'a' and 'b' only with "
                                 "length from 1 to 106."))
    (length,) = st.free_lengths
    assert (length.low({}), length.high({})) == (1, 10**6)
    assert "ab" in st.alphabets
    st = parse_statement(section("The string consists only of characters \"(\" and \")\"; its length "
                                 "doesn't exceed 200 000."))
    assert st.free_lengths[0].high({}) == 200_000 and "()" in st.alphabets


def test_input_section_and_normalisation():
    text = "Legend 1 ≤ q ≤ 3.\n\nInput\n\nn (1 ≤ n ≤ 9)\n\nOutput\n\nk (1 ≤ k ≤ 5)\n"
    assert input_section(text).strip() == "n (1 ≤ n ≤ 9)"
    st = parse_statement(text)
    assert set(st.bounds) == {"n"}
    assert input_section("no sections here") == "no sections here"
    assert normalise(r"$\frac{n}{2}$ \le m").split() == ["((n)/(2))", "<=", "m"]


def test_hostile_statements_are_bounded():
    # Very long text, deep parentheses and no structure: parsed quickly, nothing found.
    t0 = time.perf_counter()
    st = parse_statement("Input\n" + "(" * 50_000 + "1 ≤ n ≤ 5" + ")" * 50_000 + " ≤ ≤ ≤" * 20_000)
    assert time.perf_counter() - t0 >= 0  # ran to the end without recursion errors
    assert "n" not in st.bounds or st.bounds["n"].high({}) in (5, None)
    st = parse_statement("Input\n" + "x ≤ " * 100_000)
    assert isinstance(st.order, list)
