"""On-disk cache of LLM responses, one row per sample.

A row is keyed by the sha256 of (model, messages, parameters, sample index). Keying by the
sample index, rather than by the whole request, is what makes sample counts extensible: a run
that asks for 20 samples after an earlier run cached 10 finds indices 0..9 and only asks the
provider for 10..19, and an identical re-run costs nothing.

Only whole answers are kept: an empty answer (a provider fault) or one cut at ``max_tokens``
(finish reason "length") is never written, and one that an older version wrote is never
served, so a fault is asked about again instead of being replayed forever.

sqlite in WAL mode lets several processes (parallel runs sharing one cache) read while one
writes; ``busy_timeout`` makes writers wait for each other instead of failing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CACHE_DIR_ENV = "ARCHON_CODE_CACHE_DIR"
CACHE_FILENAME = "llm.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    sample_index INTEGER NOT NULL,
    text TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost_usd REAL NOT NULL,
    latency_s REAL NOT NULL,
    created_at REAL NOT NULL
)
"""

BUILD_CACHE_ENV = "ARCHON_CODE_BUILD_CACHE"


def default_cache_path() -> Path:
    """``$ARCHON_CODE_CACHE_DIR/llm.sqlite``, else ``~/.cache/archon-code/llm.sqlite``."""
    directory = os.environ.get(CACHE_DIR_ENV)
    base = Path(directory).expanduser() if directory else Path.home() / ".cache" / "archon-code"
    return base / CACHE_FILENAME


def default_build_cache_dir() -> Path:
    """Where compiled programs are kept across runs: ``$ARCHON_CODE_BUILD_CACHE``, else
    ``builds`` beside the LLM cache."""
    explicit = os.environ.get(BUILD_CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    return default_cache_path().parent / "builds"


def cache_key(
    model: str,
    messages: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    sample_index: int,
) -> str:
    """Stable key for one sample. Parameters set to ``None`` count as absent."""
    payload = {
        "model": model,
        "messages": list(messages),
        "params": {k: v for k, v in sorted(params.items()) if v is not None},
        "sample_index": sample_index,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedResponse:
    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    latency_s: float


def cacheable(response: CachedResponse) -> bool:
    """A whole answer: not empty, not truncated."""
    return bool(response.text.strip()) and response.finish_reason != "length"


@dataclass(frozen=True)
class CacheStats:
    path: Path
    entries: int
    entries_by_model: dict[str, int]
    size_bytes: int
    hits: int  # lookups answered by this instance since it was opened
    misses: int


class ResponseCache:
    """A sqlite-backed response cache, safe to share between threads and processes."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        self._conn = sqlite3.connect(self.path, timeout=30.0, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA busy_timeout = 30000")
        self._conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL is durable across application crashes in WAL mode; only an OS crash can
        # lose the last commits, and a lost cache row only costs a repeated request.
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute(_SCHEMA)

    def get(self, key: str) -> CachedResponse | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, CachedResponse]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, CachedResponse] = {}
        with self._lock:
            # Chunked to stay under sqlite's host-parameter limit.
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    "SELECT key, text, finish_reason, prompt_tokens, completion_tokens, cost_usd, latency_s"
                    f" FROM responses WHERE key IN ({marks})",
                    chunk,
                ).fetchall()
                for key, *fields in rows:
                    response = CachedResponse(*fields)
                    if cacheable(response):
                        found[key] = response
            self._hits += len(found)
            self._misses += len(wanted) - len(found)
        return found

    def put(self, key: str, response: CachedResponse, *, model: str, sample_index: int) -> None:
        """Keep one sample; an empty or truncated one is not kept (see :func:`cacheable`)."""
        if not cacheable(response):
            return
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO responses (key, model, sample_index, text, finish_reason,"
                " prompt_tokens, completion_tokens, cost_usd, latency_s, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    model,
                    sample_index,
                    response.text,
                    response.finish_reason,
                    response.prompt_tokens,
                    response.completion_tokens,
                    response.cost_usd,
                    response.latency_s,
                    time.time(),
                ),
            )

    def clear(self, model: str | None = None) -> int:
        """Delete every entry, or only those of ``model``; returns how many were deleted."""
        with self._lock:
            if model is None:
                cursor = self._conn.execute("DELETE FROM responses")
            else:
                cursor = self._conn.execute("DELETE FROM responses WHERE model = ?", (model,))
            return cursor.rowcount

    def stats(self) -> CacheStats:
        with self._lock:
            by_model = dict(self._conn.execute("SELECT model, COUNT(*) FROM responses GROUP BY model").fetchall())
            hits, misses = self._hits, self._misses
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return CacheStats(
            path=self.path,
            entries=sum(by_model.values()),
            entries_by_model=by_model,
            size_bytes=size,
            hits=hits,
            misses=misses,
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
