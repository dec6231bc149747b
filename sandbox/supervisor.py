"""Sandbox supervisor: runs whole jobs (one program plus all its tests) sent over stdin.

Standard library only: this file is copied into the sandbox image and also runs on the host
for the weaker `local` backend. It is started once per container and lives as long as it.

Wire format, both directions: a 4-byte big-endian length, a JSON header of that length, then
the raw blobs whose byte lengths the header lists under "blobs". Candidate output is only
ever carried inside blobs, so nothing a program prints can forge a header.

Processes:
  supervisor (privileged, holds the job)  --fds over a unix socket-->  fork server
  fork server (privileged, holds no job data; preloaded interpreter)
      └── one child per test: new session, rlimits, drops to the candidate uid, then
          either runs the Python program in-process (no interpreter start-up) or execs.
After every test, everything the candidate uid left behind is killed and its files, IPC
objects and queues are wiped, so nothing carries over to the next test or job.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import resource
import select
import signal
import socket
import struct
import sys
import time
import types

if __package__:
    from . import pyrun
else:  # run as a script, in the image or by the local backend: pyrun.py is beside it
    import pyrun

PROTOCOL = 1
SETUP_FAILED = 121  # exit code of a child whose set-up (not the program) failed
WALL_CAP_FACTOR = 10  # a program still computing may run this many wall backstops at most
STDERR_KEEP = 8192
COMPILE_OUTPUT_KEEP = 16384
PR_SET_CHILD_SUBREAPER = 36
PR_SET_PDEATHSIG = 1
MEMORY_MARKERS = (b"MemoryError", b"std::bad_alloc", b"Cannot allocate memory", b"out of memory")
# Modules that contest programs import; loading them once in the fork server is what makes a
# Python test cost a fork instead of an interpreter start-up.
PRELOAD = pyrun.PRELOAD


# ---------------------------------------------------------------- framing


def read_exact(fd: int, n: int) -> bytes:
    chunks = []
    while n:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            raise EOFError
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def read_frame(fd: int) -> tuple[dict, list[bytes]]:
    (n,) = struct.unpack(">I", read_exact(fd, 4))
    header = json.loads(read_exact(fd, n))
    return header, [read_exact(fd, size) for size in header.get("blobs", [])]


def write_frame(fd: int, header: dict, blobs: list[bytes] = ()) -> None:
    header = dict(header, blobs=[len(b) for b in blobs])
    raw = json.dumps(header).encode()
    data = b"".join([struct.pack(">I", len(raw)), raw, *blobs])
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


# ---------------------------------------------------------------- fork server


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _child_setup(req: dict, errpipe: int) -> None:
    """Runs in the freshly forked child, still privileged. Raises on any failure."""
    os.setsid()
    for sig in range(1, signal.NSIG):
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass
    try:
        # The OOM killer must pick the candidate, never the supervisor.
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass
    fds = req["_fds"]
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.set_inheritable(target, True)
    os.closerange(3, errpipe)
    os.closerange(errpipe + 1, 1 << 16)
    os.chdir(req["cwd"])
    for name, (soft, hard) in req["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (soft, hard))
    uid = req.get("uid")
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    if req.get("input_file"):
        # The input lives in a file the program opens itself; stdin still holds it too.
        with open(req["input_file"], "wb") as f:
            os.lseek(0, 0, os.SEEK_SET)
            while True:
                chunk = os.read(0, 1 << 20)
                if not chunk:
                    break
                f.write(chunk)
        os.lseek(0, 0, os.SEEK_SET)


def _prepare_python(path: str, env: dict) -> None:
    """Give this forked interpreter what `python3 path` with env would start with."""
    pyrun.prepare(path, env)


def _run_python_in_process(path: str, main: types.ModuleType | None = None) -> int:
    return pyrun.run(path)


def _spawn(req: dict) -> int:
    errread, errwrite = os.pipe2(os.O_CLOEXEC)
    pid = os.fork()
    if pid == 0:
        try:
            os.close(errread)
            _child_setup(req, errwrite)
            if req["mode"] == "python":
                main = _prepare_python(req["argv"][0], req["env"])
                os.close(errwrite)
                os._exit(_run_python_in_process(req["argv"][0], main))
            elif req["mode"] == "pycheck":
                os.close(errwrite)
                with open(req["argv"][0], "rb") as f:
                    compile(f.read(), req["argv"][0], "exec")
                os._exit(0)
            else:
                os.execve(req["argv"][0], req["argv"], req["env"])
        except SyntaxError as e:
            import traceback

            sys.stderr = open(2, "w", closefd=False)
            traceback.print_exception(type(e), e, None)
            sys.stderr.flush()
            os._exit(1)
        except BaseException as e:
            try:
                os.write(errwrite, f"{type(e).__name__}: {e}".encode()[:2000])
            finally:
                os._exit(SETUP_FAILED)
    os.close(errwrite)
    req["_errread"] = errread
    return pid


def _read_all(fd: int) -> bytes:
    out = []
    while True:
        b = os.read(fd, 65536)
        if not b:
            return b"".join(out)
        out.append(b)


def _children() -> list[int]:
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def _uid_processes(uid: int, exclude: int) -> list[int]:
    """Live (not zombie) processes of uid, other than exclude."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == exclude:
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as f:
                fields = dict(line.split(b":", 1) for line in f.read().splitlines() if b":" in line)
        except OSError:
            continue
        if int(fields.get(b"Uid", b"-1 ").split()[0]) == uid and not fields.get(
            b"State", b""
        ).strip().startswith(b"Z"):
            found.append(int(name))
    return found


def _kill_descendants(uid: int | None, timeout_s: float = 5.0) -> bool:
    """Kill every process the candidate left, and reap them all. With a uid of its own the
    candidate is wiped out by kill(-1) from that uid; without one (local backend) the
    fork server's children are killed until none is left, orphans having been re-parented
    here. Returns False if something survived the deadline."""
    if uid is not None:
        helper = os.fork()
        if helper == 0:
            code = 1
            try:
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                # Effective uid = the candidate's, so kill(-1) reaches all its processes;
                # real and saved uid = one nobody has, so none of them can signal (stop or
                # kill) this helper while it works. Signal permission compares the sender's
                # real/effective uid with the target's real/saved uid.
                other = uid + 1 if uid + 1 < 0xFFFFFFFF else uid - 1
                os.setresuid(other, uid, other)
                end = time.monotonic() + timeout_s
                # kill(-1) reports success whenever any other process exists, so "done" is
                # decided by looking: no process of this uid but the helper itself.
                while time.monotonic() < end:
                    os.kill(-1, signal.SIGKILL)
                    if not _uid_processes(uid, exclude=os.getpid()):
                        code = 0
                        break
                    time.sleep(0.0005)
            finally:
                os._exit(code)
    deadline = time.monotonic() + timeout_s
    while True:
        if uid is None:
            for pid in _children():
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.0005)


def _reap_finished() -> bool:
    """Reap children that already ended; True if some are still running."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True


def fork_server(sock: socket.socket, uid: int | None) -> None:
    """Forks one child per request and reports its pid, then its exit status and usage.

    It never receives job data: only file descriptors (stdin memfd, stdout memfd, stderr
    pipe) and paths. As child subreaper it inherits the candidate's orphans, so it knows
    exactly whether anything is left and can reap it."""
    pyrun.warm()
    libc = _libc()
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 16, 8)
        except (EOFError, ConnectionError):
            os._exit(0)
        if not msg:
            os._exit(0)
        req = json.loads(msg)
        if req["op"] == "kill":
            ok = _kill_descendants(uid)
            sock.sendall(json.dumps({"killed": ok}).encode() + b"\n")
            continue
        req["_fds"] = fds
        start = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        pid = _spawn(req)
        for fd in fds:
            os.close(fd)
        sock.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        setup_error = _read_all(req["_errread"])
        os.close(req["_errread"])
        while True:
            try:
                _, status, ru = os.wait4(pid, 0)
                break
            except InterruptedError:
                continue
        wall = time.monotonic() - start
        left = _reap_finished()
        if left:
            # Kill what the program left behind now, so that the CPU time of every process
            # it made is counted below, also of those it never waited for (work handed to
            # a child and collected through a pipe must not escape the time limit).
            left = not _kill_descendants(uid)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        reply = {
            "status": status,
            "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "maxrss_kb": ru.ru_maxrss,
            "wall_s": wall,
            "setup_error": setup_error.decode(errors="replace"),
            "children_left": left,
        }
        sock.sendall(json.dumps(reply).encode() + b"\n")


# ---------------------------------------------------------------- supervisor


class Supervisor:
    def __init__(self, args: argparse.Namespace):
        self.uid = args.uid
        self.local = args.local
        self.work = args.work
        self.box = args.box
        self.scratch = [p for p in args.scratch if os.path.isdir(p)]
        if not self.local and os.path.isdir("/dev/mqueue"):
            self.scratch.append("/dev/mqueue")
        self.python = sys.executable or "/usr/bin/python3"
        self.cxx = args.cxx
        self.preload = not args.no_preload
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            parent.close()
            os.closerange(3, child.fileno())
            os.closerange(child.fileno() + 1, 1 << 16)
            fork_server(child, self.uid)
            os._exit(0)
        child.close()
        self.fs_pid = pid
        self.fs = parent
        self._buf = b""

    def _line(self, timeout: float | None) -> dict | None:
        """The next JSON line from the fork server, or None on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fs], [], [], left)
            if not ready:
                return None
            chunk = self.fs.recv(65536)
            if not chunk:
                raise RuntimeError("fork server died")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    # -- one process through the fork server
    def spawn(self, *, mode, argv, stdin_fd, stdout_fd, rlimits, wall_s, input_file=None,
              cpu_limit_s=None):
        """Returns (reply, stderr_head, killed). The child is killed at the wall-clock
        backstop, or as soon as its CPU time passes cpu_limit_s (RLIMIT_CPU only counts whole
        seconds, so waiting for it would let a spinning program run up to a second longer)."""
        err_r, err_w = os.pipe()
        req = {
            "op": "spawn",
            "mode": mode,
            "argv": argv,
            "env": {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "HOME": self.work,
                "LANG": "C.UTF-8",
                "TMPDIR": self.work if self.local else "/tmp",
            },
            "cwd": self.work,
            "uid": self.uid,
            "rlimits": rlimits,
            "input_file": input_file,
        }
        try:
            socket.send_fds(self.fs, [json.dumps(req).encode()], [stdin_fd, stdout_fd, err_w])
        finally:
            os.close(err_w)
        stderr, kept, killed, err_open = [], 0, False, True
        try:
            pid = self._line(30.0)["pid"]
            start = time.monotonic()
            deadline = start + wall_s
            next_cpu = start + cpu_limit_s if cpu_limit_s else None
            hard_deadline = start + WALL_CAP_FACTOR * wall_s
            progress = None  # (time, CPU seconds) at the last look past the backstop
            while b"\n" not in self._buf:
                now = time.monotonic()
                if killed:
                    wait = 10.0
                else:
                    wait = deadline - now
                    if next_cpu is not None:
                        wait = min(wait, next_cpu - now)
                    wait = max(0.0, wait)
                ready, _, _ = select.select([self.fs, err_r] if err_open else [self.fs], [], [], wait)
                if not ready:
                    if killed:
                        raise RuntimeError("fork server did not report a killed child")
                    now = time.monotonic()
                    if next_cpu is not None and now < deadline:
                        used = _cpu_seconds(pid)
                        if used is None or used <= cpu_limit_s:
                            left = cpu_limit_s - used if used is not None else 0.0
                            next_cpu = now + max(0.02, left)
                            continue
                    if next_cpu is not None and now < hard_deadline:
                        # Past the backstop but still computing (a twentieth of a core or
                        # more): starved by a busy machine, not stuck. The CPU limit still
                        # holds; look again shortly. A blocked or sleeping program is killed.
                        used = _cpu_seconds(pid)
                        if used is not None and (
                            progress is None or used - progress[1] >= 0.05 * (now - progress[0])
                        ):
                            progress = (now, used)
                            deadline = now + 1.0
                            continue
                    killed = True
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    continue
                if err_r in ready:
                    b = os.read(err_r, 65536)
                    if not b:
                        err_open = False
                    elif kept < STDERR_KEEP:
                        stderr.append(b[: STDERR_KEEP - kept])
                        kept += len(stderr[-1])
                if self.fs in ready:
                    chunk = self.fs.recv(65536)
                    if not chunk:
                        raise RuntimeError("fork server died")
                    self._buf += chunk
            reply = self._line(0)
            while err_open and kept < STDERR_KEEP:
                # What the program wrote just before it ended is still in the pipe.
                r, _, _ = select.select([err_r], [], [], 0)
                b = os.read(err_r, 65536) if r else b""
                if not b:
                    break
                stderr.append(b[: STDERR_KEEP - kept])
                kept += len(stderr[-1])
        finally:
            os.close(err_r)
        if killed or reply["children_left"]:
            self.kill_leftovers()
        return reply, b"".join(stderr), killed

    # -- cleanup between tests
    def _files_left(self) -> bool:
        for d in [self.work, *self.scratch]:
            try:
                if os.listdir(d):
                    return True
            except OSError:
                return True
        if self.local:
            return False
        for kind in ("shm", "sem", "msg"):
            try:
                with open(f"/proc/sysvipc/{kind}") as f:
                    if len(f.readlines()) > 1:
                        return True
            except OSError:
                pass
        return False

    def kill_leftovers(self) -> None:
        req = json.dumps({"op": "kill"}).encode()
        socket.send_fds(self.fs, [req], [])
        reply = self._line(15.0)
        if reply is None or not reply["killed"]:
            raise RuntimeError("candidate processes survived cleanup")

    def cleanup(self, output_file: str | None = None, output_fd: int | None = None) -> None:
        """Wipe what the candidate wrote (its processes are gone by now). When the problem
        writes its answer to a file, that file is copied into output_fd first."""
        if not output_file and not self._files_left():
            return
        if self.local:
            self._copy_output(output_file, output_fd)
            for d in [self.work, *self.scratch]:
                _wipe(d)
            return
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                os.setgroups([])
                os.setresgid(self.uid, self.uid, self.uid)
                os.setresuid(self.uid, self.uid, self.uid)
                self._copy_output(output_file, output_fd)
                for d in [self.work, *self.scratch]:
                    _wipe(d)
                _remove_ipc()
            except BaseException:
                code = 4
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or self._files_left():
            raise RuntimeError("could not wipe the candidate's files")

    def _copy_output(self, output_file: str | None, output_fd: int | None) -> None:
        if not output_file or output_fd is None:
            return
        try:
            fd = os.open(os.path.join(self.work, output_file), os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return  # no answer file: judged like empty output
        try:
            os.lseek(output_fd, 0, os.SEEK_SET)
            os.ftruncate(output_fd, 0)
            while True:
                b = os.read(fd, 1 << 20)
                if not b:
                    break
                _write_all(output_fd, b)
        finally:
            os.close(fd)

    # -- limits
    @staticmethod
    def rlimits(limits: dict, *, cpu_s: float, memory_mb: int, fsize: int, nproc: int) -> dict:
        # RLIMIT_CPU is a backstop only (the supervisor kills at the exact limit): a whole
        # second of slack, as the kernel samples CPU time coarsely on a busy machine.
        cpu = math.ceil(cpu_s) + 1
        mem = memory_mb << 20
        return {
            "RLIMIT_CPU": (cpu, cpu + 1),
            "RLIMIT_AS": (mem, mem),
            "RLIMIT_STACK": (min(mem, 256 << 20), min(mem, 256 << 20)),
            "RLIMIT_FSIZE": (fsize, fsize),
            "RLIMIT_NOFILE": (limits["open_files"], limits["open_files"]),
            "RLIMIT_NPROC": (nproc, nproc),
            "RLIMIT_CORE": (0, 0),
        }

    # -- a job
    def run_job(self, header: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        limits = header["limits"]
        language = header["language"]
        source, inputs = blobs[0], blobs[1:]
        input_file = header.get("input_file") or None
        output_file = header.get("output_file") or None
        self.cleanup()
        compile_info = {"verdict": None, "output": "", "time_s": 0.0}
        if language == "python":
            path = os.path.join(self.box, "main.py")
            _write_private(path, source)
            if self.preload:
                run = {"mode": "python", "argv": [path]}
            else:
                run = {"mode": "exec", "argv": [self.python, path]}
            check = {"mode": "pycheck", "argv": [path]}
            compile_info = self._build(check, limits)
        elif language == "cpp" and header.get("prebuilt"):
            # The host kept the binary this program compiled to in an earlier job.
            _write_private(os.path.join(self.box, "main.bin"), source, mode=0o755)
            compile_info = {"verdict": None, "output": header.get("compile_output", ""),
                            "time_s": 0.0, "cached": True}
            run = {"mode": "exec", "argv": [os.path.join(self.box, "main.bin")]}
        elif language == "cpp":
            src = os.path.join(self.box, "main.cpp")
            _write_private(src, source)
            out = os.path.join(self.work, "main.bin")
            build = {
                "mode": "exec",
                "argv": [self.cxx, "-std=c++17", "-O2", "-pipe", "-o", out, src],
            }
            compile_info = self._build(build, limits, artifact=out)
            run = {"mode": "exec", "argv": [os.path.join(self.box, "main.bin")]}
        else:
            return {"ok": False, "error": f"unsupported language {language!r}"}, []
        results, out_blobs = [], []
        max_failures = header.get("max_failures")
        failures = 0
        if compile_info["verdict"] is None:
            for data in inputs:
                meta, stdout, stderr = self._run_test(run, data, limits, input_file, output_file)
                results.append(meta)
                out_blobs += [stdout, stderr]
                failures += meta["verdict"] != "run_ok"
                if max_failures and failures >= max_failures:
                    break  # the caller asked not to spend more on a failing program
        reply = {"ok": True, "compile": compile_info, "tests": results}
        if (language == "cpp" and header.get("return_binary") and compile_info["verdict"] is None
                and not compile_info.get("cached")):
            with open(os.path.join(self.box, "main.bin"), "rb") as f:
                out_blobs.insert(0, f.read())
            reply["binary"] = True
        for name in ("main.py", "main.cpp", "main.bin"):
            try:
                os.unlink(os.path.join(self.box, name))
            except FileNotFoundError:
                pass
        return reply, out_blobs

    def _build(self, req: dict, limits: dict, artifact: str | None = None) -> dict:
        stdin_fd = os.open(os.devnull, os.O_RDONLY)
        out_fd = os.memfd_create("build-out")
        t0 = time.monotonic()
        try:
            rl = self.rlimits(
                limits,
                cpu_s=limits["compile_time_s"],
                memory_mb=limits["compile_memory_mb"],
                fsize=64 << 20,
                nproc=max(limits["processes"], 16),
            )
            reply, err, killed = self.spawn(
                stdin_fd=stdin_fd,
                stdout_fd=out_fd,
                rlimits=rl,
                wall_s=limits["compile_time_s"] * 2 + 5,
                **req,
            )
            os.lseek(out_fd, 0, os.SEEK_SET)
            text = (os.read(out_fd, COMPILE_OUTPUT_KEEP) + err).decode(errors="replace")
        finally:
            os.close(stdin_fd)
            os.close(out_fd)
        info = {"verdict": None, "output": text[:COMPILE_OUTPUT_KEEP], "time_s": 0.0}
        info["time_s"] = round(time.monotonic() - t0, 4)
        if reply.get("setup_error"):
            info["verdict"] = "SE"
            info["output"] = "sandbox set-up failed: " + reply["setup_error"]
        elif killed or os.waitstatus_to_exitcode(reply["status"]) != 0:
            info["verdict"] = "CE"
            if killed or reply["cpu_s"] >= limits["compile_time_s"]:
                info["output"] = "compilation exceeded its time limit\n" + info["output"]
        elif artifact:
            try:
                dst = os.path.join(self.box, os.path.basename(artifact))
                fd = os.open(artifact, os.O_RDONLY | os.O_NOFOLLOW)
                with os.fdopen(fd, "rb") as f:
                    data = f.read(256 << 20)
                _write_private(dst, data, mode=0o755)
            except OSError as e:
                info["verdict"] = "CE"
                info["output"] += f"\nno executable produced: {e}"
        self.cleanup()
        return info

    def _run_test(self, run: dict, data: bytes, limits: dict, input_file, output_file):
        stdin_fd = os.memfd_create("stdin")
        stdout_fd = os.memfd_create("stdout")
        output_cap = limits["output_mb"] << 20
        try:
            _write_all(stdin_fd, data)
            os.lseek(stdin_fd, 0, os.SEEK_SET)
            rl = self.rlimits(
                limits,
                cpu_s=limits["time_s"],
                memory_mb=limits.get("address_space_mb") or limits["memory_mb"],
                fsize=max(output_cap, limits["file_size_mb"] << 20) + 1,
                nproc=limits["processes"],
            )
            reply, stderr, killed = self.spawn(
                stdin_fd=stdin_fd,
                stdout_fd=stdout_fd,
                rlimits=rl,
                wall_s=limits["wall_s"],
                cpu_limit_s=limits["time_s"],
                input_file=os.path.join(self.work, input_file) if input_file else None,
                **run,
            )
            self.cleanup(output_file, stdout_fd)
            size = os.fstat(stdout_fd).st_size
            os.lseek(stdout_fd, 0, os.SEEK_SET)
            stdout = _read_n(stdout_fd, min(size, output_cap))
        finally:
            os.close(stdin_fd)
            os.close(stdout_fd)
        meta = classify(reply, stderr, killed, size, limits)
        return meta, stdout, stderr


def classify(reply: dict, stderr: bytes, killed: bool, stdout_size: int, limits: dict) -> dict:
    """Turn what happened to a test process into a verdict (WA/OK are decided by the
    caller, who holds the expected output: here "run_ok" means the program ran cleanly)."""
    status = reply["status"]
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    meta = {
        "wall_s": round(reply["wall_s"], 4),
        "cpu_s": round(reply["cpu_s"], 4),
        "memory_bytes": reply["maxrss_kb"] * 1024,
        "exit_code": code,
        "signal": sig,
    }
    mem_limit = limits["memory_mb"] << 20
    if reply.get("setup_error"):
        verdict, detail = "SE", "sandbox set-up failed: " + reply["setup_error"]
    elif reply["cpu_s"] > limits["time_s"] or sig == signal.SIGXCPU:
        verdict, detail = "TLE", f"CPU time {reply['cpu_s']:.2f}s over {limits['time_s']}s"
    elif killed:
        verdict, detail = "TLE", f"wall-clock backstop {limits['wall_s']}s reached"
    elif stdout_size > (limits["output_mb"] << 20) or sig == signal.SIGXFSZ:
        verdict, detail = "OLE", f"output over {limits['output_mb']} MB"
    elif code == 0:
        verdict, detail = "run_ok", ""
    elif any(m in stderr for m in MEMORY_MARKERS) or (
        # A segfault is a crash: a runaway recursion also ends at the address-space limit
        # (the stack counts in it), so peak memory alone says nothing about the cause.
        sig != signal.SIGSEGV and meta["memory_bytes"] >= 0.95 * mem_limit
    ):
        verdict, detail = "MLE", f"memory limit {limits['memory_mb']} MB"
    elif sig == signal.SIGKILL and meta["memory_bytes"] >= 0.8 * mem_limit:
        verdict, detail = "MLE", "killed near the memory limit"
    else:
        verdict = "RE"
        detail = f"killed by signal {sig}" if sig is not None else f"exit code {code}"
    meta["verdict"] = verdict
    meta["detail"] = detail
    return meta


_CLK_TCK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a running process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_n(fd: int, n: int) -> bytes:
    chunks = []
    while n > 0:
        b = os.read(fd, min(n, 1 << 22))
        if not b:
            break
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def _write_private(path: str, data: bytes, mode: int = 0o644) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    try:
        _write_all(fd, data)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def _wipe(root: str) -> None:
    """Remove everything under root that this process may remove, whatever its modes and
    however deep. Each round deletes what is not a directory at the top and lifts the
    contents of every top directory up into root, then removes it: no recursion and no
    path longer than root/dir/name, so a tree thousands of levels deep is no obstacle."""
    lifted = 0
    while True:
        try:
            entries = os.listdir(root)
        except OSError:
            return
        progress = False
        for name in entries:
            path = os.path.join(root, name)
            if not os.path.isdir(path) or os.path.islink(path):
                try:
                    os.unlink(path)
                    progress = True
                except OSError:
                    pass
                continue
            try:
                os.chmod(path, 0o700)
                inner = os.listdir(path)
            except OSError:
                inner = []
            for sub in inner:
                src = os.path.join(path, sub)
                lifted += 1
                try:
                    if os.path.isdir(src) and not os.path.islink(src):
                        os.chmod(src, 0o700)  # moving a directory needs write access to it
                    os.rename(src, os.path.join(root, f".wiped-{lifted}"))
                    progress = True
                except OSError:
                    pass
            try:
                os.rmdir(path)
                progress = True
            except OSError:
                pass
        if not progress:
            return


def _remove_ipc() -> None:
    """Remove System V IPC objects the candidate uid created (they outlive processes)."""
    libc = _libc()
    ipc_rmid = 0
    for kind, fn, idcol in (("shm", "shmctl", 1), ("msg", "msgctl", 1), ("sem", "semctl", 1)):
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if fn == "semctl":
                libc.semctl(int(cols[idcol]), 0, ipc_rmid, 0)
            else:
                getattr(libc, fn)(int(cols[idcol]), ipc_rmid, None)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--uid", type=int, default=None, help="the candidate uid (container mode)")
    p.add_argument("--local", action="store_true", help="no uid switch: weaker isolation")
    p.add_argument("--work", default="/work")
    p.add_argument("--box", default="/box")
    p.add_argument("--scratch", action="append", default=[], help="other dirs wiped per test")
    p.add_argument("--cxx", default="/usr/bin/g++")
    p.add_argument("--no-preload", action="store_true", help="start a fresh interpreter per test")
    args = p.parse_args(argv)
    if not args.local and args.uid is None:
        p.error("--uid is required unless --local")
    # The protocol owns the original stdin/stdout; stray prints must not corrupt it.
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    for fd in (proto_in, proto_out):
        os.set_inheritable(fd, False)
    sup = Supervisor(args)
    write_frame(
        proto_out,
        {"ready": True, "protocol": PROTOCOL, "python": sys.version.split()[0], "pid": os.getpid()},
    )
    while True:
        try:
            header, blobs = read_frame(proto_in)
        except EOFError:
            return 0
        op = header.get("op")
        try:
            if op == "ping":
                sup.cleanup()
                write_frame(proto_out, {"ok": True, "pong": True})
            elif op == "run":
                reply, out = sup.run_job(header, blobs)
                write_frame(proto_out, reply, out)
            else:
                write_frame(proto_out, {"ok": False, "error": f"unknown op {op!r}"})
        except Exception as e:  # the host replaces a supervisor that reports this
            write_frame(proto_out, {"ok": False, "error": f"{type(e).__name__}: {e}"})
            if isinstance(e, RuntimeError):
                return 3


if __name__ == "__main__":
    sys.exit(main())
