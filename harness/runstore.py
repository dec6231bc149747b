"""A run on disk: deterministic directory, append-only JSONL records, results.json at the end.

    runs/<architecture>-<hash>/
        run.json        the resolved architecture, problems, seed, versions (written once)
        records.jsonl   one record per finished problem, appended and flushed as it finishes
        results.json    the summary, rewritten whenever the run ends

Interrupt a run at any point and start the same command again: finished problems are read
back and skipped. A torn last line (a kill mid-write) is ignored and overwritten. A problem
whose last record is an error is tried again; the newest record of a problem is the one that
counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any


def config_hash(config: dict[str, Any]) -> str:
    raw = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:12]


def default_run_dir(root: Path, name: str, config: dict[str, Any]) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name) or "run"
    return root / f"{safe}-{config_hash(config)}"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("archon-code", "litellm", "docker", "pydantic", "datasets"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


class RunStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.records_path = self.path / "records.jsonl"
        self.results_path = self.path / "results.json"
        self.meta_path = self.path / "run.json"

    def open(self, meta: dict[str, Any]) -> None:
        """Create the run or check that an existing one was made by the same config."""
        self.path.mkdir(parents=True, exist_ok=True)
        if self.meta_path.exists():
            old = json.loads(self.meta_path.read_text())
            if old.get("config_hash") != meta.get("config_hash"):
                raise RunDirConflict(
                    f"{self.path} holds a run of another config ({old.get('config_hash')} vs "
                    f"{meta.get('config_hash')}); choose another --run-dir"
                )
        else:
            _atomic_write(self.meta_path, json.dumps(meta, indent=2, default=str))
        self._repair_tail()

    def _repair_tail(self) -> None:
        """Cut a torn last line, left by a kill in the middle of a write."""
        if not self.records_path.exists():
            return
        data = self.records_path.read_bytes()
        if data and not data.endswith(b"\n"):
            keep = data[: data.rfind(b"\n") + 1]
            with open(self.records_path, "wb") as f:
                f.write(keep)
                f.flush()
                os.fsync(f.fileno())

    def records(self) -> dict[str, dict]:
        """The newest record of every problem."""
        out: dict[str, dict] = {}
        if not self.records_path.exists():
            return out
        with open(self.records_path, encoding="utf-8") as f:
            for line in f:
                if not line.endswith("\n"):
                    break
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                out[rec["problem"]] = rec
        return out

    def done(self) -> set[str]:
        return {pid for pid, r in self.records().items() if r.get("status") == "ok"}

    def append(self, record: dict) -> None:
        line = json.dumps(record, default=str) + "\n"
        with open(self.records_path, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def write_results(self, results: dict) -> None:
        _atomic_write(self.results_path, json.dumps(results, indent=2, default=str))

    def meta(self) -> dict:
        return json.loads(self.meta_path.read_text())

    def results(self) -> dict | None:
        if not self.results_path.exists():
            return None
        return json.loads(self.results_path.read_text())


class RunDirConflict(Exception):
    pass


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
