"""A minimal fork server on the host for the pyrun tests, shaped like the supervisor's.

Run as a script (`python tests/pyrun_host.py`): it calls pyrun.warm() once, then reads one
JSON request per line from stdin and answers one JSON line on stdout. A request names a
program, its environment, its stdin, a working directory, rlimits and a mode:

  "preload"  fork; the child resets signals, sets up fds 0-2, rlimits and the working
             directory as the supervisor's child does, then pyrun.prepare() + pyrun.run()
  "fresh"    the same child, but it execs `python3 path` (the supervisor without preload)
  "reason"   no child: pyrun.fresh_reason(path, env)

The answer carries the raw wait status and what the program wrote to stdout and stderr.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import signal
import sys
import tempfile

from sandbox import pyrun


def _child(req: dict, stdin_path: str, out_path: str, err_path: str) -> None:
    try:
        os.setsid()
        for sig in range(1, signal.NSIG):
            if sig in (signal.SIGKILL, signal.SIGSTOP):
                continue
            try:
                signal.signal(sig, signal.SIG_DFL)
            except (OSError, ValueError):
                pass
        fds = [os.open(stdin_path, os.O_RDONLY), os.open(out_path, os.O_WRONLY),
               os.open(err_path, os.O_WRONLY)]
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(3, 1 << 16)
        os.chdir(req["cwd"])
        for name, (soft, hard) in req.get("rlimits", {}).items():
            resource.setrlimit(getattr(resource, name), (soft, hard))
        if req["mode"] == "fresh":
            os.execve(sys.executable, [sys.executable, req["path"]], req["env"])
        pyrun.prepare(req["path"], req["env"])
        os._exit(pyrun.run(req["path"]))
    except BaseException as e:  # a broken harness, not a program result
        os.write(2, f"pyrun_host child failed: {type(e).__name__}: {e}\n".encode())
        os._exit(121)


def _write_file(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def _read_file(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def serve() -> None:
    """Like the supervisor's fork server, this holds no object with a finalizer when it
    forks (no file objects, no temporary-directory objects): a child's shutdown then sees
    only what its program made, as in the sandbox."""
    pyrun.warm()
    protocol_in, protocol_out = sys.stdin.fileno(), sys.stdout.fileno()
    pending = b""
    while True:
        while b"\n" not in pending:
            chunk = os.read(protocol_in, 1 << 20)
            if not chunk:
                return
            pending += chunk
        line, pending = pending.split(b"\n", 1)
        req = json.loads(line)
        if req["mode"] == "reason":
            reply = {"reason": pyrun.fresh_reason(req["path"], req["env"])}
        else:
            tmp = tempfile.mkdtemp(prefix="pyrun-host-")
            paths = [os.path.join(tmp, name) for name in ("stdin", "stdout", "stderr")]
            _write_file(paths[0], base64.b64decode(req["stdin"]))
            for p in paths[1:]:
                _write_file(p, b"")
            pid = os.fork()
            if pid == 0:
                _child(req, *paths)
            _, status = os.waitpid(pid, 0)
            stdout, stderr = _read_file(paths[1]), _read_file(paths[2])
            for p in paths:
                os.unlink(p)
            os.rmdir(tmp)
            reply = {"status": status, "stdout": base64.b64encode(stdout).decode(),
                     "stderr": base64.b64encode(stderr).decode()}
        data = (json.dumps(reply) + "\n").encode()
        while data:
            data = data[os.write(protocol_out, data):]


if __name__ == "__main__":
    serve()
