"""Generating inputs that follow a problem's rules: every input fits the inferred layout and the
statement's bounds, structures (trees, graphs, permutations, sums over test cases) hold, sizes
are as asked and bounded, and the same seed gives the same inputs."""

from __future__ import annotations

import re
import time

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from archon_code.inputs import synthesize
from archon_code.inputs.layout import match, tokenise

ALL = {"tiny": 30, "small": 10, "medium": 4, "max": 2}


def statement(body: str) -> str:
    return f"Some story.\n\nInput\n\n{body}\n\nOutput\n\nPrint the answer.\n"


def made(body: str, public: list[str], counts=None, seed: int = 1, **kw):
    s = synthesize(statement(body), public, counts or ALL, seed, **kw)
    assert s.layout is not None
    return s


def lines(text: str) -> list[list[int]]:
    return [[int(x) for x in line.split()] for line in text.strip("\n").split("\n")]


def connected(n: int, edges: list[list[int]], base: int = 1) -> bool:
    parent = list(range(n + base))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in edges:
        parent[find(u)] = find(v)
    return len({find(v) for v in range(base, n + base)}) == 1


def test_arrays_respect_bounds_and_sizes():
    s = made("The first line contains n (1 ≤ n ≤ 2·10^5). The second line contains n integers "
             "a_1, …, a_n (-10^9 ≤ a_i ≤ 10^9).", ["3\n1 -2 3\n", "1\n5\n"], max_bytes=200_000)
    sizes = {g.profile.size for g in s.inputs}
    assert sizes == {"tiny", "small", "medium", "max"}
    for g in s.inputs:
        (n,), a = lines(g.text)
        assert 1 <= n <= 200_000 and len(a) == n and all(-10**9 <= x <= 10**9 for x in a)
        assert len(g.text) <= 200_000
    big = max(len(g.text) for g in s.inputs if g.profile.size == "max")
    tiny = max(len(g.text) for g in s.inputs if g.profile.size == "tiny")
    assert big > 50_000 > tiny  # the largest sizes, scaled to fit the byte limit


def test_trees_are_trees_and_edges_stay_in_range():
    s = made("The first line contains n (2 ≤ n ≤ 10^5). Each of the next n - 1 lines contains u and v "
             "(1 ≤ u, v ≤ n, u ≠ v). It is guaranteed that the edges form a tree.",
             ["4\n1 2\n4 2\n3 2\n", "2\n2 1\n"], max_bytes=100_000)
    assert s.inputs
    for g in s.inputs:
        rows = lines(g.text)
        n, edges = rows[0][0], rows[1:]
        assert len(edges) == n - 1 and all(1 <= u <= n and 1 <= v <= n and u != v for u, v in edges)
        assert connected(n, edges)


def test_connected_graphs_have_no_loops_or_repeated_edges():
    s = made("The first line contains n and m (2 ≤ n ≤ 1000, n - 1 ≤ m ≤ min(n(n-1)/2, 2000)). Each of "
             "the next m lines contains x and y (1 ≤ x, y ≤ n, x ≠ y). The graph is connected.",
             ["3 3\n1 2\n2 3\n3 1\n", "2 1\n2 1\n"])
    for g in s.inputs:
        rows = lines(g.text)
        (n, m), edges = rows[0], rows[1:]
        assert len(edges) == m and n - 1 <= m <= min(n * (n - 1) // 2, 2000)
        assert all(u != v for u, v in edges) and len({frozenset(e) for e in edges}) == m
        assert connected(n, edges)


def test_permutations_and_sums_over_test_cases():
    s = made("The first line contains t (1 ≤ t ≤ 1000). Each test case: a line with n (1 ≤ n ≤ 10^4), "
             "then a permutation p_1, …, p_n. The sum of n over all test cases does not exceed 3000.",
             ["2\n3\n2 3 1\n1\n1\n", "1\n4\n4 1 2 3\n"])
    assert any(g.profile.size == "max" and g.profile.cases == "many" for g in s.inputs)
    for g in s.inputs:
        rows = lines(g.text)
        t, k, total = rows[0][0], 1, 0
        for _ in range(t):
            (n,), p = rows[k], rows[k + 1]
            assert sorted(p) == list(range(1, n + 1))
            total += n
            k += 2
        assert k == len(rows) and total <= 3000


def test_strings_keep_their_alphabet_and_length():
    s = made("The first line contains n (1 ≤ n ≤ 50). The second line contains a string s of length n "
             "consisting of lowercase Latin letters.", ["3\nabc\n", "5\nzzzaz\n"])
    for g in s.inputs:
        n, word = g.text.split()
        assert len(word) == int(n) <= 50 and word.isalpha() and word.islower()


def test_few_numbers_are_enumerated_exhaustively():
    s = made("The only line contains n (1 ≤ n ≤ 10^9).", ["7\n", "12\n"], {"tiny": 20})
    values = [int(g.text) for g in s.inputs]
    assert values[:18] == list(range(1, 19)) and 10**9 in values


def test_every_input_parses_with_the_layout_and_the_seed_decides():
    body = "n and k (1 ≤ k ≤ n ≤ 100), then n values (0 ≤ a_i ≤ 5)."
    public = ["3 2\n0 5 1\n", "1 1\n4\n"]
    a, b, c = made(body, public, seed=3), made(body, public, seed=3), made(body, public, seed=4)
    assert [g.text for g in a.inputs] == [g.text for g in b.inputs] != [g.text for g in c.inputs]
    from archon_code.inputs.layout import infer_layout
    layout = infer_layout(public)
    for g in a.inputs:
        assert match(layout, tokenise(g.text)) is not None
        (n, k), values = lines(g.text)
        assert 1 <= k <= n <= 100 and all(0 <= x <= 5 for x in values)
    assert len({g.text for g in a.inputs}) == len(a.inputs)


def test_a_vertex_count_that_is_no_count_is_still_a_size():
    # n bounds the edges' endpoints but no count in the layout reads it: at the maximum size
    # it is near its top (not a one-digit value), and tiny inputs keep it small.
    s = made("The first line contains n and m (1 ≤ n ≤ 5·10^4, 0 ≤ m ≤ 5·10^4). Each of the next m "
             "lines contains u_i, v_i, c_i (1 ≤ u_i, v_i ≤ n, u_i ≠ v_i, 1 ≤ c_i ≤ 10^9) — the cities "
             "connected by the i-th road and its toll.",
             ["4 4\n1 2 10\n2 4 10\n1 3 1\n3 4 21\n", "3 1\n1 2 5\n", "2 2\n1 2 7\n2 1 4\n"],
             {"tiny": 10, "small": 4, "max": 1}, max_bytes=1_000_000)
    graphs = []
    for g in s.inputs:
        rows = lines(g.text)
        (n, m), edges = rows[0], [e[:2] for e in rows[1:]]
        assert len(edges) == m
        graphs.append((g.profile.size, n, m, edges))
    big = [(n, m) for size, n, m, _ in graphs if size == "max"]
    assert len(big) == 1 and min(big[0]) >= 10_000
    assert all(n <= 10 for size, n, _, _ in graphs if size == "tiny")
    # the statement guarantees no connectivity: some smaller graph leaves a city out
    assert any(not connected(n, edges) for size, n, _, edges in graphs if size != "max")


def test_the_same_seed_gives_the_same_inputs_on_a_slower_machine(monkeypatch):
    # The work is bounded by counts, not by a clock: with a clock that moves 0.1 s more at
    # every reading (a machine far slower, or far busier) the inputs are the same, to the byte.
    body = ("The first line contains n and m (2 ≤ n ≤ 10^5, n - 1 ≤ m ≤ 2·10^5). Each of the next m lines "
            "contains x, y, w (1 ≤ x, y ≤ n, x ≠ y, 1 ≤ w ≤ 10^9). The graph is connected.")
    public = ["3 3\n1 2 4\n2 3 1\n3 1 7\n", "2 1\n2 1 5\n"]
    counts = {"tiny": 20, "small": 8, "medium": 4, "max": 2}
    before = made(body, public, counts, seed=5)
    real, readings = time.thread_time, []

    def slow() -> float:
        readings.append(1)
        return real() + 0.1 * len(readings)

    monkeypatch.setattr(time, "thread_time", slow)
    after = made(body, public, counts, seed=5)
    assert not before.cut and not after.cut
    assert [(g.profile, g.text) for g in before.inputs] == [(g.profile, g.text) for g in after.inputs]
    assert {g.profile.size for g in before.inputs} == set(counts)


def test_generation_is_bounded_in_time():
    t0 = time.perf_counter()
    s = synthesize(statement("n (1 ≤ n ≤ 10^18), then n values."), ["2\n1 2\n"], {"max": 3, "tiny": 5}, 0,
                   max_bytes=2_000_000, budget_s=3.0)
    assert time.perf_counter() - t0 < 60  # the budget is per call; a busy machine is slower
    assert all(len(g.text) <= 2_000_000 for g in s.inputs)


@settings(max_examples=25, deadline=None)
@given(lo=st.integers(-10**9, 10**9), span=st.integers(0, 10**9), n_max=st.integers(2, 300),
       seed=st.integers(0, 1000), data=st.data())
def test_generated_values_stay_within_any_stated_bounds(lo, span, n_max, seed, data):
    hi = lo + span
    # A statement without "^" that says 105 or 1018 reads as one whose superscripts were lost
    # (10^5, 10^18), as CodeContests' statements often are: such bounds are another case.
    assume(not any(re.fullmatch(r"-?10(?:[3-9]|1[0-8])", str(v)) for v in (lo, hi, n_max)))
    # (an example with n = 1 cannot show that the second line holds n values)
    n = data.draw(st.integers(2, min(n_max, 6)))
    values = data.draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))
    public = f"{n}\n{' '.join(map(str, values))}\n"
    body = f"The first line contains n (1 ≤ n ≤ {n_max}). The second line contains n integers a_i ({lo} ≤ a_i ≤ {hi})."
    s = synthesize(statement(body), [public], {"tiny": 6, "small": 2, "max": 1}, seed, max_bytes=50_000)
    assert s.layout == "(#1:int); (#2[#1]:int)"
    for g in s.inputs:
        (k,), a = lines(g.text)
        assert 1 <= k <= n_max and len(a) == k and all(lo <= x <= hi for x in a)


@settings(max_examples=60, deadline=None)
@given(statement_text=st.text(max_size=300), inputs=st.lists(
    st.text(alphabet=st.sampled_from("0123456789 -\n.abc#?()"), max_size=60), min_size=1, max_size=3),
    seed=st.integers(0, 100))
def test_synthesis_never_fails_on_arbitrary_text(statement_text, inputs, seed):
    s = synthesize(statement("1 ≤ n ≤ 10^5 " + statement_text), inputs, {"tiny": 3, "small": 1, "max": 1}, seed,
                   max_bytes=20_000, budget_s=2.0)
    from archon_code.inputs.layout import infer_layout
    layout = infer_layout(inputs)
    assert (s.layout is None) == (layout is None)
    for g in s.inputs:
        assert len(g.text) <= 20_000 and match(layout, tokenise(g.text)) is not None


def test_high_value_inputs_hold_only_large_values_within_the_bounds():
    """Some small and medium inputs draw every value from the top of its range (sums of large
    values overflow a 32-bit int there), the counts staying what the size asks for."""
    statement = ("The first line contains n and C (1 ≤ n ≤ 2·10^5, 1 ≤ C ≤ 2·10^9). The second "
                 "line contains n integers w_1, ..., w_n (1 ≤ w_i ≤ C).")
    s = synthesize(statement, ["4 10\n3 5 3 4\n", "5 6\n6 1 5 2 3\n"],
                   {"small": 3, "medium": 3, "max": 2}, seed=3)
    high = [g for g in s.inputs if g.profile.values == "high"]
    assert {g.profile.size for g in high} == {"small", "medium"}
    for g in high:
        (n, c), ws = [list(map(int, line.split())) for line in g.text.splitlines()]
        assert len(ws) == n and all(1 <= w <= c for w in ws)
        assert c >= 1_800_000_000 and min(ws) >= c - c // 20 - 10
    mixed = [g for g in s.inputs if g.profile.values == "mixed" and g.profile.size != "tiny"]
    assert mixed


def test_maximum_size_keeps_the_counts_and_shortens_the_values():
    # 2·10^5 values of up to 11 characters do not fit in 600 KB; 2·10^5 shorter ones do, and
    # a counter that overflows only past ~65,000 equal parities needs that many values.
    s = made("The first line contains n (1 ≤ n ≤ 2·10^5). The second line contains n integers "
             "a_1, …, a_n (-10^9 ≤ a_i ≤ 10^9).", ["3\n1 -2 3\n", "1\n5\n"], max_bytes=600_000)
    biggest = [g for g in s.inputs if g.profile.size == "max"]
    assert biggest
    for g in biggest:
        (n,), a = lines(g.text)
        assert n >= 190_000 and len(a) == n and len(g.text) <= 600_000
        assert all(-10**9 <= x <= 10**9 for x in a) and len(set(a)) > 5


def squeeze(word: str) -> str:
    return "".join(ch for k, ch in enumerate(word) if k == 0 or word[k - 1] != ch)


def test_tiny_inputs_draw_related_words_from_one_small_alphabet():
    # s and t of one test case must be able to match or stretch one another: random words
    # almost never do, and every program then answers alike
    s = made("The first line contains T (1 ≤ T ≤ 10). Each test case is two lines: a string s and "
             "a string t (1 ≤ |s|, |t| ≤ 10) of lowercase English letters.",
             ["2\nhello\nhhelllo\nbook\nboook\n"], counts={"tiny": 40})
    shared = pairs = related = 0
    for g in s.inputs:
        words = g.text.split()[1:]
        letters = set("".join(words))
        assert letters <= set("abcdefghijklmnopqrstuvwxyz")
        assert all(1 <= len(w) <= 10 for w in words)
        shared += len(letters) <= 3
        for a, b in zip(words[::2], words[1::2]):
            pairs += 1
            related += a != b and squeeze(a) == squeeze(b)  # b stretches (or shrinks) a
    assert shared >= len(s.inputs) // 2
    assert related >= pairs // 20


def test_letter_frequencies_vary_from_input_to_input():
    # At even odds a large grid of '.' and '#' almost never joins its two markers; skewed
    # frequencies give open grids and rocky ones too.
    shares = []
    for g in (g for seed in (1, 2, 3) for g in made(
            "The first line contains n and m (1 ≤ n, m ≤ 500). Each of the next n lines contains a "
            "string of exactly m characters, each '.', '#', 'S' or 'E'. There is exactly one 'S' and "
            "exactly one 'E'.", ["3 4\nS.#E\n.##.\n....\n", "3 3\nS#.\n##.\n..E\n"],
            {"small": 12, "medium": 8}, seed=seed).inputs):
        grid = "".join(g.text.split("\n")[1:])
        assert grid.count("S") == 1 and grid.count("E") == 1
        if len(grid) >= 100:
            shares.append(grid.count("#") / len(grid))
    assert len(shares) >= 20
    assert sum(x < 0.3 for x in shares) >= 3 and sum(x > 0.7 for x in shares) >= 3
    assert sum(0.4 < x < 0.6 for x in shares) >= 3
