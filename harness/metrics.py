"""Metrics, computed honestly: pure functions over per-problem records.

Per problem a record carries, among others:
  pass_expected   share of the selector's tie set that passes every hidden test (the
                  expected value of the seeded pick; 1/0 when there is no tie)
  n, c            candidates generated, and how many of them pass every hidden test
  n_public, c_public   the same among candidates that pass the public tests
  layers          {layer: [n, c]} for the layers that generated candidates
  status          "ok" or "error" (an error counts as a failure, never leaves the denominator)
  sandbox_errors  candidates the sandbox could not judge (the problem is still scored when
                  the selected program was judged)
  component_errors, usage   what each component reported as failed, and its LLM answers
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k estimator (Chen et al., 2021): 1 - C(n-c, k) / C(n, k)."""
    if n <= 0 or k <= 0:
        return 0.0
    if k > n:
        raise ValueError(f"k={k} exceeds the pool size n={n}")
    if n - c < k:
        return 1.0
    # The product form avoids huge binomials.
    return 1.0 - float(np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def ks_for(max_n: int) -> list[int]:
    """1, 5, 10, 20, 50, 100, 200, 500, 1000, ... up to the pool size."""
    ks, mantissas, scale = [], (1, 5), 1
    while True:
        for m in mantissas:
            if m * scale > max_n:
                return ks
            ks.append(m * scale)
        mantissas, scale = (1, 2, 5), scale * 10


def random_pick(n: int, c: int) -> float:
    return c / n if n else 0.0


def public_filter_random(record: dict) -> float:
    """Random pick among candidates that pass the public tests; among all when none does."""
    if record.get("n_public"):
        return record["c_public"] / record["n_public"]
    return random_pick(record.get("n", 0), record.get("c", 0))


def bootstrap_ci(values: Sequence[float], *, iters: int = 2000, alpha: float = 0.05,
                 seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval for the mean."""
    if not values:
        return (math.nan, math.nan)
    arr = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = arr[rng.integers(0, len(arr), size=(iters, len(arr)))].mean(axis=1)
    return (float(np.quantile(means, alpha / 2)), float(np.quantile(means, 1 - alpha / 2)))


def bootstrap_diff_ci(a: dict[str, float], b: dict[str, float], *, iters: int = 2000,
                      alpha: float = 0.05, seed: int = 0) -> tuple[float, float, float]:
    """Paired difference of means (b - a) over the problems both runs have, with its
    bootstrap interval: (difference, low, high)."""
    common = sorted(set(a) & set(b))
    if not common:
        return (math.nan, math.nan, math.nan)
    d = np.array([b[k] - a[k] for k in common], dtype=float)
    lo, hi = bootstrap_ci(list(d), iters=iters, alpha=alpha, seed=seed)
    return (float(d.mean()), lo, hi)


def summarize(records: Sequence[dict], *, seed: int = 0) -> dict:
    """The run's headline numbers from its per-problem records (one per problem)."""
    m = len(records)
    if m == 0:
        return {"problems": 0, "pass_at_1": 0.0, "oracle": 0.0, "random_pick": 0.0,
                "public_filter_random": 0.0, "pass_at_k": {}, "cost_usd": 0.0, "tokens": 0,
                "errors": [], "sandbox_errors": 0, "component_errors": [], "llm": llm_totals([])}
    p1 = [r.get("pass_expected", 0.0) if r.get("status") == "ok" else 0.0 for r in records]
    oracle = [1.0 if r.get("status") == "ok" and r.get("c", 0) > 0 else 0.0 for r in records]
    rand = [random_pick(r.get("n", 0), r.get("c", 0)) for r in records]
    pub = [public_filter_random(r) for r in records]
    # pass@k over every problem (an error or a missing layer counts as 0), for k up to the
    # smallest pool among the problems that have one.
    pools = [(r.get("n", 0), r.get("c", 0)) if r.get("status") == "ok" else (0, 0)
             for r in records]
    pool_k = _pass_at_ks(pools)
    layer_names = sorted({name for r in records for name in r.get("layers") or {}})
    layers = {
        name: _pass_at_ks([tuple((r.get("layers") or {}).get(name, (0, 0)))
                           if r.get("status") == "ok" else (0, 0) for r in records])
        for name in layer_names
    }
    lo, hi = bootstrap_ci(p1, seed=seed)
    return {
        "problems": m,
        "pass_at_1": _mean(p1),
        "pass_at_1_ci95": [lo, hi],
        "oracle": _mean(oracle),
        "random_pick": _mean(rand),
        "public_filter_random": _mean(pub),
        "pass_at_k": pool_k,
        "pass_at_k_by_layer": layers,
        "cost_usd": round(sum(r.get("cost_usd", 0.0) for r in records), 6),
        "tokens": sum(r.get("tokens", 0) for r in records),
        "errors": [{"problem": r["problem"], "error": r.get("error", "")}
                   for r in records if r.get("status") != "ok"],
        "sandbox_errors": sum(_int(r.get("sandbox_errors")) for r in records),
        "component_errors": component_errors(records),
        "llm": llm_totals(records),
    }


# Answers a component got that are faults even when the call itself succeeded.
_USAGE_FAULTS = (
    ("empty", "empty answers from the provider (asked again)"),
    ("truncated", "answers cut at max_tokens (finish_reason length), not cached"),
)


def component_errors(records: Sequence[dict]) -> list[dict]:
    """Per component and kind of fault: how many, in how many problems, and an example.
    Kinds: "error" (the component's trace reports a failure: a provider that kept failing,
    no readable answer), and the answer faults of ``_USAGE_FAULTS``."""
    rows: dict[tuple[str, str], dict] = {}

    def add(component: str, kind: str, count: int, message: str) -> None:
        row = rows.setdefault((component, kind), {"component": component, "kind": kind, "count": 0,
                                                  "problems": 0, "example": message})
        row["count"] += count
        row["problems"] += 1

    for r in records:
        errs = r.get("component_errors")
        if not isinstance(errs, dict):
            errs = _trace_errors(r.get("trace"))
        for component, e in errs.items():
            if isinstance(e, dict) and _int(e.get("count")) > 0:
                add(str(component), "error", _int(e["count"]), str(e.get("message", "")))
        usage = r.get("usage")
        for component, u in (usage.items() if isinstance(usage, dict) else ()):
            if not isinstance(u, dict):
                continue
            for key, message in _USAGE_FAULTS:
                if _int(u.get(key)) > 0:
                    add(str(component), key, _int(u[key]), message)
    return [rows[k] for k in sorted(rows)]


def _trace_errors(trace) -> dict[str, dict]:
    """Component errors of a record written before records counted them."""
    out: dict[str, dict] = {}
    for ev in trace or ():
        if isinstance(ev, dict) and ev.get("kind") == "error":
            row = out.setdefault(str(ev.get("component")), {"count": 0, "message": ev.get("message", "")})
            row["count"] += 1
    return out


def llm_totals(records: Sequence[dict]) -> dict[str, int]:
    """LLM calls over the run, summed over every component's usage: samples, retries,
    failed calls, empty and truncated answers, and samples of models without a known price
    (while any is, the run's cost is unknown, not what ``cost_usd`` adds up)."""
    keys = ("calls", "samples", "cached", "retries", "failures", "empty", "truncated", "unpriced")
    out = dict.fromkeys(keys, 0)
    for r in records:
        usage = r.get("usage")
        for u in (usage.values() if isinstance(usage, dict) else ()):
            if isinstance(u, dict):
                for k in keys:
                    out[k] += _int(u.get(k))
    return out


def _int(x) -> int:
    return int(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else 0


def _pass_at_ks(pools: Sequence[tuple[int, int]]) -> dict[str, float]:
    sizes = [n for n, _ in pools if n > 0]
    if not sizes:
        return {}
    return {f"pass@{k}": _mean([pass_at_k(n, c, k) if n else 0.0 for n, c in pools])
            for k in ks_for(min(sizes))}


def _mean(xs: Sequence[float]) -> float:
    return float(sum(xs) / len(xs)) if xs else 0.0
