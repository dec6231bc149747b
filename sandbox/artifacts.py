"""What programs compiled to, kept so that a program compiles once: in memory for a pool's
life, and optionally on disk, where builds survive across pools, runs and the Ray nodes that
share the directory.

A build depends on the source, the language's build command and the compiler, so the key
covers the source, the language, its build command and the sandbox image (the compiler's
identity). Only successful builds are kept: a compile error may come from a machine too
loaded to finish within the compile time limit, and is cheap to get again.

The bytes stored are what a sandbox built from untrusted source: they are only ever sent back
into a sandbox, never executed or unpacked on the host.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

@dataclass(frozen=True)
class Build:
    artifact: bytes
    compile_output: str


def build_key(image: str, language: str, build_argv: list[str] | tuple[str, ...], source: str) -> str:
    h = hashlib.sha256()
    for part in (image, language, json.dumps(list(build_argv)), source):
        data = part.encode()
        h.update(b"%d\0" % len(data))
        h.update(data)
    return h.hexdigest()


class ArtifactCache:
    """A bounded LRU of builds in memory, backed by a directory when one is given.

    The directory is shared by design (several pools, processes or hosts): entries are
    written to a temporary name and renamed into place, so a reader sees a whole entry or
    none; the directory is trimmed to ``disk_bytes``, oldest first."""

    def __init__(self, directory: str | os.PathLike | None = None, *,
                 memory_bytes: int = 256 << 20, disk_bytes: int = 2 << 30) -> None:
        self.directory = Path(directory).expanduser() if directory is not None else None
        self.memory_bytes = memory_bytes
        self.disk_bytes = disk_bytes
        self._mem: OrderedDict[str, Build] = OrderedDict()
        self._mem_size = 0
        self._lock = threading.Lock()
        self._writes = 0

    def get(self, key: str) -> Build | None:
        with self._lock:
            build = self._mem.get(key)
            if build is not None:
                self._mem.move_to_end(key)
                return build
        build = self._read(key)
        if build is not None:
            with self._lock:
                self._remember(key, build)
        return build

    def put(self, key: str, build: Build) -> None:
        if len(build.artifact) > self.memory_bytes // 4:
            return
        with self._lock:
            if key in self._mem:
                return
            self._remember(key, build)
        self._write(key, build)

    def _remember(self, key: str, build: Build) -> None:
        self._mem[key] = build
        self._mem_size += len(build.artifact)
        while self._mem_size > self.memory_bytes:
            _, old = self._mem.popitem(last=False)
            self._mem_size -= len(old.artifact)

    # ---------------------------------------------------------------- disk

    def _paths(self, key: str) -> tuple[Path, Path]:
        assert self.directory is not None
        d = self.directory / key[:2]
        return d / f"{key}.bin", d / f"{key}.json"

    def _read(self, key: str) -> Build | None:
        if self.directory is None:
            return None
        binary, meta = self._paths(key)
        try:
            info = json.loads(meta.read_text())
            artifact = binary.read_bytes()
        except (OSError, ValueError):
            return None
        if not isinstance(info, dict) or info.get("sha256") != hashlib.sha256(artifact).hexdigest():
            return None  # torn or tampered with: build again
        try:
            os.utime(meta)  # recently used: trimmed last
        except OSError:
            pass
        return Build(artifact, str(info.get("compile_output", "")))

    def _write(self, key: str, build: Build) -> None:
        if self.directory is None:
            return
        binary, meta = self._paths(key)
        try:
            binary.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(binary, build.artifact)
            info = {"sha256": hashlib.sha256(build.artifact).hexdigest(),
                    "compile_output": build.compile_output}
            _write_atomic(meta, json.dumps(info).encode())
        except OSError:
            return  # a cache that cannot be written is only slower
        self._writes += 1
        if self._writes % 32 == 1:
            self._trim()

    def _trim(self) -> None:
        assert self.directory is not None
        entries = []
        for meta in self.directory.glob("*/*.json"):
            binary = meta.with_suffix(".bin")
            try:
                entries.append((meta.stat().st_mtime, binary.stat().st_size, meta, binary))
            except OSError:
                continue
        total = sum(e[1] for e in entries)
        for _, size, meta, binary in sorted(entries, key=lambda e: e[0]):
            if total <= self.disk_bytes:
                break
            for path in (meta, binary):
                try:
                    path.unlink()
                except OSError:
                    pass
            total -= size


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

