"""Metric functions against hand-computed values."""

from __future__ import annotations

import math
from itertools import combinations

import pytest
from hypothesis import given, strategies as st

from harness.metrics import (bootstrap_ci, bootstrap_diff_ci, ks_for, pass_at_k,
                             public_filter_random, summarize)


def brute_pass_at_k(n: int, c: int, k: int) -> float:
    """Share of k-subsets of the pool that hold at least one correct candidate."""
    pool = [True] * c + [False] * (n - c)
    subsets = list(combinations(range(n), k))
    return sum(any(pool[i] for i in s) for s in subsets) / len(subsets)


def test_pass_at_k_hand_values():
    assert pass_at_k(10, 0, 1) == 0.0
    assert pass_at_k(10, 10, 5) == 1.0
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    # 1 - C(7,2)/C(10,2) = 1 - 21/45
    assert pass_at_k(10, 3, 2) == pytest.approx(1 - 21 / 45)
    assert pass_at_k(5, 1, 5) == 1.0
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 4)


@given(st.integers(1, 9).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n))))
def test_pass_at_k_matches_enumeration(nck):
    n, c, k = nck
    assert pass_at_k(n, c, k) == pytest.approx(brute_pass_at_k(n, c, k))


def test_ks():
    assert ks_for(0) == []
    assert ks_for(7) == [1, 5]
    assert ks_for(200) == [1, 5, 10, 20, 50, 100, 200]


def rec(pid, status="ok", pe=0.0, n=4, c=1, npub=2, cpub=1, **kw):
    return {"problem": pid, "status": status, "pass_expected": pe, "n": n, "c": c,
            "n_public": npub, "c_public": cpub, "cost_usd": 0.5, "tokens": 10, **kw}


def test_summary_hand_computed():
    records = [
        rec("a", pe=1.0, n=4, c=2, npub=2, cpub=2, layers={"L1": [4, 2]}),
        rec("b", pe=0.5, n=4, c=1, npub=2, cpub=1, layers={"L1": [4, 1]}),
        rec("c", pe=0.0, n=4, c=0, npub=0, cpub=0, layers={"L1": [4, 0]}),
        rec("d", status="error", pe=1.0, n=0, c=0, npub=0, cpub=0, error="provider down"),
    ]
    s = summarize(records)
    assert s["problems"] == 4  # the error stays in the denominator
    assert s["pass_at_1"] == pytest.approx((1.0 + 0.5 + 0.0 + 0.0) / 4)
    assert s["oracle"] == pytest.approx(2 / 4)
    assert s["random_pick"] == pytest.approx((2 / 4 + 1 / 4 + 0 + 0) / 4)
    # c has no public-passing candidate: falls back to random over all (0/4)
    assert s["public_filter_random"] == pytest.approx((1.0 + 0.5 + 0.0 + 0.0) / 4)
    assert s["errors"] == [{"problem": "d", "error": "provider down"}]
    assert s["cost_usd"] == pytest.approx(2.0) and s["tokens"] == 40
    # pass@k up to the smallest pool (4 here: k = 1); the error counts as 0
    assert s["pass_at_k"] == {"pass@1": pytest.approx((0.5 + 0.25 + 0 + 0) / 4)}
    assert s["pass_at_k_by_layer"]["L1"] == {"pass@1": pytest.approx((0.5 + 0.25 + 0 + 0) / 4)}


def test_summary_pass_at_k_by_pool():
    records = [rec("a", pe=1, n=5, c=1), rec("b", pe=0, n=5, c=0)]
    s = summarize(records)
    assert s["pass_at_k"]["pass@1"] == pytest.approx((0.2 + 0) / 2)
    assert s["pass_at_k"]["pass@5"] == pytest.approx((1.0 + 0) / 2)


def test_public_filter_random():
    assert public_filter_random({"n": 4, "c": 1, "n_public": 2, "c_public": 1}) == 0.5
    assert public_filter_random({"n": 4, "c": 1, "n_public": 0, "c_public": 0}) == 0.25


def test_bootstrap_intervals():
    lo, hi = bootstrap_ci([1.0] * 10 + [0.0] * 10, seed=1)
    assert lo < 0.5 < hi and 0.2 < lo and hi < 0.8
    assert bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0)
    assert all(math.isnan(x) for x in bootstrap_ci([]))
    a = {str(i): 0.0 for i in range(30)}
    b = {str(i): 1.0 if i < 15 else 0.0 for i in range(30)}
    d, lo, hi = bootstrap_diff_ci(a, b, seed=2)
    assert d == pytest.approx(0.5) and lo > 0.2 and hi <= 0.8
