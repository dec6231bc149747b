"""One process at a time in a run or study directory: an fcntl lock on a file inside it.

The lock file also says who holds it (pid, host, since when), so a second process can name
the holder instead of doing all the work again beside it. The kernel drops the lock when
its holder dies, however it dies, so a stale lock file never blocks anyone.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

LOCK_FILE = ".lock"


class DirError(Exception):
    """A run or study directory that cannot be used; the message names the path."""


class DirBusy(DirError):
    """Another process holds the directory's lock."""


@dataclass(frozen=True)
class Holder:
    pid: int | None
    host: str | None
    since: str | None

    def describe(self) -> str:
        if self.pid is None:
            return "another process"
        return (f"pid {self.pid} on {self.host or 'an unknown host'}"
                + (f" since {self.since}" if self.since else ""))


def os_error_text(e: OSError) -> str:
    return e.strerror or str(e)


class DirLock:
    """``acquire()`` takes the lock (or raises :class:`DirBusy`, or waits with
    ``wait=True``); ``release()`` gives it back. Re-entrant within one object."""

    def __init__(self, folder: Path, what: str = "run dir") -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self.what = what
        self._file = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, *, wait: bool = False, on_wait: Callable[[Holder], None] | None = None) -> None:
        if self._file is not None:
            return
        try:
            f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        except OSError as e:
            raise DirError(f"{self.folder}: cannot write in the {self.what} ({os_error_text(e)})") from None
        try:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise DirError(f"{self.path}: cannot lock ({os_error_text(e)})") from None
                holder = self.holder()
                if not wait:
                    raise DirBusy(f"{self.folder} is in use by {holder.describe()}; wait for it "
                                  f"with --wait, or choose another {self.what}") from None
                if on_wait is not None:
                    on_wait(holder)
                fcntl.flock(f, fcntl.LOCK_EX)
            self._write_holder(f)
        except BaseException:
            f.close()
            raise
        self._file = f

    def _write_holder(self, f) -> None:
        since = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
        try:
            f.seek(0)
            f.truncate()
            f.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": since}) + "\n")
            f.flush()
        except OSError as e:
            raise DirError(f"{self.path}: cannot write ({os_error_text(e)})") from None

    def holder(self) -> Holder:
        """Who holds the lock, as its holder wrote it (unknown while it is being written)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        pid = data.get("pid")
        return Holder(pid if isinstance(pid, int) else None, data.get("host"), data.get("since"))

    def release(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            finally:
                self._file = None
