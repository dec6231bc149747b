"""Shared by the pyrun tests: the corpus, the host fork server, and output comparison."""

from __future__ import annotations

import ast
import base64
import json
import os
import re
import resource
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "fixtures" / "pyrun_corpus"
HOST_SCRIPT = HERE / "pyrun_host.py"
# The supervisor's environment for a test, with the paths of this machine.
SUPERVISOR_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/work", "LANG": "C.UTF-8",
                  "TMPDIR": "/tmp"}


@dataclass(frozen=True)
class CorpusProgram:
    path: Path
    in_process: bool  # "# path: in-process" (else "fresh")
    inputs: tuple[bytes, ...]
    varies: bool  # "# output: varies": differs from run to run in a fresh interpreter
    exercises: str = field(compare=False)

    @property
    def name(self) -> str:
        return self.path.name


def corpus() -> list[CorpusProgram]:
    out = []
    for path in sorted(CORPUS.glob("*.py")):
        text = path.read_text()
        header = re.findall(r"^# (\w[\w ]*): (.*)$", text, re.M)
        fields: dict[str, list[str]] = {}
        for key, value in header:
            fields.setdefault(key, []).append(value)
        exercises = re.match(r"# Exercises: (.*?)\n(?!#  )", text, re.S)
        out.append(CorpusProgram(
            path=path,
            in_process=fields["path"] == ["in-process"],
            inputs=tuple(ast.literal_eval(v) for v in fields.get("stdin", ["b''"])),
            varies=fields.get("output") == ["varies"],
            exercises=exercises.group(1) if exercises else "",
        ))
    return out


@dataclass(frozen=True)
class Outcome:
    status: int  # exit status, or minus the signal that ended the process
    stdout: bytes
    stderr: bytes

    def comparable(self) -> tuple[int, bytes, bytes]:
        """Addresses (object reprs) differ from run to run in any interpreter."""
        return self.status, self.stdout, re.sub(rb"0x[0-9a-f]+", b"0x?", self.stderr)


def _status(wait_status: int) -> int:
    if os.WIFSIGNALED(wait_status):
        return -os.WTERMSIG(wait_status)
    return os.WEXITSTATUS(wait_status)


class PyrunHost:
    """tests/pyrun_host.py as a long-lived fork server, started with `env`."""

    def __init__(self, env: dict[str, str], cwd: str) -> None:
        self.env = env
        self.cwd = cwd
        self.proc = subprocess.Popen(
            [sys.executable, str(HOST_SCRIPT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env=env, cwd=cwd, text=True,
        )

    def _ask(self, req: dict) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"pyrun_host died with status {self.proc.wait()}")
        return json.loads(line)

    def reason(self, path: Path, env: dict[str, str] | None = None) -> str | None:
        return self._ask({"mode": "reason", "path": str(path), "env": env or self.env})["reason"]

    def run(self, path: Path, stdin: bytes = b"", *, env: dict[str, str] | None = None,
            rlimits: dict[str, tuple[int, int]] | None = None, mode: str = "preload") -> Outcome:
        reply = self._ask({
            "mode": mode, "path": str(path), "env": env or self.env, "cwd": self.cwd,
            "stdin": base64.b64encode(stdin).decode(), "rlimits": rlimits or {},
        })
        return Outcome(_status(reply["status"]), base64.b64decode(reply["stdout"]),
                       base64.b64decode(reply["stderr"]))

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(30)


def run_fresh(path: Path, stdin: bytes, env: dict[str, str], cwd: str,
              rlimits: dict[str, tuple[int, int]] | None = None) -> Outcome:
    """`python3 path` as a plain subprocess with the same environment, stdin and limits."""

    def limit() -> None:
        os.setsid()
        for name, value in (rlimits or {}).items():
            resource.setrlimit(getattr(resource, name), value)

    p = subprocess.run([sys.executable, str(path)], input=stdin, env=env, cwd=cwd,
                       capture_output=True, preexec_fn=limit, timeout=120)
    return Outcome(p.returncode, p.stdout, p.stderr)
