"""A run on disk: deterministic directory, append-only JSONL records, results.json at the end.

    runs/<architecture>-<hash>/
        run.json        the resolved architecture, problems, seed, versions (written once)
        records.jsonl   one record per finished problem, appended and flushed as it finishes
        programs.jsonl  every candidate program once, by its key (records name programs by key),
                        written before the record that names it: a run can be judged again
        sessions.jsonl  when each session (a command that did work here) started and ended
        results.json    the summary, rewritten whenever the run ends
        .lock           held by the one process working here (pid, host, since when)

Interrupt a run at any point and start the same command again: finished problems are read
back and skipped. A torn last line (a kill mid-write) is ignored and overwritten. A problem
whose last record is an error is tried again; the newest record of a problem is the one that
counts. A write that fails (read-only folder, full disk) raises :class:`RunStoreError` naming
the file, after putting back what the file held before: nothing already saved is lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from harness.dirlock import DirBusy, DirError, DirLock, Holder, os_error_text

__all__ = ["RunDirBusy", "RunDirConflict", "RunStore", "RunStoreError", "config_hash",
           "default_run_dir", "iso", "versions"]

RunStoreError = DirError
RunDirBusy = DirBusy


class RunDirConflict(RunStoreError):
    pass


def config_hash(config: dict[str, Any]) -> str:
    raw = json.dumps(config, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:12]


def runs_root() -> Path:
    """Where runs and search studies land unless told (``ARCHON_CODE_RUNS``, else ``runs``)."""
    return Path(os.environ.get("ARCHON_CODE_RUNS", "runs"))


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


def iso(t: float | None) -> str | None:
    """A Unix time as local ISO 8601 with its offset, to the second."""
    if t is None:
        return None
    return datetime.fromtimestamp(t, timezone.utc).astimezone().isoformat(timespec="seconds")


class RunStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.records_path = self.path / "records.jsonl"
        self.results_path = self.path / "results.json"
        self.meta_path = self.path / "run.json"
        self.sessions_path = self.path / "sessions.jsonl"
        self.programs_path = self.path / "programs.jsonl"
        self.lock = DirLock(self.path, "run dir")
        self._session: float | None = None
        self._program_keys: set[str] | None = None

    # -- opening and closing ----------------------------------------------------------------

    def open(self, meta: dict[str, Any], *, wait: bool = False,
             on_wait: Callable[[Holder], None] | None = None) -> None:
        """Create the run or check that an existing one was made by the same config, and take
        the run dir's lock (:class:`RunDirBusy` names its holder; ``wait`` waits for it).
        Everything a run will write is checked to be writable here, before any work."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise RunStoreError(f"{self.path}: cannot create the run dir (a file of that name "
                                "exists)") from None
        except OSError as e:
            raise RunStoreError(f"{self.path}: cannot create the run dir ({os_error_text(e)})") from None
        if not self.path.is_dir():
            raise RunStoreError(f"{self.path}: not a directory")
        self.lock.acquire(wait=wait, on_wait=on_wait)
        try:
            self._open(meta)
        except BaseException:
            self.lock.release()
            raise

    def _open(self, meta: dict[str, Any]) -> None:
        if self.meta_path.exists():
            old = self.meta()
            if old.get("config_hash") != meta.get("config_hash"):
                raise RunDirConflict(
                    f"{self.path} holds a run of another config ({old.get('config_hash')} vs "
                    f"{meta.get('config_hash')}); choose another --run-dir"
                )
        else:
            _atomic_write(self.meta_path, json.dumps(meta, indent=2, default=str))
        for path in (self.records_path, self.sessions_path, self.results_path, self.programs_path):
            if path.exists() and not os.access(path, os.W_OK):
                raise RunStoreError(f"{path}: not writable")
        self._repair_tail(self.records_path)
        self._repair_tail(self.sessions_path)
        self._repair_tail(self.programs_path)

    def close(self) -> None:
        self.lock.release()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _repair_tail(self, path: Path) -> None:
        """Cut a torn last line, left by a kill in the middle of a write."""
        if not path.exists():
            return
        try:
            data = path.read_bytes()
            if data and not data.endswith(b"\n"):
                with open(path, "r+b") as f:
                    f.truncate(data.rfind(b"\n") + 1)
                    f.flush()
                    os.fsync(f.fileno())
        except OSError as e:
            raise RunStoreError(f"{path}: cannot repair its torn last line ({os_error_text(e)})") from None

    # -- records ----------------------------------------------------------------------------

    def records(self) -> dict[str, dict]:
        """The newest record of every problem."""
        out: dict[str, dict] = {}
        for rec in _read_lines(self.records_path):
            out[rec["problem"]] = rec
        return out

    def done(self) -> set[str]:
        return {pid for pid, r in self.records().items() if r.get("status") == "ok"}

    def append(self, record: dict) -> None:
        """Append one record, stamped with when it finished."""
        record.setdefault("finished_at", round(time.time(), 3))
        _append_line(self.records_path, json.dumps(record, default=str) + "\n", "a record")

    # -- programs ---------------------------------------------------------------------------

    def programs(self) -> dict[str, dict]:
        """Program key -> {"key", "language", "source"}."""
        return {p["key"]: p for p in _read_lines(self.programs_path, key="key")
                if isinstance(p.get("source"), str) and isinstance(p.get("language"), str)}

    def add_programs(self, programs: list[dict]) -> None:
        """Append the programs ({"key", "language", "source"}) not stored yet, in one write."""
        if self._program_keys is None:
            self._program_keys = set(self.programs())
        fresh = {p["key"]: p for p in programs if p["key"] not in self._program_keys}
        if not fresh:
            return
        lines = "".join(json.dumps({"key": p["key"], "language": p["language"],
                                    "source": p["source"]}) + "\n" for p in fresh.values())
        _append_line(self.programs_path, lines, "the candidate programs")
        self._program_keys.update(fresh)

    # -- sessions and time ------------------------------------------------------------------

    def begin_session(self) -> None:
        self._session = time.time()
        _append_line(self.sessions_path, json.dumps(
            {"event": "start", "t": round(self._session, 3), "pid": os.getpid()}) + "\n", "the session start")

    def end_session(self) -> float:
        """Record the session's end; returns its wall seconds."""
        if self._session is None:
            return 0.0
        now = time.time()
        wall = now - self._session
        _append_line(self.sessions_path, json.dumps(
            {"event": "end", "t": round(now, 3), "wall_s": round(wall, 3)}) + "\n", "the session end")
        self._session = None
        return wall

    def timing(self) -> dict[str, Any]:
        """The run's time over every session: summed wall seconds, first start, last end. A
        session killed before its end counts until its last record."""
        sessions: list[list[float | None]] = []  # [start, end]
        for ev in _read_lines(self.sessions_path, key="event"):
            t = ev.get("t")
            if not isinstance(t, (int, float)):
                continue
            if ev["event"] == "start":
                sessions.append([float(t), None])
            elif ev["event"] == "end" and sessions and sessions[-1][1] is None:
                sessions[-1][1] = float(t)
        finished = sorted(r["finished_at"] for r in self.records().values()
                          if isinstance(r.get("finished_at"), (int, float)))
        now = time.time()
        wall, last = 0.0, None
        for i, (start, end) in enumerate(sessions):
            if end is None:
                if i == len(sessions) - 1 and self._session is not None:
                    end = now  # this process's own session, still going
                else:
                    nxt = sessions[i + 1][0] if i + 1 < len(sessions) else float("inf")
                    inside = [t for t in finished if start <= t < nxt]
                    end = inside[-1] if inside else start
            wall += max(0.0, end - start)
            last = end
        return {"wall_s": round(wall, 3), "sessions": len(sessions),
                "started_at": iso(sessions[0][0]) if sessions else None, "ended_at": iso(last)}

    # -- run.json and results.json ----------------------------------------------------------

    def write_results(self, results: dict) -> None:
        _atomic_write(self.results_path, json.dumps(results, indent=2, default=str))

    def meta(self) -> dict:
        data = read_json(self.meta_path, RunStoreError, _MOVE_IT)
        if not isinstance(data, dict):
            raise RunStoreError(f"{self.meta_path}: expected a JSON object; move it away or "
                                "choose another --run-dir")
        return data

    def results(self) -> dict | None:
        if not self.results_path.exists():
            return None
        data = read_json(self.results_path, RunStoreError, _MOVE_IT)
        return data if isinstance(data, dict) else None


_MOVE_IT = "; move it away or choose another --run-dir"


def read_json(path: Path, error: Callable[[str], Exception], advice: str = "") -> Any:
    """The JSON in ``path``; an unreadable or malformed file raises ``error`` with one line
    naming the file (and, when malformed, the line), then ``advice``."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise error(f"{path}: unreadable ({e})") from None
    except json.JSONDecodeError as e:
        raise error(f"{path}: not valid JSON (line {e.lineno}: {e.msg}){advice}") from None


def _read_lines(path: Path, key: str | None = "problem") -> list[dict]:
    """The whole JSON objects of a JSONL file (with ``key``, when given); a torn last line
    and lines that are not such objects are skipped."""
    out: list[dict] = []
    try:
        f = open(path, encoding="utf-8")
    except FileNotFoundError:
        return out
    except OSError as e:
        raise RunStoreError(f"{path}: unreadable ({os_error_text(e)})") from None
    with f:
        for line in f:
            if not line.endswith("\n"):
                break
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and (key is None or key in rec):
                out.append(rec)
    return out


def _append_line(path: Path, line: str, what: str) -> None:
    """Append and flush one line; on failure cut the file back to its old length, so a full
    disk leaves no torn line, and say which file could not take it."""
    data = line.encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as e:
        raise RunStoreError(f"{path}: cannot write {what} ({os_error_text(e)})") from None
    try:
        size = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError as e:
            try:
                os.ftruncate(fd, size)
            except OSError:
                pass  # the next open repairs a torn last line anyway
            raise RunStoreError(f"{path}: cannot write {what} ({os_error_text(e)}); what it held "
                                "before is kept") from None
    finally:
        os.close(fd)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise RunStoreError(f"{path}: cannot write ({os_error_text(e)}); the previous version "
                            "is kept" if path.exists() else
                            f"{path}: cannot write ({os_error_text(e)})") from None
