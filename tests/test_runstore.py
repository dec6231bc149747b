"""The run store: deterministic dirs, append-only records, torn lines, resume semantics."""

from __future__ import annotations

import json

import pytest

from harness.runstore import RunDirConflict, RunStore, config_hash, default_run_dir


def test_run_dir_is_deterministic(tmp_path):
    cfg = {"architecture": {"name": "x"}, "seed": 1, "problem_ids": ["a", "b"]}
    assert default_run_dir(tmp_path, "x", cfg) == default_run_dir(tmp_path, "x", dict(cfg))
    assert default_run_dir(tmp_path, "x", cfg) != default_run_dir(tmp_path, "x", {**cfg, "seed": 2})
    assert default_run_dir(tmp_path, "a/b c", cfg).name.startswith("a-b-c-")


def test_append_and_read_back_newest_record_wins(tmp_path):
    store = RunStore(tmp_path / "run")
    store.open({"config_hash": "h1"})
    store.append({"problem": "a", "status": "error", "error": "boom"})
    store.append({"problem": "b", "status": "ok"})
    store.append({"problem": "a", "status": "ok"})
    assert store.records()["a"]["status"] == "ok"
    assert store.done() == {"a", "b"}
    lines = store.records_path.read_text().splitlines()
    assert len(lines) == 3  # append-only: nothing rewritten


def test_error_records_are_not_done(tmp_path):
    store = RunStore(tmp_path / "run")
    store.open({"config_hash": "h"})
    store.append({"problem": "a", "status": "error"})
    assert store.done() == set()


def test_torn_last_line_is_cut_on_open(tmp_path):
    store = RunStore(tmp_path / "run")
    store.open({"config_hash": "h"})
    store.append({"problem": "a", "status": "ok"})
    with open(store.records_path, "a") as f:
        f.write('{"problem": "b", "sta')  # killed mid-write
    assert set(store.records()) == {"a"}
    store.close()
    store2 = RunStore(tmp_path / "run")
    store2.open({"config_hash": "h"})
    store2.append({"problem": "b", "status": "ok"})
    rows = [json.loads(x) for x in store2.records_path.read_text().splitlines()]
    assert [r["problem"] for r in rows] == ["a", "b"]


def test_other_config_in_the_same_dir_is_refused(tmp_path):
    with RunStore(tmp_path / "run") as first:
        first.open({"config_hash": config_hash({"a": 1})})
    with pytest.raises(RunDirConflict, match="another config"):
        RunStore(tmp_path / "run").open({"config_hash": config_hash({"a": 2})})
