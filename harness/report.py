"""Reports over run directories: the data a report shows, and its numbers as text (shared by
the terminal table and the HTML page, harness/html_report.py).

Runs are read by harness/runread.py; every number here comes from their records and
summaries, so a report of a half-finished run says what it has.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.metrics import bootstrap_diff_ci, component_errors
from harness.runread import ReportError, Run, config_of, load_run, planned_ids, problem_order

__all__ = ["METRICS", "ReportError", "build_report", "component_usage", "cost_text", "fmt",
           "fmt_ci", "fmt_diff", "natural_key", "problem_score", "problems_text", "span_text",
           "table_rows"]

METRICS = (
    ("pass_at_1", "Pass@1"),
    ("oracle", "oracle"),
    ("random_pick", "random pick"),
    ("public_filter_random", "public filter, then random"),
)


# ---------------------------------------------------------------------------------------------
# The report data


def problem_score(record: dict | None) -> float:
    """The per-problem Pass@1 term: the expected pass of the seeded pick; 0 for an error."""
    if not record or record.get("status") != "ok":
        return 0.0
    return _num(record.get("pass_expected"))


def build_report(paths: Sequence[Path]) -> dict[str, Any]:
    runs = [load_run(Path(p)) for p in paths]
    labels = _labels(runs)
    order = problem_order([r.meta for r in runs], [r.records for r in runs])
    base = {pid: problem_score(rec) for pid, rec in runs[0].records.items()}
    diffs = []
    for label, run in zip(labels[1:], runs[1:]):
        other = {pid: problem_score(rec) for pid, rec in run.records.items()}
        diff, lo, hi = bootstrap_diff_ci(base, other)
        diffs.append({"run": label, "baseline": labels[0],
                      "common_problems": len(set(base) & set(other)),
                      "diff": diff, "ci95": [lo, hi]})
    data = {
        "runs": [_run_data(label, run) for label, run in zip(labels, runs)],
        "diffs": diffs,
        "grid": [{"problem": pid,
                  "cells": [_cell(run.records.get(pid), pid in _planned(run)) for run in runs]}
                 for pid in order],
    }
    return _finite(data)


def _labels(runs: Sequence[Run]) -> list[str]:
    names = [_architecture(r) for r in runs]
    return [f"{n} ({r.path.name})" if names.count(n) > 1 else n for n, r in zip(names, runs)]


def _architecture(run: Run) -> str:
    name = run.summary.get("architecture")
    if not isinstance(name, str) or not name:
        arch = config_of(run.meta).get("architecture")
        name = arch.get("name") if isinstance(arch, dict) else None
    return str(name) if name else run.path.name


def _planned(run: Run) -> set[str]:
    return set(planned_ids(run.meta))


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _rules(run: Run) -> dict[str, Any]:
    """The verdict rules the run recorded (checker, limits policy, time scale, hidden tests),
    from run.json, else results.json; older runs recorded only the hidden tests."""
    for source in (run.meta.get("rules"), run.summary.get("rules")):
        if isinstance(source, dict) and source:
            return dict(source)
    hidden = config_of(run.meta).get("hidden_tests")
    return {"hidden_tests": hidden} if hidden else {}


def _rescored_from(run: Run) -> str | None:
    """The run whose candidates and picks a rescored run judged again."""
    origin = run.meta.get("rescored_from")
    return str(origin.get("run_dir")) if isinstance(origin, dict) and origin.get("run_dir") else None


def _run_data(label: str, run: Run) -> dict[str, Any]:
    s = run.summary
    config = config_of(run.meta)
    planned = _planned(run)
    ci = s.get("pass_at_1_ci95")
    records = [run.records[k] for k in problem_order([run.meta], [run.records]) if k in run.records]
    llm = s.get("llm") if isinstance(s.get("llm"), dict) else {}
    components = component_usage(records)
    return {
        "label": label,
        "path": str(run.path),
        "architecture": _architecture(run),
        "seed": _first(s.get("seed"), config.get("seed")),
        "config_hash": _first(run.meta.get("config_hash"), s.get("config_hash")),
        "versions": run.meta.get("versions") or s.get("versions") or {},
        "model": config.get("model"),
        "problem_source": config.get("problems"),
        "command": run.meta.get("command"),
        "backend": _first(s.get("backend"), run.meta.get("backend")),
        "rules": _rules(run),
        "rescored_from": _rescored_from(run),
        "summary_source": run.source,
        "problems_planned": len(planned) or None,
        "complete": not planned or planned <= set(run.records),
        "summary": {
            "problems": s.get("problems", len(run.records)),
            "pass_at_1": _num(s.get("pass_at_1")),
            "pass_at_1_ci95": list(ci) if isinstance(ci, (list, tuple)) and len(ci) == 2 else [math.nan] * 2,
            "oracle": _num(s.get("oracle")),
            "random_pick": _num(s.get("random_pick")),
            "public_filter_random": _num(s.get("public_filter_random")),
            "pass_at_k": s.get("pass_at_k") or {},
            "pass_at_k_by_layer": s.get("pass_at_k_by_layer") or {},
            "cost_usd": _num(s.get("cost_usd")),
            # Samples of models without a known price: while there are any, the cost is
            # unknown. Older summaries lack the count; the records have it.
            "unpriced": int(_num(llm.get("unpriced"))) if "unpriced" in llm
            else sum(int(c["unpriced"]) for c in components.values()),
            "tokens": int(_num(s.get("tokens"))),
            "wall_s": s.get("wall_s") if isinstance(s.get("wall_s"), (int, float)) else None,
            "sessions": s.get("sessions") if isinstance(s.get("sessions"), int) else None,
            "started_at": s.get("started_at"),
            "ended_at": s.get("ended_at"),
            "errors": s.get("errors") or [],
            "sandbox_errors": int(_num(s.get("sandbox_errors")))
            or sum(int(_num(r.get("sandbox_errors"))) for r in records),
            "component_errors": s.get("component_errors") if isinstance(s.get("component_errors"), list)
            else component_errors(records),
        },
        "components": components,
    }


def component_usage(records) -> dict[str, dict[str, float]]:
    """Per component label: money and tokens from usage, seconds from the trace's end events,
    and how many of its samples came from a model without a known price."""
    out: dict[str, dict[str, float]] = {}

    def row(label: Any) -> dict[str, float]:
        return out.setdefault(str(label), {"cost_usd": 0.0, "seconds": 0.0, "calls": 0, "tokens": 0,
                                           "unpriced": 0})

    for r in records:
        usage = r.get("usage")
        for label, u in (usage.items() if isinstance(usage, dict) else ()):
            if not isinstance(u, dict):
                continue
            c = row(label)
            c["cost_usd"] += _num(u.get("cost_usd"))
            c["calls"] += int(_num(u.get("calls")))
            c["tokens"] += int(_num(u.get("prompt_tokens")) + _num(u.get("completion_tokens")))
            c["unpriced"] += int(_num(u.get("unpriced")))
        for ev in r.get("trace") or ():
            if isinstance(ev, dict) and ev.get("kind") == "end" and isinstance(ev.get("data"), dict):
                row(ev.get("component"))["seconds"] += _num(ev["data"].get("seconds"))
    for c in out.values():
        c["cost_usd"] = round(c["cost_usd"], 6)
        c["seconds"] = round(c["seconds"], 3)
    return {k: out[k] for k in sorted(out, key=natural_key)}


def _cell(rec: dict | None, planned: bool) -> dict[str, Any] | None:
    if rec is None:
        return {"kind": "pending" if planned else "absent"}
    ok = rec.get("status") == "ok"
    passed = bool(rec.get("selected_passed"))
    tied = rec.get("tied") or []
    expected = problem_score(rec)
    if not ok:
        kind, text = "error", "error"
    elif isinstance(tied, list) and len(tied) > 1:
        # A tie is scored by its expected pass, not by the seeded pick shown in the cell.
        kind = "pass" if expected >= 1 else "fail" if expected <= 0 else "partial"
        text = str(rec.get("selected_verdict") or "?")
    else:
        kind = "pass" if passed else "fail"
        text = str(rec.get("selected_verdict") or ("no pick" if rec.get("selected") is None else "?"))
    return {
        "kind": kind,
        "verdict": text,
        "status": rec.get("status"),
        "passed": passed,
        "pass_expected": expected,
        "tied": len(tied) if isinstance(tied, list) else 0,
        "selected": rec.get("selected"),
        "language": rec.get("selected_language"),
        "source": rec.get("selected_source"),
        "why": rec.get("why"),
        "error": rec.get("error") or "",
        "n": rec.get("n", 0),
        "c": rec.get("c", 0),
        "sandbox_errors": int(_num(rec.get("sandbox_errors"))),
        "cost_usd": _num(rec.get("cost_usd")),
        "unpriced": sum(int(_num(u.get("unpriced"))) for u in (rec.get("usage") or {}).values()
                        if isinstance(u, dict)) if isinstance(rec.get("usage"), dict) else 0,
        "latency_s": rec.get("latency_s"),
        "candidates": [c for c in rec.get("candidates") or [] if isinstance(c, dict)],
    }


def _num(x: Any) -> float:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else 0.0


def _finite(x: Any) -> Any:
    """NaN and infinities become null, so the data is valid JSON."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite(v) for v in x]
    return x


def natural_key(label: str) -> list:
    """Sort key putting "L2" before "L10"."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", label)]


# ---------------------------------------------------------------------------------------------
# Numbers as text, shared by the terminal table and the page


def cost_text(cost: Any, unpriced: Any = 0) -> str:
    """USD with four decimals; "unknown" when samples came from a model without a known
    price (after what the priced ones cost, when they cost something)."""
    known = f"{cost:.4f}" if isinstance(cost, (int, float)) else "-"
    if isinstance(unpriced, int) and unpriced > 0:
        return "unknown" if not cost else f"{known} + unknown"
    return known


def money(cost: Any, unpriced: Any = 0) -> str:
    """"$0.0040", "unknown" or "$0.0040 + unknown" (see :func:`cost_text`)."""
    text = cost_text(cost, unpriced)
    return text if text == "unknown" else "$" + text


def span_text(start: Any, end: Any) -> str:
    """"2026-05-01 10:00:03 → 10:41:17" (the end's date only when it differs)."""
    if not isinstance(start, str) or not start:
        return "-"
    a = start[:19].replace("T", " ")
    if not isinstance(end, str) or not end:
        return f"{a} → …"
    b = end[:19].replace("T", " ")
    return f"{a} → {b[11:] if b[:10] == a[:10] else b}"


def wall_text(wall: Any, sessions: Any = None) -> str:
    if not isinstance(wall, (int, float)):
        return "-"
    more = f" ({sessions} sessions)" if isinstance(sessions, int) and sessions > 1 else ""
    return f"{wall:.1f}{more}"


def fmt(x: Any, digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def fmt_ci(ci: Sequence[Any] | None) -> str:
    if not ci or any(v is None for v in ci):
        return "-"
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def fmt_diff(d: dict) -> str:
    if d["diff"] is None:
        return "no common problem"
    return f"{d['diff']:+.3f} {fmt_ci(d['ci95'])} n={d['common_problems']}"


def table_rows(data: dict) -> list[tuple[str, list[str]]]:
    """(metric, one value per run): the summary the terminal and the page both show."""
    runs = data["runs"]
    s = [r["summary"] for r in runs]
    rows: list[tuple[str, list[str]]] = [
        ("problems", [problems_text(r) for r in runs]),
        ("Pass@1", [fmt(x["pass_at_1"]) for x in s]),
        ("  95% CI", [fmt_ci(x["pass_at_1_ci95"]) for x in s]),
        ("oracle (any candidate correct)", [fmt(x["oracle"]) for x in s]),
        ("random pick", [fmt(x["random_pick"]) for x in s]),
        ("public filter, then random", [fmt(x["public_filter_random"]) for x in s]),
    ]
    # The pool's pass@1 is the random pick again.
    ks = sorted({k for x in s for k in x["pass_at_k"] if k != "pass@1"}, key=natural_key)
    rows += [(f"pool {k}", [fmt(x["pass_at_k"].get(k)) for x in s]) for k in ks]
    rows += [
        ("cost (USD)", [cost_text(x["cost_usd"], x["unpriced"]) for x in s]),
        ("tokens", [str(x["tokens"]) for x in s]),
        ("wall (s)", [wall_text(x["wall_s"], x["sessions"]) for x in s]),
        ("errors", [str(len(x["errors"])) for x in s]),
        ("component errors", [str(sum(e.get("count", 0) for e in x["component_errors"])) for x in s]),
        ("sandbox errors (candidates)", [str(x["sandbox_errors"]) for x in s]),
    ]
    if data["diffs"]:
        rows.append(("ΔPass@1 vs the first run",
                     ["baseline"] + [fmt_diff(d) for d in data["diffs"]]))
    return rows


def problems_text(run: dict) -> str:
    done = run["summary"]["problems"]
    planned = run["problems_planned"]
    return f"{done} of {planned}" if planned and planned != done else str(done)


def component_error_text(row: dict) -> str:
    """One component's faults of one kind, in a line."""
    return (f"{row.get('component')}: {row.get('kind')}: {row.get('count')} in {row.get('problems')} "
            f"problem(s)" + (f" ({row['example']})" if row.get("example") else ""))
