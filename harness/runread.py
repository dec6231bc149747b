"""Reading a run back from its directory, for reports.

A run is read from its directory alone: `run.json` for what was run, `records.jsonl` for the
newest record of every finished problem, `sessions.jsonl` for when it ran, and `results.json`
for the headline numbers when the run ended. A run interrupted mid-way has no (or an older)
`results.json`; its numbers are then computed from the records, so a half-finished run still
reports what it has. Bad input is a :class:`ReportError` naming the path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.metrics import summarize
from harness.runstore import RunStore, RunStoreError, read_json

NUMERIC_FIELDS = ("pass_expected", "n", "c", "n_public", "c_public", "cost_usd", "tokens")
TIMING_FIELDS = ("wall_s", "sessions", "started_at", "ended_at")


class ReportError(Exception):
    """Input that cannot be reported on; the message names the path."""


@dataclass
class Run:
    path: Path
    meta: dict[str, Any]
    records: dict[str, dict]  # problem id -> newest record
    summary: dict[str, Any]
    source: str  # where the headline numbers come from


def load_run(path: Path) -> Run:
    path = Path(path)
    if not path.exists():
        raise ReportError(f"{path}: no such run directory")
    if not path.is_dir():
        raise ReportError(f"{path}: not a run directory (a run directory holds run.json and records.jsonl)")
    store = RunStore(path)
    if not store.meta_path.is_file():
        raise ReportError(f"{path}: not a run directory (no run.json)")
    meta = read_json(store.meta_path, ReportError)
    if not isinstance(meta, dict):
        raise ReportError(f"{store.meta_path}: expected a JSON object")
    if not store.records_path.is_file():
        raise ReportError(f"{path}: no records.jsonl (no problem of this run has finished)")
    try:
        records = store.records()
    except RunStoreError as e:
        raise ReportError(str(e)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"{store.records_path}: unreadable ({e})") from None
    if not records:
        raise ReportError(f"{store.records_path}: holds no record (no problem of this run has finished)")
    for pid, rec in records.items():
        check_record(store.records_path, pid, rec)

    seed = config_of(meta).get("seed", 0)
    seed = seed if isinstance(seed, int) else 0
    ordered = [records[p] for p in problem_order([meta], [records]) if p in records]
    results = read_json(store.results_path, ReportError) if store.results_path.is_file() else None
    if isinstance(results, dict) and results_match(results, ordered):
        return Run(path, meta, records, results, "results.json")
    summary = summarize(ordered, seed=seed)
    try:
        timing = store.timing()
    except RunStoreError:
        timing = {"sessions": 0}
    if timing.get("sessions"):
        summary.update(timing)
    if results is None:
        source = "records.jsonl (no results.json: the run did not finish)"
    else:
        source = "records.jsonl (results.json is older than the records)"
    return Run(path, meta, records, summary, source)


def check_record(path: Path, pid: str, rec: dict) -> None:
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


def results_match(results: dict, records: list[dict]) -> bool:
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


def config_of(meta: dict) -> dict:
    c = meta.get("config")
    return c if isinstance(c, dict) else {}


def planned_ids(meta: dict) -> list[str]:
    ids = config_of(meta).get("problem_ids")
    return [str(p) for p in ids] if isinstance(ids, list) else []


def problem_order(metas: Sequence[dict], records: Sequence[dict[str, dict]]) -> list[str]:
    """The runs' planned problems in their order, then problems only the records know of."""
    out: dict[str, None] = {}
    for meta in metas:
        for pid in planned_ids(meta):
            out.setdefault(pid, None)
    for recs in records:
        for pid in recs:
            out.setdefault(pid, None)
    return list(out)
