"""Reports over run directories: the data, and a static HTML page that works offline.

A run is read from its directory alone: `run.json` for what was run, `records.jsonl` for the
newest record of every finished problem, and `results.json` for the headline numbers when the
run ended. A run interrupted mid-way has no (or an older) `results.json`; its numbers are then
computed from the records, so a half-finished run still reports what it has.

Everything taken from records (program sources, model output, error messages, ids) is
untrusted text: the page escapes it all, carries no script, and a Content-Security-Policy
forbids loading anything, so the page renders the same with no network.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness.metrics import bootstrap_diff_ci, summarize
from harness.runstore import RunStore

METRICS = (
    ("pass_at_1", "Pass@1"),
    ("oracle", "oracle"),
    ("random_pick", "random pick"),
    ("public_filter_random", "public filter, then random"),
)
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


class ReportError(Exception):
    """Input that cannot be reported on; the message names the path."""


@dataclass
class Run:
    path: Path
    meta: dict[str, Any]
    records: dict[str, dict]  # problem id -> newest record
    summary: dict[str, Any]
    source: str  # where the headline numbers come from


# ---------------------------------------------------------------------------------------------
# Reading runs


def load_run(path: Path) -> Run:
    path = Path(path)
    if not path.exists():
        raise ReportError(f"{path}: no such run directory")
    if not path.is_dir():
        raise ReportError(f"{path}: not a run directory (a run directory holds run.json and records.jsonl)")
    store = RunStore(path)
    if not store.meta_path.is_file():
        raise ReportError(f"{path}: not a run directory (no run.json)")
    meta = _read_json(store.meta_path)
    if not isinstance(meta, dict):
        raise ReportError(f"{store.meta_path}: expected a JSON object")
    if not store.records_path.is_file():
        raise ReportError(f"{path}: no records.jsonl (no problem of this run has finished)")
    try:
        records = store.records()
    except (KeyError, TypeError) as e:
        raise ReportError(f"{store.records_path}: a line is not a record with a 'problem' field ({e})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{store.records_path}: unreadable ({e})") from None
    if not records:
        raise ReportError(f"{store.records_path}: holds no record (no problem of this run has finished)")
    for pid, rec in records.items():
        _check_record(store.records_path, pid, rec)

    seed = _config(meta).get("seed", 0)
    seed = seed if isinstance(seed, int) else 0
    ordered = [records[p] for p in _problem_order([meta], [records]) if p in records]
    results = _read_json(store.results_path) if store.results_path.is_file() else None
    if isinstance(results, dict) and _results_match(results, ordered):
        return Run(path, meta, records, results, "results.json")
    summary = summarize(ordered, seed=seed)
    if results is None:
        source = "records.jsonl (no results.json: the run did not finish)"
    else:
        source = "records.jsonl (results.json is older than the records)"
    return Run(path, meta, records, summary, source)


NUMERIC_FIELDS = ("pass_expected", "n", "c", "n_public", "c_public", "cost_usd", "tokens")


def _check_record(path: Path, pid: str, rec: dict) -> None:
    """The fields the metrics add up; anything else is only displayed (escaped)."""
    for key in NUMERIC_FIELDS:
        value = rec.get(key, 0)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ReportError(f"{path}: problem {pid!r}: field {key!r} is not a number ({value!r:.40})")
    layers = rec.get("layers") or {}
    if not isinstance(layers, dict) or not all(
            isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v)
            for v in layers.values()):
        raise ReportError(f"{path}: problem {pid!r}: field 'layers' is not {{layer: [n, c]}}")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{path}: unreadable ({e})") from None
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not valid JSON (line {e.lineno}: {e.msg})") from None


def _results_match(results: dict, records: list[dict]) -> bool:
    """results.json describes exactly these records (a resumed run that was interrupted
    leaves the summary of its earlier end behind)."""
    need = ("problems", "pass_at_1", "oracle", "random_pick", "public_filter_random", "errors")
    if any(k not in results for k in need):
        return False
    if results["problems"] != len(records):
        return False
    fresh = summarize(records)
    return all(_close(results.get(k), fresh[k]) for k in ("pass_at_1", "oracle", "random_pick",
                                                          "public_filter_random"))


def _close(a: Any, b: float) -> bool:
    return isinstance(a, (int, float)) and math.isclose(a, b, rel_tol=0, abs_tol=1e-9)


def _config(meta: dict) -> dict:
    c = meta.get("config")
    return c if isinstance(c, dict) else {}


def _problem_order(metas: Sequence[dict], records: Sequence[dict[str, dict]]) -> list[str]:
    """The runs' planned problems in their order, then problems only the records know of."""
    out: dict[str, None] = {}
    for meta in metas:
        for pid in _planned_ids(meta):
            out.setdefault(pid, None)
    for recs in records:
        for pid in recs:
            out.setdefault(pid, None)
    return list(out)


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
    order = _problem_order([r.meta for r in runs], [r.records for r in runs])
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
        arch = _config(run.meta).get("architecture")
        name = arch.get("name") if isinstance(arch, dict) else None
    return str(name) if name else run.path.name


def _planned_ids(meta: dict) -> list[str]:
    ids = _config(meta).get("problem_ids")
    return [str(p) for p in ids] if isinstance(ids, list) else []


def _planned(run: Run) -> set[str]:
    return set(_planned_ids(run.meta))


def _run_data(label: str, run: Run) -> dict[str, Any]:
    s = run.summary
    config = _config(run.meta)
    planned = _planned(run)
    ci = s.get("pass_at_1_ci95")
    return {
        "label": label,
        "path": str(run.path),
        "architecture": _architecture(run),
        "seed": s.get("seed", config.get("seed")),
        "config_hash": run.meta.get("config_hash", s.get("config_hash")),
        "versions": run.meta.get("versions") or s.get("versions") or {},
        "model": config.get("model"),
        "problem_source": config.get("problems"),
        "command": run.meta.get("command"),
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
            "tokens": int(_num(s.get("tokens"))),
            "wall_s": s.get("wall_s") if isinstance(s.get("wall_s"), (int, float)) else None,
            "errors": s.get("errors") or [],
        },
        "components": component_usage(run.records.values()),
    }


def component_usage(records) -> dict[str, dict[str, float]]:
    """Per component label: money and tokens from usage, seconds from the trace's end events."""
    out: dict[str, dict[str, float]] = {}

    def row(label: Any) -> dict[str, float]:
        return out.setdefault(str(label), {"cost_usd": 0.0, "seconds": 0.0, "calls": 0, "tokens": 0})

    for r in records:
        usage = r.get("usage")
        for label, u in (usage.items() if isinstance(usage, dict) else ()):
            if not isinstance(u, dict):
                continue
            c = row(label)
            c["cost_usd"] += _num(u.get("cost_usd"))
            c["calls"] += int(_num(u.get("calls")))
            c["tokens"] += int(_num(u.get("prompt_tokens")) + _num(u.get("completion_tokens")))
        for ev in r.get("trace") or ():
            if isinstance(ev, dict) and ev.get("kind") == "end" and isinstance(ev.get("data"), dict):
                row(ev.get("component"))["seconds"] += _num(ev["data"].get("seconds"))
    for c in out.values():
        c["cost_usd"] = round(c["cost_usd"], 6)
        c["seconds"] = round(c["seconds"], 3)
    return {k: out[k] for k in sorted(out, key=_natural)}


def _cell(rec: dict | None, planned: bool) -> dict[str, Any] | None:
    if rec is None:
        return {"kind": "pending" if planned else "absent"}
    ok = rec.get("status") == "ok"
    passed = bool(rec.get("selected_passed"))
    tied = rec.get("tied") or []
    if not ok:
        kind, text = "error", "error"
    else:
        kind = "pass" if passed else "fail"
        text = str(rec.get("selected_verdict") or ("no pick" if rec.get("selected") is None else "?"))
    return {
        "kind": kind,
        "verdict": text,
        "status": rec.get("status"),
        "passed": passed,
        "pass_expected": problem_score(rec),
        "tied": len(tied) if isinstance(tied, list) else 0,
        "selected": rec.get("selected"),
        "language": rec.get("selected_language"),
        "source": rec.get("selected_source"),
        "why": rec.get("why"),
        "error": rec.get("error") or "",
        "n": rec.get("n", 0),
        "c": rec.get("c", 0),
        "cost_usd": _num(rec.get("cost_usd")),
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


def _natural(label: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", label)]


# ---------------------------------------------------------------------------------------------
# Numbers as text, shared by the terminal table and the page


def cost_text(cost: Any, unpriced: Any = 0) -> str:
    """USD with four decimals; "unknown" when some samples came from a model without a
    known price (plus what the priced ones cost, when they cost something)."""
    known = f"{cost:.4f}" if isinstance(cost, (int, float)) else "-"
    if isinstance(unpriced, int) and unpriced > 0:
        return "unknown" if not cost else f"{known} + unknown"
    return known


def span_text(start: Any, end: Any) -> str:
    if not start:
        return "-"
    return f"{start} → {end or '…'}"


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
        ("problems", [_problems_text(r) for r in runs]),
        ("Pass@1", [fmt(x["pass_at_1"]) for x in s]),
        ("  95% CI", [fmt_ci(x["pass_at_1_ci95"]) for x in s]),
        ("oracle (any candidate correct)", [fmt(x["oracle"]) for x in s]),
        ("random pick", [fmt(x["random_pick"]) for x in s]),
        ("public filter, then random", [fmt(x["public_filter_random"]) for x in s]),
    ]
    ks = sorted({k for x in s for k in x["pass_at_k"]}, key=_natural)
    rows += [(f"pool {k}", [fmt(x["pass_at_k"].get(k)) for x in s]) for k in ks]
    rows += [
        ("cost (USD)", [fmt(x["cost_usd"], 4) for x in s]),
        ("tokens", [str(x["tokens"]) for x in s]),
        ("wall (s)", [fmt(x["wall_s"], 1) for x in s]),
        ("errors", [str(len(x["errors"])) for x in s]),
    ]
    if data["diffs"]:
        rows.append(("ΔPass@1 vs the first run",
                     ["baseline"] + [fmt_diff(d) for d in data["diffs"]]))
    return rows


def _problems_text(run: dict) -> str:
    done = run["summary"]["problems"]
    planned = run["problems_planned"]
    return f"{done} of {planned}" if planned and planned != done else str(done)


# ---------------------------------------------------------------------------------------------
# SVG charts: small, dependency-free, sized by viewBox so they scale with the page


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def nice_ticks(hi: float, n: int = 5) -> list[float]:
    """0, step, 2·step, ... up to the first tick at or above `hi` (step 1, 2, 2.5 or 5 × 10^k)."""
    if not hi > 0:
        hi = 1.0
    raw = hi / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * (1 - 1e-12))
    count = math.ceil(hi / step - 1e-9)
    return [round(i * step, 12) for i in range(count + 1)]


def _tick(v: float) -> str:
    return f"{v:.6g}"


def _svg_open(width: float, height: float, title: str, cls: str) -> str:
    return (f'<svg class="chart {cls}" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
            f'height="{height:.0f}" role="img" aria-label="{_e(title)}"><title>{_e(title)}</title>')


def grouped_bar_chart(groups: Sequence[str], series: Sequence[str], values: Sequence[Sequence[float]],
                      errors: dict[int, Sequence[Sequence[float] | None]] | None = None,
                      y_max: float | None = None, title: str = "", y_label: str = "") -> str:
    """Bars for series s in group g at values[s][g]; errors[s][g] = (low, high) draws an error bar."""
    errors = errors or {}
    bar_w, gap, left, top, plot_h, bottom = 30, 36, 56, 40, 240, 58
    group_w = bar_w * len(series) + gap
    legend_x = [left]
    for name in series:  # about 6.5 px per character at the legend's 11 px
        legend_x.append(legend_x[-1] + 28 + math.ceil(6.5 * len(name)))
    width = max(left + group_w * max(1, len(groups)), legend_x[-1]) + 20
    height = top + plot_h + bottom
    tops = [v for row in values for v in row] + [hi for row in errors.values() for ci in row if ci for hi in ci[1:]]
    ticks = nice_ticks(y_max if y_max is not None else max(tops, default=1.0))
    y_top = ticks[-1]

    def y(v: float) -> float:
        return top + plot_h - plot_h * max(0.0, min(v, y_top)) / y_top

    out = [_svg_open(width, height, title, "grouped-bars")]
    for s, name in enumerate(series):
        out.append(f'<rect x="{legend_x[s]}" y="10" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>'
                   f'<text x="{legend_x[s] + 16}" y="20" class="legend">{_e(name)}</text>')
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(t):.1f}" y2="{y(t):.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{y(t) + 4:.1f}" class="tick" text-anchor="end">{_tick(t)}</text>')
    if y_label:
        out.append(f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" '
                   f'class="axis-label" text-anchor="middle">{_e(y_label)}</text>')
    for g, name in enumerate(groups):
        x0 = left + gap / 2 + g * group_w
        for s in range(len(series)):
            v = values[s][g]
            x = x0 + s * bar_w
            colour = PALETTE[s % len(PALETTE)]
            out.append(f'<rect x="{x + 2:.1f}" y="{y(v):.1f}" width="{bar_w - 4}" '
                       f'height="{y(0) - y(v):.1f}" fill="{colour}">'
                       f'<title>{_e(name)}: {_e(series[s])} {v:.3f}</title></rect>')
            ci = errors.get(s, [None] * len(groups))[g]
            label_y = y(v) - 4
            if ci and None not in ci:
                cx = x + bar_w / 2
                out.append(f'<path d="M{cx - 6:.1f} {y(ci[0]):.1f}h12M{cx:.1f} {y(ci[0]):.1f}'
                           f'V{y(ci[1]):.1f}M{cx - 6:.1f} {y(ci[1]):.1f}h12" class="errbar"/>')
                label_y = min(label_y, y(ci[1]) - 4)
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{label_y:.1f}" class="value" '
                       f'text-anchor="middle">{v:.3f}</text>')
        out.append(f'<text x="{x0 + bar_w * len(series) / 2:.1f}" y="{top + plot_h + 20}" '
                   f'class="category" text-anchor="middle">{_e(_short(name, 28))}<title>{_e(name)}</title></text>')
    out.append(f'<line x1="{left}" x2="{width - 20}" y1="{y(0):.1f}" y2="{y(0):.1f}" class="axis"/></svg>')
    return "".join(out)


def hbar_chart(labels: Sequence[str], values: Sequence[float], title: str = "",
               value_format: str = "{:.3f}", colour: str = PALETTE[0]) -> str:
    """One horizontal bar per label, its value written at the bar's end."""
    row_h, left, bar_area, right, top = 22, 180, 280, 90, 30
    width = left + bar_area + right
    height = top + row_h * max(1, len(labels)) + 10
    hi = max(values, default=0.0)
    scale = bar_area / hi if hi > 0 else 0.0
    out = [_svg_open(width, height, title, "hbars"),
           f'<text x="0" y="18" class="chart-title">{_e(title)}</text>']
    if not labels:
        out.append(f'<text x="{left}" y="{top + 14}" class="tick">nothing recorded</text>')
    for i, (label, v) in enumerate(zip(labels, values)):
        y = top + i * row_h
        w = max(0.0, v * scale)
        out.append(f'<text x="{left - 8}" y="{y + 15}" class="category" text-anchor="end">'
                   f'{_e(_short(label, 26))}<title>{_e(label)}</title></text>'
                   f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{colour}"/>'
                   f'<text x="{left + w + 6:.1f}" y="{y + 15}" class="value">{_e(value_format.format(v))}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{height - 10}" class="axis"/></svg>')
    return "".join(out)


def scatter_chart(points: Sequence[tuple[float, float, str]],
                  intervals: Sequence[Sequence[float] | None] | None = None,
                  x_label: str = "", y_label: str = "", y_max: float | None = 1.0,
                  title: str = "") -> str:
    """Labelled points (x, y, label); intervals[i] = (low, high) draws a vertical bar."""
    left, right, top, bottom, plot_w, plot_h = 60, 150, 20, 50, 480, 260
    width, height = left + plot_w + right, top + plot_h + bottom
    xt = nice_ticks(max((p[0] for p in points), default=0.0) * 1.1)
    yt = nice_ticks(y_max if y_max is not None else max((p[1] for p in points), default=1.0))

    def px(v: float) -> float:
        return left + plot_w * v / xt[-1]

    def py(v: float) -> float:
        return top + plot_h - plot_h * max(0.0, min(v, yt[-1])) / yt[-1]

    out = [_svg_open(width, height, title, "scatter")]
    for t in yt:
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{py(t):.1f}" y2="{py(t):.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{py(t) + 4:.1f}" class="tick" text-anchor="end">{_tick(t)}</text>')
    for t in xt:
        out.append(f'<line x1="{px(t):.1f}" x2="{px(t):.1f}" y1="{top}" y2="{top + plot_h}" class="grid"/>'
                   f'<text x="{px(t):.1f}" y="{top + plot_h + 16}" class="tick" text-anchor="middle">{_tick(t)}</text>')
    out.append(f'<path d="M{left} {top}V{top + plot_h}H{left + plot_w}" class="axis"/>')
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 8}" class="axis-label" text-anchor="middle">{_e(x_label)}</text>'
               f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" class="axis-label" '
               f'text-anchor="middle">{_e(y_label)}</text>')
    intervals = intervals or [None] * len(points)
    for i, ((x, y, label), ci) in enumerate(zip(points, intervals)):
        colour = PALETTE[i % len(PALETTE)]
        if ci and None not in ci:
            out.append(f'<path d="M{px(x):.1f} {py(ci[0]):.1f}V{py(ci[1]):.1f}" stroke="{colour}" class="errbar"/>')
        # Alternate label sides so runs at similar cost do not write over each other.
        dy = -8 if i % 2 == 0 else 16
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="6" fill="{colour}">'
                   f'<title>{_e(label)}: Pass@1 {y:.3f}, ${x:.4f}</title></circle>'
                   f'<text x="{px(x) + 9:.1f}" y="{py(y) + dy:.1f}" class="point-label">'
                   f'{_e(_short(label, 30))} ({y:.3f})</text>')
    out.append("</svg>")
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# The page

CSS = """
:root{--pass:#d7f0df;--pass-ink:#11603a;--fail:#fbdcdc;--fail-ink:#9b1c1c;--err:#fdefc3;
--err-ink:#7a5200;--none:#eeeeee;--ink:#1d1d1f;--muted:#666;--line:#d0d0d0}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:var(--ink);margin:0 auto;max-width:1200px;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 6px}nav a{margin-right:14px}.muted{color:var(--muted)}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid var(--line);padding:3px 8px;
text-align:left;vertical-align:top}td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f5f5f7}svg.chart{max-width:100%;height:auto;display:block;margin:6px 0}
svg .grid{stroke:#e6e6e6}svg .axis{stroke:#444;fill:none}svg .errbar{stroke:#222;stroke-width:1.5;fill:none}
svg text{font:11px system-ui,sans-serif;fill:#222}svg .tick{fill:#666}svg .value{font-size:10px}
svg .chart-title{font-weight:600;font-size:12px}svg .point-label{font-size:11px}
.charts{display:flex;flex-wrap:wrap;gap:12px 32px}
table.grid td.cell{text-align:center;min-width:70px;font-family:ui-monospace,Menlo,Consolas,monospace}
td.cell a{color:inherit;text-decoration:none;display:block}td.cell a:hover{text-decoration:underline}
td.pass{background:var(--pass);color:var(--pass-ink)}td.fail{background:var(--fail);color:var(--fail-ink)}
td.error{background:var(--err);color:var(--err-ink)}td.pending,td.absent{background:var(--none);color:var(--muted)}
td.tie{outline:2px dashed #555;outline-offset:-4px}.tie-note{display:block;font-size:11px}
.legend-swatch{display:inline-block;padding:1px 8px;margin-right:8px;border:1px solid var(--line)}
pre{background:#f7f7f9;border:1px solid var(--line);padding:8px;overflow:auto;max-height:28em;
white-space:pre;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
section.program{border-left:4px solid var(--line);padding:2px 12px;margin:14px 0}
section.program.pass{border-color:#2e9d5f}section.program.fail{border-color:#c53030}
section.program.error{border-color:#c99400}section.program:target{background:#fffbe6}
ul.errors li{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap}
"""


def render_html(data: dict) -> str:
    runs = data["runs"]
    labels = [r["label"] for r in runs]
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        # Nothing is ever fetched or run: the page must render identically offline, and
        # untrusted text in it can do nothing even if it slipped past escaping.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src 'none'; script-src 'none'\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>archon-code report: {_e(' vs '.join(labels))}</title><style>{CSS}</style></head><body>",
        f"<h1>archon-code report</h1><p class=\"muted\">{len(runs)} run(s): "
        f"{_e(', '.join(labels))}. Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.</p>",
        "<nav><a href=\"#summary\">Summary</a><a href=\"#selection\">Selection vs baselines</a>"
        "<a href=\"#cost\">Cost and time</a><a href=\"#problems\">Problems</a>"
        "<a href=\"#programs\">Selected programs</a><a href=\"#errors\">Errors</a>"
        "<a href=\"#runs\">Run metadata</a></nav>",
        _summary_section(data),
        _selection_section(runs),
        _cost_section(runs),
        _grid_section(data),
        _programs_section(data),
        _errors_section(runs),
        _meta_section(runs),
        "</body></html>\n",
    ]
    return "".join(parts)


def _summary_section(data: dict) -> str:
    head = "".join(f"<th>{_e(r['label'])}</th>" for r in data["runs"])
    body = "".join(f"<tr><th>{_e(name.strip())}</th>" + "".join(f'<td class="num">{_e(v)}</td>' for v in vals)
                   + "</tr>" for name, vals in table_rows(data))
    notes = ""
    if data["diffs"]:
        notes = ("<p class=\"muted\">Differences are paired over the problems both runs finished: "
                 "per problem, the expected pass of the selected program (0 for an error); "
                 "the bracket is its 95% percentile-bootstrap interval.</p>")
    return (f'<h2 id="summary">Summary</h2><table class="summary"><tr><th>metric</th>{head}</tr>'
            f"{body}</table>{notes}")


def _selection_section(runs: list[dict]) -> str:
    groups = [r["label"] for r in runs]
    values = [[r["summary"][key] for r in runs] for key, _ in METRICS]
    bars = grouped_bar_chart(groups, [name for _, name in METRICS], values,
                             errors={0: [r["summary"]["pass_at_1_ci95"] for r in runs]},
                             y_max=1.0, title="Pass@1 against the pool's oracle and the random baselines",
                             y_label="share of problems")
    scatter = scatter_chart([(r["summary"]["cost_usd"], r["summary"]["pass_at_1"], r["architecture"])
                             for r in runs],
                            [r["summary"]["pass_at_1_ci95"] for r in runs],
                            x_label="cost of the run (USD)", y_label="Pass@1",
                            title="Pass@1 against cost, one point per run")
    return ('<h2 id="selection">Selection against baselines</h2>'
            "<p class=\"muted\">Oracle: some candidate in the pool passes. Random pick: expected pass "
            "of a uniform pick from the pool. Public filter: a uniform pick among candidates passing "
            "the public tests. Error bars: 95% bootstrap interval of Pass@1.</p>"
            f'<figure id="fig-selection">{bars}</figure>'
            f'<h3>Pass@1 against cost</h3><figure id="fig-cost-scatter">{scatter}</figure>')


def _cost_section(runs: list[dict]) -> str:
    out = ['<h2 id="cost">Cost and time per component</h2>'
           "<p class=\"muted\">Summed over the run's problems: LLM cost from each component's usage, "
           "seconds from its end events in the trace (components of one layer may overlap in time).</p>"]
    for i, r in enumerate(runs):
        comps = r["components"]
        names = list(comps)
        cost = hbar_chart(names, [comps[n]["cost_usd"] for n in names], title="cost (USD)",
                          value_format="${:.4f}", colour=PALETTE[0])
        secs = hbar_chart(names, [comps[n]["seconds"] for n in names], title="time (s)",
                          value_format="{:.2f} s", colour=PALETTE[2])
        rows = "".join(
            f"<tr><td>{_e(n)}</td><td class=\"num\">{c['calls']}</td><td class=\"num\">{c['tokens']}</td>"
            f"<td class=\"num\">{c['cost_usd']:.4f}</td><td class=\"num\">{c['seconds']:.2f}</td></tr>"
            for n, c in comps.items())
        out.append(f"<h3>{_e(r['label'])}</h3><div class=\"charts\" id=\"fig-components-{i}\">{cost}{secs}</div>"
                   "<details><summary>numbers</summary><table><tr><th>component</th><th>calls</th>"
                   f"<th>tokens</th><th>cost (USD)</th><th>seconds</th></tr>{rows}</table></details>")
    return "".join(out)


def _grid_section(data: dict) -> str:
    runs = data["runs"]
    head = "".join(f"<th>{_e(r['label'])}</th>" for r in runs)
    rows = []
    for p, row in enumerate(data["grid"]):
        cells = []
        for j, cell in enumerate(row["cells"]):
            kind = cell["kind"]
            if kind in ("pending", "absent"):
                cells.append(f'<td class="cell {kind}">{"not run" if kind == "pending" else "-"}</td>')
                continue
            tie = ""
            cls = kind
            if cell["tied"] > 1:
                cls += " tie"
                tie = f'<span class="tie-note">tie of {cell["tied"]}, p={cell["pass_expected"]:.2f}</span>'
            cells.append(f'<td class="cell {cls}"><a href="#prog-{p}-{j}">{_e(cell["verdict"])}{tie}</a></td>')
        rows.append(f"<tr><th>{_e(row['problem'])}</th>{''.join(cells)}</tr>")
    legend = ('<p><span class="legend-swatch" style="background:var(--pass)">passes</span>'
              '<span class="legend-swatch" style="background:var(--fail)">fails</span>'
              '<span class="legend-swatch" style="background:var(--err)">error</span>'
              '<span class="legend-swatch" style="background:var(--none)">not run</span>'
              '<span class="legend-swatch" style="outline:2px dashed #555;outline-offset:-3px">tie: '
              "seeded pick shown, p = expected pass</span></p>")
    return (f'<h2 id="problems">Problems</h2>{legend}<p class="muted">Each cell is the hidden-test '
            "verdict of the selected program; click it to see the program.</p>"
            f'<table class="grid"><tr><th>problem</th>{head}</tr>{"".join(rows)}</table>')


def _programs_section(data: dict) -> str:
    runs = data["runs"]
    out = ['<h2 id="programs">Selected programs</h2>']
    for p, row in enumerate(data["grid"]):
        for j, cell in enumerate(row["cells"]):
            if cell["kind"] in ("pending", "absent"):
                continue
            facts = [f"verdict <b>{_e(cell['verdict'])}</b>",
                     f"expected pass {cell['pass_expected']:.3f}",
                     f"{_e(cell['c'])} of {_e(cell['n'])} candidates correct",
                     f"cost ${cell['cost_usd']:.4f}"]
            if cell["latency_s"] is not None:
                facts.append(f"{_e(cell['latency_s'])} s")
            if cell["tied"] > 1:
                facts.append(f"tie of {cell['tied']}")
            body = [f'<section class="program {cell["kind"]}" id="prog-{p}-{j}">'
                    f"<h3>{_e(row['problem'])} &middot; {_e(runs[j]['label'])}</h3>"
                    f"<p>{' &middot; '.join(facts)}</p>"]
            if cell["why"]:
                body.append(f"<p class=\"muted\">{_e(cell['why'])}</p>")
            if cell["error"]:
                body.append(f"<p>error: <code>{_e(cell['error'])}</code></p>")
            if cell["source"] is not None:
                body.append(f"<p>{_e(cell['selected'])} ({_e(cell['language'])})</p>"
                            f"<pre><code>{_e(cell['source'])}</code></pre>")
            else:
                body.append("<p class=\"muted\">no program was selected</p>")
            if cell["candidates"]:
                body.append(_candidates_table(cell["candidates"]))
            body.append('<p><a href="#problems">back to the grid</a></p></section>')
            out.append("".join(body))
    return "".join(out)


def _candidates_table(cands: list[dict]) -> str:
    cols = ("id", "origin", "layer", "language", "alive", "score", "public_ok", "hidden_verdict", "note")
    rows = "".join("<tr>" + "".join(f"<td>{_e('' if c.get(k) is None else c.get(k))}</td>" for k in cols)
                   + "</tr>" for c in cands)
    head = "".join(f"<th>{k}</th>" for k in cols)
    return (f"<details><summary>candidates ({len(cands)})</summary>"
            f"<table><tr>{head}</tr>{rows}</table></details>")


def _errors_section(runs: list[dict]) -> str:
    out = ['<h2 id="errors">Errors</h2>']
    for r in runs:
        errs = r["summary"]["errors"]
        items = "".join(f"<li>{_e(x.get('problem', '?'))}: {_e(x.get('error', ''))}</li>"
                        for x in errs if isinstance(x, dict))
        out.append(f"<h3>{_e(r['label'])}: {len(errs)}</h3>"
                   + (f'<ul class="errors">{items}</ul>' if items else '<p class="muted">none</p>'))
    return "".join(out)


def _meta_section(runs: list[dict]) -> str:
    fields = (("run dir", "path"), ("architecture", "architecture"), ("seed", "seed"),
              ("config hash", "config_hash"), ("model", "model"), ("problem set", "problem_source"),
              ("numbers from", "summary_source"))
    head = "".join(f"<th>{_e(r['label'])}</th>" for r in runs)
    rows = "".join(f"<tr><th>{name}</th>" + "".join(f"<td>{_e('-' if r[k] is None else r[k])}</td>" for r in runs)
                   + "</tr>" for name, k in fields)
    rows += "<tr><th>complete</th>" + "".join(
        f"<td>{'yes' if r['complete'] else 'no'} ({_e(_problems_text(r))} problems)</td>" for r in runs) + "</tr>"
    rows += "<tr><th>command</th>" + "".join(
        f"<td><code>{_e(' '.join(map(str, r['command'])) if isinstance(r['command'], list) else '-')}</code></td>"
        for r in runs) + "</tr>"
    rows += "<tr><th>versions</th>" + "".join(
        "<td>" + "<br>".join(f"{_e(k)} {_e(v)}" for k, v in (r["versions"] or {}).items()) + "</td>"
        for r in runs) + "</tr>"
    return f'<h2 id="runs">Run metadata</h2><table class="meta"><tr><th></th>{head}</tr>{rows}</table>'


def write_report(data: dict, out: Path) -> Path:
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(data), encoding="utf-8")
    except OSError as e:
        raise ReportError(f"{out}: cannot write the report ({e.strerror or e})") from None
    return out
