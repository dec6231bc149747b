"""Run `archon-code` as a user does: in its own process, with its exit status and output."""

from __future__ import annotations

import os
import subprocess
import sys

CLI = [sys.executable, "-c", "from harness.cli import main; main()"]


def run_cli(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """`archon-code ARGS...`; env adds to (or overrides) this process's environment."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
