"""Sandbox supervisor: runs whole jobs (one program plus all its tests) sent over stdin.

Standard library only: this file (with its siblings pyrun.py and seccomp_filter.py) is copied
into the sandbox image and also runs on the host for the weaker `local` backend. It is started
once per container and lives as long as it.

Wire format, both directions: a 4-byte big-endian length, a JSON header of that length, then
the raw blobs whose byte lengths the header lists under "blobs". Candidate output is only
ever carried inside blobs, so nothing a program prints can forge a header. A job's inputs are
read one at a time, just before their test, and every test's result is sent as soon as it is
known (one frame per test): the supervisor holds one test's data at a time, whatever the job.

Processes, per test:
  supervisor (privileged, holds the job)  --fds over a unix socket-->  fork server
  fork server (privileged, preloaded interpreter, holds no job data)
    └── X: joins the test's cgroup; then (namespaces mode) drops to the candidate uid and
        makes the test's own user, mount, pid and ipc namespaces: fresh tmpfs on /work and
        /tmp, a /proc that lists no process. It waits for the program, kills whatever the
        program left, collects the answer file (or the build's artifact) and reports.
        ├── Y: pid 1 of the test's pid namespace, idle; when X kills it, the kernel kills
        │   every process of the namespace.
        └── Z: the program, pid 2: drops every capability (and, without namespaces, the
            uid), installs the candidate's seccomp filter, then runs in-process (preloaded
            Python) or execs.
A test's memory (all its processes, memfds and tmpfs files), CPU time and process count are
its cgroup's, so no program can spread its use over processes or files to escape a limit, and
no program can make the kernel's OOM killer pick the supervisor. When the namespaces or the
cgroups are not available, the supervisor says so at start-up and falls back to per-process
rlimits and a wipe of /work and /tmp after each test (the weaker `local` backend always does).
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import gc
import json
import math
import os
import resource
import select
import signal
import socket
import stat
import struct
import sys
import time
import zipfile

PROTOCOL = 2
SETUP_FAILED = 121  # exit code of a child whose set-up (not the program) failed
LOOK_S = 0.25  # how often a running test's CPU time is read
# Past its wall backstop, a test whose threads ran or waited to run for this share of the
# time is computing (starved by a loaded machine), not blocked: it goes on until its CPU
# limit stops it.
MIN_DEMAND = 0.25
RATE_WINDOW_S = 1.0
# However starved, a test ends by then (a safety: a machine that gives a runnable program
# less than a sixtieth of a core for so long cannot judge anything).
HARD_CAP_CPU_FACTOR = 60


def hard_cap_s(wall_s: float, cpu_s: float) -> float:
    """The longest a test can run."""
    return wall_s + HARD_CAP_CPU_FACTOR * cpu_s + 10.0
STDERR_KEEP = 8192
COMPILE_OUTPUT_KEEP = 16384
ARTIFACT_MAX = 256 << 20
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 1, 32, 4096, 8192, 16384, 1 << 18
MEMORY_MARKERS = (b"MemoryError", b"std::bad_alloc", b"Cannot allocate memory", b"out of memory",
                  b"OutOfMemoryError")
# Files of /proc a program may read in the namespaces mode: they describe the machine, not
# other processes. /proc/self/fd is the test's own (so /dev/stdin works).
PROC_FILES = ("cpuinfo", "meminfo", "stat", "uptime", "version", "loadavg", "filesystems")
CANDIDATE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
# Pid 1 of a test's pid namespace (see _start_init).
INIT_PROGRAM = next((p for p in ("/bin/sleep", "/usr/bin/sleep") if os.access(p, os.X_OK)), None)

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
try:
    import pyrun  # the preloaded Python fast path
except ImportError:  # pragma: no cover - shipped together
    pyrun = None  # type: ignore[assignment]
try:
    import seccomp_filter  # the candidate's own seccomp filter
except ImportError:
    seccomp_filter = None  # type: ignore[assignment]
import checker  # the output rules, to stop a job at its first wrong answer


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


def read_header(fd: int) -> dict:
    (n,) = struct.unpack(">I", read_exact(fd, 4))
    return json.loads(read_exact(fd, n))


def copy_into(src: int, dst: int, n: int) -> None:
    """Move n bytes of the protocol stream into a file, a megabyte at a time."""
    while n:
        b = os.read(src, min(n, 1 << 20))
        if not b:
            raise EOFError
        _write_all(dst, b)
        n -= len(b)


def skip(fd: int, n: int) -> None:
    while n:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            raise EOFError
        n -= len(b)


class FdBlob:
    """A blob sent straight from a file (the kernel copies it: no copy in this process)."""

    def __init__(self, fd: int, size: int) -> None:
        self.fd, self.size = fd, size


def write_frame(fd: int, header: dict, blobs: list = ()) -> None:
    header = dict(header, blobs=[b.size if isinstance(b, FdBlob) else len(b) for b in blobs])
    raw = json.dumps(header).encode()
    _write_all(fd, struct.pack(">I", len(raw)) + raw)
    for b in blobs:
        if isinstance(b, FdBlob):
            offset, left = 0, b.size
            while left:
                sent = os.sendfile(fd, b.fd, offset, left)
                if sent == 0:
                    raise OSError(errno.EIO, "short file")
                offset += sent
                left -= sent
        elif b:
            _write_all(fd, b)


# ---------------------------------------------------------------- libc


_LIBC = None


def libc():
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC


def _check(rc: int, what: str) -> None:
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    _check(libc().mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                        ctypes.c_ulong(flags), data.encode() if data else None), f"mount {target}")


def _write_file(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_all_capabilities() -> None:
    """Empty the bounding, ambient, effective, permitted and inheritable sets."""
    lc = libc()
    for cap in range(64):
        if lc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
            break
    lc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    _check(lc.capset(ctypes.byref(header), data), "capset")


# ---------------------------------------------------------------- cgroups


class Cgroups:
    """Per-test cgroups under the hierarchies the host bind-mounted at ``root`` (cgroup v1:
    one directory per controller, each the host's ``<hierarchy>/archon-code``).

    Each worker owns ``w<uid>`` in every controller and reuses one test group in it, reset
    before every test. The files it reads and writes per test stay open: a test costs a
    handful of reads and writes, not a handful of opens."""

    CONTROLLERS = ("memory", "cpuacct", "pids")
    # Whatever a test left charged (the page cache of files it read first) is reclaimed
    # before the next test: it would count in the next test's peak, and which files are
    # cached is state the next test could read (by timing its own reads).
    LEFTOVER_BYTES = 0

    def __init__(self, root: str, uid: int) -> None:
        self.dirs: dict[str, str] = {}
        for ctl in self.CONTROLLERS:
            base = os.path.join(root, ctl)
            if not os.path.isdir(base):
                raise OSError(errno.ENOENT, f"no {ctl} hierarchy at {base}")
            d = os.path.join(base, f"w{uid}", "test")
            os.makedirs(d, exist_ok=True)
            self.dirs[ctl] = d
        self.memsw = os.path.exists(self._path("memory", "memory.memsw.limit_in_bytes"))
        self._fds: dict[str, int] = {}
        self._limits: tuple[int, int] | None = None
        self._oom_base = 0
        self.procs_files = [self._path(ctl, "cgroup.procs") for ctl in self.CONTROLLERS]

    def _path(self, ctl: str, name: str) -> str:
        return os.path.join(self.dirs[ctl], name)

    def _fd(self, ctl: str, name: str, flags: int) -> int:
        key = f"{ctl}/{name}/{flags}"
        fd = self._fds.get(key)
        if fd is None:
            fd = self._fds[key] = os.open(self._path(ctl, name), flags | os.O_CLOEXEC)
        return fd

    def _set(self, ctl: str, name: str, value: int) -> None:
        os.pwrite(self._fd(ctl, name, os.O_WRONLY), str(value).encode(), 0)

    def _get(self, ctl: str, name: str) -> str:
        return os.pread(self._fd(ctl, name, os.O_RDONLY), 4096, 0).decode()

    def prepare(self, memory_bytes: int, pids: int) -> None:
        """Before a test: limits set, peak and CPU counters at zero."""
        mem = "memory.memsw" if self.memsw else "memory"
        if int(self._get("memory", f"{mem}.usage_in_bytes")) > self.LEFTOVER_BYTES:
            try:
                self._set("memory", "memory.force_empty", 0)
            except OSError:
                pass
        if self._limits != (memory_bytes, pids):
            # memsw (memory + swap) must stay >= the memory limit whichever way it moves.
            if self.memsw:
                current = int(self._get("memory", "memory.limit_in_bytes"))
                order = ["memory.memsw.limit_in_bytes", "memory.limit_in_bytes"]
                for name in order if memory_bytes > current else order[::-1]:
                    self._set("memory", name, memory_bytes)
            else:
                self._set("memory", "memory.limit_in_bytes", memory_bytes)
            self._set("pids", "pids.max", pids)
            self._limits = (memory_bytes, pids)
        self._set("memory", f"{mem}.max_usage_in_bytes", 0)
        self._set("cpuacct", "cpuacct.usage", 0)
        self._oom_base = self._oom_kills()

    def _oom_kills(self) -> int:
        for line in self._get("memory", "memory.oom_control").splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def cpu_s(self) -> float:
        return int(self._get("cpuacct", "cpuacct.usage")) / 1e9

    def peak_bytes(self) -> int:
        mem = "memory.memsw" if self.memsw else "memory"
        return int(self._get("memory", f"{mem}.max_usage_in_bytes"))

    def oom_killed(self) -> int:
        return self._oom_kills() - self._oom_base

    def procs(self) -> list[int]:
        found: set[int] = set()
        for ctl in self.CONTROLLERS:
            # Opened afresh each time: cgroup v1 keeps the pid list of an open file.
            try:
                with open(self._path(ctl, "cgroup.procs")) as f:
                    found.update(int(x) for x in f.read().split())
            except OSError:
                pass
        return sorted(found)

    def threads(self) -> list[int]:
        try:
            with open(self._path("memory", "tasks")) as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def kill_all(self, timeout_s: float = 5.0) -> bool:
        """SIGKILL every process of the test until none is left. True if it emptied."""
        end = time.monotonic() + timeout_s
        while True:
            pids = self.procs()
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if time.monotonic() > end:
                return False
            time.sleep(0.0005)
            _reap_finished()


# ---------------------------------------------------------------- the test's processes


def _x(req: dict, fds: dict, errw: int) -> None:
    """The test's first process (X): sets the test up, runs the program (Z) as its own child,
    so that the program's exit status comes to it straight from the kernel, then removes
    every process the program left, collects the answer file (or the build's artifact) and
    reports. Never returns; runs as root until the uid switch (without namespaces it stays
    root, out of the program's reach, until the program is gone)."""
    z = None
    try:
        os.setsid()
        for sig in _HANDLED_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        lc = libc()
        lc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        for path in req.get("cgroup_procs") or ():
            _write_file(path, str(os.getpid()))
        try:
            # Without cgroups, at least the kernel's OOM killer must pick the candidate.
            _write_file("/proc/self/oom_score_adj", "1000")
        except OSError:
            pass
        for target, key in ((0, "stdin"), (1, "stdout"), (2, "stderr")):
            os.dup2(fds[key], target)
            os.set_inheritable(target, True)
        held = {errw, fds["report"], *[fd for n, fd in fds.items() if n.startswith("collect")]}
        _close_all_but(held)
        for name, (soft, hard) in req["rlimits"].items():
            resource.setrlimit(getattr(resource, name), (soft, hard))
        uid = req.get("uid")
        namespaces = req.get("namespaces")
        init = None
        if namespaces:
            # The user namespace must be the candidate uid's own: switch first.
            _drop_to(uid)
            _enter_namespaces()
            init = _start_init({0, 1, 2, *held}, req.get("seccomp"))
        else:
            lc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        # X tells Z when to start over a socket: unlike a pipe, a socket cannot be opened
        # again through /proc/<pid>/fd, so the program cannot reach it. Raw descriptors, not
        # socket objects: an object with a finalizer made after the fork server froze its
        # heap would stay alive (in this frame) in the program's process, and pyrun's
        # teardown would then clear every module as for the program's own finalizers.
        pair = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        mine, theirs = pair[0].detach(), pair[1].detach()
        del pair
        z = os.fork()
        if z == 0:
            os.close(mine)
            _z(req, errw, theirs)
        os.close(theirs)
        work = req["work"]
        if namespaces:
            _mount_test_dirs(req, z)
        os.chdir(work)
        if req.get("input_file"):
            # Written with the candidate's rights: it is the program's file (and the wipe,
            # which runs with those rights, must be able to remove it).
            if not namespaces and uid is not None:
                os.setegid(uid)
                os.seteuid(uid)
            _place_input(os.path.join(work, req["input_file"]))
            if not namespaces and uid is not None:
                os.seteuid(0)
                os.setegid(0)
        lc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        os.write(mine, b"go")
        os.close(mine)
        os.close(errw)
        errw = -1
        status = _wait(z)
        # Whatever the program left dies now: all of the test's pid namespace with its init,
        # or (without namespaces) every descendant, which come to X as their subreaper.
        if init is not None:
            os.kill(init, signal.SIGKILL)
            _wait(init)
        else:
            _kill_children()
            _drop_to(uid)  # what the program left is collected with its own rights
        report = {"status": status}
        for name, fd in fds.items():
            if name.startswith("collect"):
                report[name] = _collect(req["collect"][name], fd, req["collect_max"])
        os.write(fds["report"], json.dumps(report).encode())
        os._exit(0)
    except BaseException as e:
        try:
            if z:
                os.kill(z, signal.SIGKILL)
            if errw >= 0:
                os.write(errw, f"setup: {type(e).__name__}: {e}".encode()[:2000])
        finally:
            os._exit(SETUP_FAILED)


def _start_init(held: set[int], seccomp: bool) -> int:
    """Y, pid 1 of the test's pid namespace (the first process X makes after unshare). It has
    nothing to do but exist: the program is X's child (pid 2), and when X kills Y the kernel
    kills every other process of the namespace. No program can signal it: init ignores the
    signals of its own namespace that it has no handler for.

    When Z runs under the candidates' seccomp filter (no ptrace for it), Y is `sleep
    infinity`, spawned without copying X (posix_spawn execs it from a vfork: no page tables
    copied, no Python after-fork hooks); it holds no descriptor (``held`` are closed in
    it), and the exec leaves it no capability (its uid is not 0 in the namespace).
    Otherwise, or where the image has no sleep, Y is a fork of X that pauses (_y), made
    untraceable. Y itself runs under the container's profile only: it runs no code a
    program can reach."""
    if seccomp and INIT_PROGRAM is not None:
        # No fallback on failure: once the spawn's clone ran, the namespace's pid 1 has been
        # and gone, and the namespace takes no other process. The test's set-up fails (SE).
        return os.posix_spawn(INIT_PROGRAM, [INIT_PROGRAM, "infinity"], {},
                              file_actions=[(os.POSIX_SPAWN_CLOSE, fd) for fd in sorted(held)])
    pid = os.fork()
    if pid == 0:
        _y()
    return pid


def _y() -> None:
    """Y as a fork of X (see _start_init): untraceable, holds nothing, pauses."""
    try:
        libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        _close_all_but(set())
        drop_all_capabilities()
        while True:
            signal.pause()
    finally:
        os._exit(0)


def _drop_to(uid: int | None) -> None:
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)


def _enter_namespaces() -> None:
    """User, mount, pid and ipc namespaces of the test's own, made with no capability in the
    container: the new user namespace, which this process owns, gives it what it needs."""
    lc = libc()
    # Writing the uid map of this process needs it to be dumpable again after setresuid.
    lc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    me, group = os.getuid(), os.getgid()  # inside, before the maps exist, both read 65534
    _check(lc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
    _write_file("/proc/self/setgroups", "deny")
    _write_file("/proc/self/uid_map", f"{me} {me} 1")
    _write_file("/proc/self/gid_map", f"{group} {group} 1")
    _mount("none", "/", None, MS_REC | MS_PRIVATE, None)


def _mount_test_dirs(req: dict, z: int) -> None:
    """Fresh tmpfs on /work and /tmp, and a /proc that lists no process: only files that
    describe the machine, and self/fd (the program's own) so that /dev/stdin and its kin
    work."""
    opts = f"size={req['tmpfs_mb']}m,mode=0755,nr_inodes=65536"
    flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
    # /proc is staged on /tmp: its files are bound from the real /proc before it is hidden.
    _mount("tmpfs", "/tmp", "tmpfs", flags, "size=1m,mode=0755")
    for name in PROC_FILES:
        target = f"/tmp/{name}"
        open(target, "w").close()
        try:
            _mount(f"/proc/{name}", target, None, MS_BIND, None)
        except OSError:
            os.unlink(target)
    os.makedirs("/tmp/self/fd")
    _mount(f"/proc/{z}/fd", "/tmp/self/fd", None, MS_BIND, None)
    _mount("/tmp", "/proc", None, MS_MOVE, None)
    _mount("none", "/proc", None, MS_REMOUNT | MS_RDONLY | MS_BIND | flags, None)
    _mount("tmpfs", "/tmp", "tmpfs", flags, opts)
    _mount("tmpfs", req["work"], "tmpfs", flags, opts)
    drop_all_capabilities()


def _place_input(path: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    try:
        os.lseek(0, 0, os.SEEK_SET)
        while True:
            chunk = os.read(0, 1 << 20)
            if not chunk:
                break
            _write_all(fd, chunk)
    finally:
        os.close(fd)
    os.lseek(0, 0, os.SEEK_SET)


def _collect(name: str, out_fd: int, limit: int) -> dict:
    """Copy the file or directory the program (or build) left at ``name`` into out_fd. Only
    a regular file, or a directory of regular files (packed as a zip), is taken: a FIFO, a
    socket, a device or a symlink in its place counts as nothing written."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(name, flags)
    except PermissionError:
        try:
            # The program made it unreadable; it is this uid's own file, so a judge reads it.
            if stat.S_ISREG(os.lstat(name).st_mode):
                os.chmod(name, 0o600)
            fd = os.open(name, flags)
        except OSError as e:
            return {"found": False, "why": os.strerror(e.errno or 0)}
    except OSError as e:
        return {"found": False, "why": os.strerror(e.errno or 0)}
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            return _collect_dir(name, out_fd, limit)
        if not stat.S_ISREG(st.st_mode):
            return {"found": False, "why": "not a regular file"}
        os.set_blocking(fd, True)
        size = 0
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            if size + len(b) > limit:
                return {"found": True, "size": size, "truncated": True}
            _write_all(out_fd, b)
            size += len(b)
        return {"found": True, "size": size}
    finally:
        os.close(fd)


def _collect_dir(name: str, out_fd: int, limit: int) -> dict:
    total = 0
    with os.fdopen(os.dup(out_fd), "wb") as out, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for dirpath, dirnames, filenames in os.walk(name, followlinks=False):
            for f in sorted(filenames):
                path = os.path.join(dirpath, f)
                st = os.lstat(path)
                if not stat.S_ISREG(st.st_mode):
                    continue
                total += st.st_size
                if total > limit:
                    return {"found": True, "truncated": True}
                z.write(path, os.path.relpath(path, name))
    return {"found": True, "size": total, "packed": "zip"}


def _z(req: dict, errw: int, sock: int) -> None:
    """The program (Z). Waits until X has set the test up, gives up every privilege, then
    runs the program in-process (preloaded Python) or execs it. Never returns."""
    stage = "setup"
    try:
        lc = libc()
        lc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        _close_all_but({errw, sock})
        if os.read(sock, 16) != b"go":
            os._exit(SETUP_FAILED)  # X failed, and says why
        os.close(sock)
        # A session of its own: a signal to "its process group" (kill(0, ...)) must reach
        # the program's processes only, never X, which shares the candidate uid.
        os.setsid()
        os.chdir(req["work"])
        if req.get("namespaces"):
            drop_all_capabilities()
        else:
            # Without namespaces X stays root, out of the program's reach.
            _drop_to(req.get("uid"))
        # A program is dumpable, as after an exec: its own children may read /proc/self/fd.
        lc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
        _check(lc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        if req.get("seccomp"):
            seccomp_filter.install_candidate_filter()
        argv = req["argv"]
        if req["mode"] == "python":
            pyrun.prepare(argv[0], req["env"])
            os.close(errw)
            os._exit(pyrun.run(argv[0]))
        if req["mode"] == "pycheck":
            os.close(errw)
            os._exit(pyrun.check(argv[0]))
        os.set_inheritable(errw, False)
        stage = "exec" if req.get("artifact") else "setup"
        os.execvpe(argv[0], argv, req["env"])
    except BaseException as e:
        what = f"cannot execute {req['argv'][0]}: {e}" if stage == "exec" else f"{type(e).__name__}: {e}"
        try:
            os.write(errw, f"{stage}: {what}".encode()[:2000])
        finally:
            os._exit(SETUP_FAILED)


def _kill_children() -> None:
    """Kill and reap every descendant (this process is their subreaper)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        kids = _children()
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            while True:
                pid, _ = os.waitpid(-1, os.WNOHANG if kids else 0)
                if pid == 0:
                    break
        except ChildProcessError:
            return
        time.sleep(0.0005)


def _wait(pid: int) -> int:
    while True:
        try:
            return os.waitpid(pid, 0)[1]
        except InterruptedError:
            continue


def _close_all_but(keep: set[int]) -> None:
    """Close every descriptor above 2 except those in keep."""
    low = 3
    for fd in sorted(k for k in keep if k >= 3):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)


def _read_all(fd: int) -> bytes:
    out = []
    while True:
        b = os.read(fd, 65536)
        if not b:
            os.close(fd)
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


def _kill_uid(uid: int | None, timeout_s: float = 5.0) -> bool:
    """Kill every process of the candidate uid and reap what comes back here. With no uid of
    its own (local backend) the fork server's descendants are killed instead. Returns False
    if something survived the deadline."""
    if uid is not None:
        helper = os.fork()
        if helper == 0:
            code = 1
            try:
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                # Effective uid = the candidate's, so kill(-1) reaches all its processes;
                # real and saved uid = one nobody has, so none of them can signal (stop or
                # kill) this helper while it works.
                other = uid + 1 if uid + 1 < 0xFFFFFFFF else uid - 1
                os.setresuid(other, uid, other)
                end = time.monotonic() + timeout_s
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


# ---------------------------------------------------------------- fork server


# Signals the interpreter handles on its own (SIGINT, SIGPIPE, SIGXFSZ): a test's processes
# start with the default disposition of every signal, as after an exec.
_HANDLED_SIGNALS: list[int] = []


def fork_server(sock: socket.socket, uid: int | None) -> None:
    """Forks X per request and reports its pid, then how it ended.

    It never receives job data: only file descriptors and paths. As child subreaper it
    inherits whatever a test leaves outside its namespaces (none of it can, in the namespaces
    mode), so it knows whether anything is left, and can reap it."""
    if pyrun is not None:
        pyrun.warm()
    if seccomp_filter is not None:
        try:
            seccomp_filter.assembled_candidate_program()  # once, not once per test
        except (seccomp_filter.SeccompError, ValueError):
            pass  # a test that needs it fails its set-up, and says why
    _HANDLED_SIGNALS[:] = [
        sig for sig in signal.valid_signals()
        if sig not in (signal.SIGKILL, signal.SIGSTOP)
        and signal.getsignal(sig) not in (signal.SIG_DFL, None)
    ]
    # Objects made so far are kept out of garbage collection: a collection in a forked test
    # process would otherwise write to (and so copy) every page they live on.
    gc.freeze()
    lc = libc()
    lc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    lc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 16, 16)
        except (EOFError, ConnectionError):
            os._exit(0)
        if not msg:
            os._exit(0)
        req = json.loads(msg)
        if req["op"] == "kill":
            ok = _kill_uid(uid)
            sock.sendall(json.dumps({"killed": ok}).encode() + b"\n")
            continue
        named = dict(zip(req["fds"], fds))
        errr, errw = os.pipe2(os.O_CLOEXEC)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.close(errr)
            _x(req, named, errw)
        os.close(errw)
        for fd in fds:
            os.close(fd)
        sock.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        error = _read_all(errr)
        status = _wait(pid)
        wall = time.monotonic() - start
        left = _reap_finished()
        if left:
            # Something outlived the test (only possible without namespaces): kill it now,
            # so that the CPU time of every process it made is counted below.
            left = not _kill_uid(uid)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        reply = {
            "c1": status,
            "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
            "maxrss_kb": after.ru_maxrss,
            "wall_s": wall,
            "error": error.decode(errors="replace"),
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
        self.tmpfs_mb = args.tmpfs_mb
        self.scratch = [p for p in args.scratch if os.path.isdir(p)]
        if not self.local and os.path.isdir("/dev/mqueue"):
            self.scratch.append("/dev/mqueue")
        self.python = sys.executable or "/usr/bin/python3"
        self.preload = not args.no_preload
        self.notes: list[str] = []
        self.cgroups: Cgroups | None = None
        if args.cgroup_root and self.uid is not None:
            try:
                self.cgroups = Cgroups(args.cgroup_root, self.uid)
            except OSError as e:
                self.notes.append(f"no per-test cgroups ({e}): memory is limited per process")
        elif not self.local:
            self.notes.append("no per-test cgroups: memory is limited per process")
        self.seccomp = False
        if not self.local and seccomp_filter is not None:
            ok, why = seccomp_filter.filter_supported()
            self.seccomp = ok
            if not ok:
                self.notes.append(f"no seccomp filter for programs: {why}")
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
        self.namespaces = False
        if not self.local and not args.no_namespaces:
            self.namespaces, why = self._probe_namespaces()
            if not self.namespaces:
                self.notes.append(f"no per-test namespaces ({why}): /work and /tmp are wiped "
                                  "between tests instead")

    def status(self) -> dict:
        return {"cgroups": self.cgroups is not None, "namespaces": self.namespaces,
                "seccomp": self.seccomp, "notes": self.notes}

    def _probe_namespaces(self) -> tuple[bool, str]:
        """Run one trivial test with namespaces: they work here, or here is why not."""
        req = self._request("exec", ["/bin/true"], self._rlimits(5, 256, 1 << 20, 16), True)
        out = self._spawn_quiet(req)
        if out["error"]:
            return False, out["error"].split(": ", 1)[-1]
        return True, ""

    def _spawn_quiet(self, req: dict) -> dict:
        fds = {}
        opened = []
        try:
            fds["stdin"] = os.open(os.devnull, os.O_RDONLY)
            fds["stdout"] = os.open(os.devnull, os.O_WRONLY)
            fds["stderr"] = os.open(os.devnull, os.O_WRONLY)
            rr, rw = os.pipe()
            fds["report"] = rw
            opened = list(fds.values())
            reply, _ = self._exchange(req, fds)
            os.close(rw)
            opened.remove(rw)
            _read_all(rr)
            return reply
        finally:
            for fd in opened:
                os.close(fd)

    def _exchange(self, req: dict, fds: dict) -> tuple[dict, int]:
        req = dict(req, fds=list(fds))
        socket.send_fds(self.fs, [json.dumps(req).encode()], list(fds.values()))
        pid = self._line(30.0)["pid"]
        return self._line(None), pid

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

    def _request(self, mode: str, argv: list[str], rlimits: dict, namespaces: bool,
                 env_extra: dict | None = None, **extra) -> dict:
        env = dict(CANDIDATE_ENV, HOME=self.work, TMPDIR=self.work if self.local else "/tmp")
        env.update(env_extra or {})
        req = {
            "op": "spawn", "mode": mode, "argv": argv, "env": env, "work": self.work,
            "uid": self.uid, "rlimits": rlimits, "namespaces": namespaces,
            "tmpfs_mb": self.tmpfs_mb, "seccomp": self.seccomp and namespaces,
            "cgroup_procs": self.cgroups.procs_files if self.cgroups else None,
            "collect": {}, "collect_max": ARTIFACT_MAX,
        }
        req.update(extra)
        return req

    # -- one process tree through the fork server
    def spawn(self, req: dict, *, stdin_fd: int, out_fd: int, output_cap: int, wall_s: float,
              cpu_limit_s: float | None, collect: dict[str, tuple[str, int]] | None = None):
        """Run one test's process tree. The program's stdout (a pipe) is drained into out_fd
        up to output_cap (then it is killed), stderr's head is kept. Killed at the CPU limit
        (all its processes together) or, when it stops computing, at the wall backstop.
        Returns (fork server reply, X's report, stderr head, killed, output size)."""
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC)
        rep_r, rep_w = os.pipe2(os.O_CLOEXEC)
        fds = {"stdin": stdin_fd, "stdout": out_w, "stderr": err_w, "report": rep_w}
        req = dict(req)
        for name, (path, fd) in (collect or {}).items():
            fds[name] = fd
            req["collect"][name] = path
        try:
            req = dict(req, fds=list(fds))
            socket.send_fds(self.fs, [json.dumps(req).encode()], list(fds.values()))
        finally:
            for fd in (out_w, err_w, rep_w):
                os.close(fd)
        stderr, kept, killed, size, over = [], 0, None, 0, False
        report = b""
        open_fds = {out_r: "out", err_r: "err", rep_r: "rep"}
        try:
            pid = self._line(30.0)["pid"]
            start = time.monotonic()
            deadline = start + wall_s
            hard_deadline = start + hard_cap_s(wall_s, cpu_limit_s)
            next_look = start + min(LOOK_S, wall_s, cpu_limit_s)
            # Whether a test still wants CPU is judged over windows of at least
            # RATE_WINDOW_S, on its time running or waiting to run (a starved program on a
            # loaded machine may get no CPU at all for a second, but it waits to run).
            mark = (start, 0.0)
            while b"\n" not in self._buf:
                wait = 10.0 if killed else max(0.0, next_look - time.monotonic())
                ready, _, _ = select.select([self.fs, *open_fds], [], [], wait)
                if not ready:
                    if killed:
                        raise RuntimeError("fork server did not report a killed test")
                    now = time.monotonic()
                    used = self._cpu(pid)
                    if used is not None and used > cpu_limit_s:
                        killed = "cpu"
                    elif now < deadline:
                        next_look = min(deadline, now + LOOK_S)
                        if now - mark[0] >= RATE_WINDOW_S:
                            mark = (now, self._demand(pid)[0])
                        continue
                    else:
                        demand, runnable = self._demand(pid)
                        window = now - mark[0]
                        if window < RATE_WINDOW_S and not runnable:
                            next_look = mark[0] + RATE_WINDOW_S
                            continue
                        # A thread that has waited to run for all of the window shows no
                        # progress in its statistics until it runs: its state says it.
                        wants_cpu = runnable or demand - mark[1] >= MIN_DEMAND * window
                        mark = (now, demand)
                        if wants_cpu and now < hard_deadline:
                            # Past the backstop but running or waiting to run: starved by
                            # a busy machine, not stuck. CPU time decides its verdict. A
                            # program that blocks or sleeps is killed at the backstop.
                            next_look = now + LOOK_S
                            continue
                        killed = "wall"
                    self._kill_test(pid)
                    continue
                for fd in ready:
                    if fd is self.fs:
                        chunk = self.fs.recv(65536)
                        if not chunk:
                            raise RuntimeError("fork server died")
                        self._buf += chunk
                        continue
                    kind = open_fds[fd]
                    if kind == "out":
                        n = self._drain_out(fd, out_fd, output_cap - size + 1)
                        if n == 0:
                            del open_fds[fd]
                            os.close(fd)
                        size += n
                        if size > output_cap and not over:
                            over = True
                            killed = killed or "output"
                            self._kill_test(pid)
                            del open_fds[fd]
                            os.close(fd)
                    elif kind == "err":
                        b = os.read(fd, 65536)
                        if not b:
                            del open_fds[fd]
                            os.close(fd)
                        elif kept < STDERR_KEEP:
                            stderr.append(b[: STDERR_KEEP - kept])
                            kept += len(stderr[-1])
                    else:
                        b = os.read(fd, 65536)
                        if not b:
                            del open_fds[fd]
                            os.close(fd)
                        report += b
            reply = self._line(0)
            # What the program wrote just before it ended is still in the pipes; no writer
            # is left by now (the test's processes are gone), so each read ends.
            for fd, kind in list(open_fds.items()):
                os.set_blocking(fd, False)
                while True:
                    try:
                        if kind == "out":
                            n = self._drain_out(fd, out_fd, output_cap - size + 1)
                            size += n
                            if n == 0 or size > output_cap:
                                over = over or size > output_cap
                                break
                            continue
                        b = os.read(fd, 65536)
                    except BlockingIOError:
                        break
                    if not b:
                        break
                    if kind == "err" and kept < STDERR_KEEP:
                        stderr.append(b[: STDERR_KEEP - kept])
                        kept += len(stderr[-1])
                    elif kind == "rep":
                        report += b
        finally:
            for fd in open_fds:
                os.close(fd)
        if killed or reply["children_left"]:
            self.kill_leftovers()
        try:
            rep = json.loads(report) if report else {}
        except ValueError:
            rep = {}
        if over:
            killed = killed or "output"
        return reply, rep, b"".join(stderr), killed, size

    def _drain_out(self, pipe_fd: int, out_fd: int, room: int) -> int:
        """Move what the program printed into out_fd without copying it through Python."""
        try:
            return os.splice(pipe_fd, out_fd, max(1, min(room, 1 << 20)))
        except BlockingIOError:
            raise
        except OSError:
            b = os.read(pipe_fd, max(1, min(room, 1 << 20)))
            _write_all(out_fd, b)
            return len(b)

    def _cpu(self, pid: int) -> float | None:
        """CPU seconds the test used so far: all its processes (its cgroup), else the first
        process's children as far as /proc shows them."""
        if self.cgroups is not None:
            try:
                return self.cgroups.cpu_s()
            except OSError:
                return None
        return _session_cpu(pid)

    def _demand(self, pid: int) -> tuple[float, bool]:
        """Seconds the test's threads spent running or waiting to run, all together, and
        whether one of them is running or runnable now."""
        if self.cgroups is not None:
            tids = self.cgroups.threads()
        else:
            tids = [int(t) for p in _session_pids(pid) for t in _listdir(f"/proc/{p}/task")]
        total, runnable = 0, False
        for tid in tids:
            try:
                with open(f"/proc/{tid}/schedstat", "rb") as f:
                    run, wait, _ = f.read().split()
                total += int(run) + int(wait)
                with open(f"/proc/{tid}/stat", "rb") as f:
                    stat_line = f.read()
                runnable = runnable or stat_line[stat_line.rindex(b")") + 2:][:1] == b"R"
            except (OSError, ValueError):
                pass
        return total / 1e9, runnable

    def _kill_test(self, pid: int) -> None:
        if self.cgroups is not None:
            self.cgroups.kill_all()
            return
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        for p in _session_pids(pid):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass

    # -- cleanup between tests (only without namespaces)
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
        if self.cgroups is not None and not self.cgroups.kill_all():
            raise RuntimeError("test processes survived cleanup")
        req = json.dumps({"op": "kill"}).encode()
        socket.send_fds(self.fs, [req], [])
        reply = self._line(15.0)
        if reply is None or not reply["killed"]:
            raise RuntimeError("candidate processes survived cleanup")

    def cleanup(self) -> None:
        """Wipe what the candidate wrote (its processes are gone by now)."""
        if self.namespaces or not self._files_left():
            return
        if self.local:
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
                for d in [self.work, *self.scratch]:
                    _wipe(d)
                _remove_ipc()
            except BaseException:
                code = 4
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or self._files_left():
            raise RuntimeError("could not wipe the candidate's files")

    # -- limits
    @staticmethod
    def _rlimits(cpu_s: float, address_space_mb: int | None, fsize: int, nproc: int,
                 open_files: int = 64, stack_mb: int | None = None) -> dict:
        # RLIMIT_CPU is a backstop only (the supervisor kills at the exact limit): a whole
        # second of slack, as the kernel samples CPU time coarsely on a busy machine.
        cpu = math.ceil(cpu_s) + 1
        out = {
            "RLIMIT_CPU": (cpu, cpu + 1),
            "RLIMIT_FSIZE": (fsize, fsize),
            "RLIMIT_NOFILE": (open_files, open_files),
            "RLIMIT_NPROC": (nproc, nproc),
            "RLIMIT_CORE": (0, 0),
        }
        if address_space_mb is not None:
            out["RLIMIT_AS"] = (address_space_mb << 20, address_space_mb << 20)
        if stack_mb is not None:
            out["RLIMIT_STACK"] = (stack_mb << 20, stack_mb << 20)
        return out

    def _test_rlimits(self, limits: dict, *, cpu_s: float, memory_mb: int, address_space: bool,
                      fsize: int, nproc: int) -> dict:
        # With per-test cgroups the test's total memory is what counts; a per-process
        # address-space limit is added where the rules define memory that way, never for a
        # JVM (which reserves far more than it uses), and always without cgroups.
        aspace = None
        if address_space:
            aspace = limits.get("address_space_mb")
            if aspace is None and self.cgroups is None:
                aspace = memory_mb
        # Deep recursion may use up to 256 MiB of stack, as on the usual judges. glibc also
        # gives each new thread a stack of RLIMIT_STACK: under an address-space limit, keep
        # it to a quarter of that space, so that a program can still start a few threads.
        stack = min(256, memory_mb)
        if aspace is not None:
            stack = min(stack, aspace // 4)
        return self._rlimits(cpu_s, aspace, fsize, nproc, limits.get("open_files", 64),
                             max(8, stack))

    # -- a job
    def run_job(self, header: dict, proto_in: int, proto_out: int) -> None:
        sizes = header["blobs"]
        limits = header["limits"]
        build = header.get("build")
        run = header["run"]
        input_file = header.get("input_file") or None
        output_file = header.get("output_file") or None
        main = header.get("main", "main")
        self.cleanup()
        source = read_exact(proto_in, sizes[0])
        fill = {"box": self.box, "work": self.work, "main": main, "python": self.python,
                "memory_mb": limits["memory_mb"], "heap_mb": max(16, limits["memory_mb"] * 3 // 4)}
        src_path = os.path.join(self.box, header["source"].format(**fill))
        artifact = None
        if header.get("prebuilt"):
            artifact = os.path.join(self.box, header["artifact_name"])
            _write_private(artifact, source, mode=0o755)
            build_info = {"verdict": None, "output": header.get("compile_output", ""),
                          "time_s": 0.0, "cached": True}
        else:
            _write_private(src_path, source)
            build_info = {"verdict": None, "output": "", "time_s": 0.0}
            if build:
                build_info, artifact = self._build(build, limits, fill, header)
            elif run.get("python") and not header.get("checked"):
                # (a source this image's interpreter already compiled for the host is not
                # checked again: the check decides CE only)
                build_info = self._pycheck(src_path, limits)
        out_blobs = []
        reply = {"ok": True, "build": build_info}
        if (build and header.get("return_artifact") and build_info["verdict"] is None
                and artifact is not None and not build_info.get("cached")):
            fd = os.open(artifact, os.O_RDONLY)
            out_blobs.append(FdBlob(fd, os.fstat(fd).st_size))
            reply["artifact"] = True
        try:
            write_frame(proto_out, reply, out_blobs)
        finally:
            for b in out_blobs:
                os.close(b.fd)
        ran = 0
        if build_info["verdict"] is None:
            if run.get("python") and self.preload:
                spec = {"mode": "python", "argv": [src_path]}
            elif run.get("python"):
                spec = {"mode": "exec", "argv": [self.python, src_path]}
            else:
                spec = {"mode": "exec", "argv": [a.format(**fill) for a in run["argv"]],
                        "artifact": True}
            max_failures = header.get("max_failures")
            # With expected outputs in the job (each test's input blob followed by its
            # expected output), a wrong answer is a failed test too: the job can stop at the
            # first one. The host judges every output again; this only decides when to stop.
            expected = header.get("expected")
            per_test = 2 if expected else 1
            tests = [sizes[1 + k:1 + k + per_test] for k in range(0, len(sizes) - 1, per_test)]
            failures = 0
            for i, test_sizes in enumerate(tests):
                if max_failures and failures >= max_failures:
                    for size in test_sizes:  # the caller asked not to spend more on a failing program
                        skip(proto_in, size)
                    continue
                meta, out_fd, out_size, stderr = self._run_test(
                    spec, proto_in, test_sizes[0], limits, header, input_file, output_file)
                try:
                    failed = meta["verdict"] != "run_ok"
                    if expected:
                        want = read_exact(proto_in, test_sizes[1])
                        if not failed:
                            got = os.pread(out_fd, out_size, 0)
                            failed = not checker.check(want, got, header.get("checker") or "codecontests")
                    write_frame(proto_out, dict(meta, test=i), [FdBlob(out_fd, out_size), stderr])
                finally:
                    os.close(out_fd)
                ran += 1
                failures += failed
        else:
            for size in sizes[1:]:
                skip(proto_in, size)
        for path in {src_path, *([artifact] if artifact else [])}:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        write_frame(proto_out, {"ok": True, "done": True, "ran": ran})

    def _pycheck(self, path: str, limits: dict) -> dict:
        rl = self._rlimits(limits["compile_time_s"], None, 1 << 20, 16)
        req = self._request("pycheck", [path], rl, self.namespaces)
        return self._build_spawn(req, limits, collect=None)[0]

    def _build(self, build: dict, limits: dict, fill: dict, header: dict):
        argv = [a.format(**fill) for a in build["argv"]]
        rl = self._rlimits(limits["compile_time_s"],
                           limits["compile_memory_mb"] if build.get("address_space", True) else None,
                           64 << 20, max(limits["processes"], 64), 256)
        req = self._request("exec", argv, rl, self.namespaces, env_extra=header.get("env"))
        artifact_rel = build["artifact"]
        art_fd = os.memfd_create("artifact")
        try:
            info, rep = self._build_spawn(
                req, limits, collect={"collect_artifact": (os.path.join(self.work, artifact_rel), art_fd)})
            if info["verdict"] is not None:
                return info, None
            got = rep.get("collect_artifact") or {}
            if not got.get("found") or got.get("truncated"):
                info["verdict"] = "CE"
                info["output"] += "\nno executable produced" + (
                    f": {got['why']}" if got.get("why") else " (too large)" if got.get("truncated") else "")
                return info, None
            name = header["artifact_name"]
            dst = os.path.join(self.box, name)
            size = os.fstat(art_fd).st_size
            os.lseek(art_fd, 0, os.SEEK_SET)
            _write_private(dst, _read_n(art_fd, size), mode=0o755)
            return info, dst
        finally:
            os.close(art_fd)

    def _build_spawn(self, req: dict, limits: dict, collect) -> tuple[dict, dict]:
        stdin_fd = os.open(os.devnull, os.O_RDONLY)
        out_fd = os.memfd_create("build-out")
        t0 = time.monotonic()
        try:
            if self.cgroups is not None:
                self.cgroups.prepare(limits["compile_memory_mb"] << 20, max(limits["processes"], 64))
            reply, rep, err, killed, size = self.spawn(
                req, stdin_fd=stdin_fd, out_fd=out_fd, output_cap=COMPILE_OUTPUT_KEEP * 4,
                wall_s=limits["compile_time_s"] * 2 + 5, cpu_limit_s=limits["compile_time_s"],
                collect=collect)
            os.lseek(out_fd, 0, os.SEEK_SET)
            text = (_read_n(out_fd, min(size, COMPILE_OUTPUT_KEEP)) + err).decode(errors="replace")
        finally:
            os.close(stdin_fd)
            os.close(out_fd)
        info = {"verdict": None, "output": text[:COMPILE_OUTPUT_KEEP],
                "time_s": round(time.monotonic() - t0, 4)}
        status = rep.get("status")
        error = reply["error"]
        if error.startswith("setup:") or (error and status is None and not killed):
            info["verdict"] = "SE"
            info["output"] = "sandbox set-up failed: " + error.split(": ", 1)[-1]
        elif killed or status is None or os.waitstatus_to_exitcode(status) != 0:
            info["verdict"] = "CE"
            if killed == "cpu" or killed == "wall":
                info["output"] = "compilation exceeded its time limit\n" + info["output"]
            elif self.cgroups is not None and self.cgroups.oom_killed():
                info["output"] = "compilation exceeded its memory limit\n" + info["output"]
        self.cleanup()
        return info, rep

    def _run_test(self, spec: dict, proto_in: int, size: int, limits: dict, header: dict,
                  input_file: str | None, output_file: str | None):
        stdin_fd = os.memfd_create("stdin")
        out_fd = os.memfd_create("stdout")
        output_cap = limits["output_mb"] << 20
        try:
            copy_into(proto_in, stdin_fd, size)
            os.lseek(stdin_fd, 0, os.SEEK_SET)
            memory_mb = limits["memory_mb"]
            nproc = limits["processes"] + 3  # the test's own set-up processes count too
            rl = self._test_rlimits(
                limits, cpu_s=limits["time_s"], memory_mb=memory_mb,
                address_space=header.get("address_space", True),
                fsize=max(output_cap, limits["file_size_mb"] << 20) + 1, nproc=nproc)
            req = self._request(spec["mode"], spec["argv"], rl, self.namespaces,
                                env_extra=header.get("env"), input_file=input_file,
                                artifact=spec.get("artifact", False))
            if self.cgroups is not None:
                self.cgroups.prepare(memory_mb << 20, nproc)
            collect = None
            answer_fd = None
            if output_file:
                answer_fd = os.memfd_create("answer")
                collect = {"collect_answer": (os.path.join(self.work, output_file), answer_fd)}
            try:
                reply, rep, stderr, killed, out_size = self.spawn(
                    req, stdin_fd=stdin_fd, out_fd=out_fd, output_cap=output_cap,
                    wall_s=limits["wall_s"], cpu_limit_s=limits["time_s"], collect=collect)
                if answer_fd is not None:
                    # The answer is what the program left in its output file, not its stdout.
                    os.close(out_fd)
                    out_fd, answer_fd = answer_fd, None
                    out_size = os.fstat(out_fd).st_size
                    if (rep.get("collect_answer") or {}).get("truncated"):
                        out_size = output_cap + 1
            finally:
                if answer_fd is not None:
                    os.close(answer_fd)
            cpu = reply["cpu_s"]
            memory = reply["maxrss_kb"] * 1024
            oom = 0
            if self.cgroups is not None:
                cpu = self.cgroups.cpu_s()
                memory = self.cgroups.peak_bytes()
                oom = self.cgroups.oom_killed()
            self.cleanup()
        except BaseException:
            os.close(out_fd)
            raise
        finally:
            os.close(stdin_fd)
        meta = classify(reply, rep, stderr, killed, out_size, limits, cpu=cpu, memory=memory,
                        oom_kills=oom)
        os.lseek(out_fd, 0, os.SEEK_SET)
        return meta, out_fd, min(out_size, output_cap), stderr


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _session_pids(sid: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(b")") + 2:].split()
        if int(fields[3]) == sid:
            found.append(int(name))
    return found


_CLK_TCK = os.sysconf("SC_CLK_TCK")


def _session_cpu(sid: int) -> float | None:
    """User + system CPU of the live processes of a session, plus what they reaped."""
    total, seen = 0.0, False
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(b")") + 2:].split()
        if int(fields[3]) != sid:
            continue
        seen = True
        total += sum(int(x) for x in fields[11:15]) / _CLK_TCK
    return total if seen else None


def classify(reply: dict, rep: dict, stderr: bytes, killed, stdout_size: int, limits: dict, *,
             cpu: float, memory: int, oom_kills: int) -> dict:
    """Turn what happened to a test into a verdict (WA/OK are decided by the caller, who holds
    the expected output: here "run_ok" means the program ran cleanly)."""
    status = rep.get("status")
    code = sig = None
    if status is not None:
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    meta = {"wall_s": round(reply["wall_s"], 4), "cpu_s": round(cpu, 4), "memory_bytes": memory,
            "exit_code": code, "signal": sig}
    mem_limit = limits["memory_mb"] << 20
    error = reply["error"]
    if error.startswith("setup:") or (status is None and not killed and not oom_kills
                                       and not error.startswith("exec:")):
        verdict = "SE"
        detail = "sandbox set-up failed: " + (error.split(": ", 1)[-1] if error else
                                              "the test's processes ended without a report")
    elif error.startswith("exec:"):
        verdict, detail = "RE", error.split(": ", 1)[-1]
    elif cpu > limits["time_s"] or killed == "cpu" or sig == signal.SIGXCPU:
        verdict, detail = "TLE", f"CPU time {cpu:.2f}s over {limits['time_s']}s"
    elif killed == "wall":
        verdict, detail = "TLE", f"wall-clock backstop {limits['wall_s']}s reached"
    elif oom_kills:
        verdict, detail = "MLE", f"memory limit {limits['memory_mb']} MB (killed by the kernel)"
    elif killed == "output" or stdout_size > (limits["output_mb"] << 20) or sig == signal.SIGXFSZ:
        verdict, detail = "OLE", f"output over {limits['output_mb']} MB"
    elif code == 0:
        verdict, detail = "run_ok", ""
    elif any(m in stderr for m in MEMORY_MARKERS) or (
        # A segfault is a crash: a runaway recursion also ends at the address-space limit
        # (the stack counts in it), so peak memory alone says nothing about the cause.
        sig != signal.SIGSEGV and memory >= 0.95 * mem_limit
    ):
        verdict, detail = "MLE", f"memory limit {limits['memory_mb']} MB"
    elif status is None:
        verdict, detail = "RE", "the program's processes were killed"
    else:
        verdict = "RE"
        detail = f"killed by signal {sig}" if sig is not None else f"exit code {code}"
    meta["verdict"] = verdict
    meta["detail"] = detail
    return meta


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


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
    lc = libc()
    ipc_rmid = 0
    for kind, fn in (("shm", "shmctl"), ("msg", "msgctl"), ("sem", "semctl")):
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            ident = int(line.split()[1])
            if fn == "semctl":
                lc.semctl(ident, 0, ipc_rmid, 0)
            else:
                getattr(lc, fn)(ident, ipc_rmid, None)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--uid", type=int, default=None, help="the candidate uid (container mode)")
    p.add_argument("--local", action="store_true", help="no uid switch: weaker isolation")
    p.add_argument("--work", default="/work")
    p.add_argument("--box", default="/box")
    p.add_argument("--scratch", action="append", default=[], help="other dirs wiped per test")
    p.add_argument("--cgroup-root", default=None, help="where the host mounted per-test cgroups")
    p.add_argument("--tmpfs-mb", type=int, default=256, help="size of each test's /work and /tmp")
    p.add_argument("--no-preload", action="store_true", help="start a fresh interpreter per test")
    p.add_argument("--no-namespaces", action="store_true", help="no per-test namespaces")
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
    write_frame(proto_out, {"ready": True, "protocol": PROTOCOL, "python": sys.version.split()[0],
                            "pid": os.getpid(), **sup.status()})
    while True:
        try:
            header = read_header(proto_in)
        except EOFError:
            return 0
        op = header.get("op")
        try:
            if op == "ping":
                sup.cleanup()
                write_frame(proto_out, {"ok": True, "pong": True})
            elif op == "run":
                sup.run_job(header, proto_in, proto_out)
            else:
                for size in header.get("blobs", []):
                    skip(proto_in, size)
                write_frame(proto_out, {"ok": False, "error": f"unknown op {op!r}"})
        except (EOFError, BrokenPipeError):
            return 0
        except Exception as e:  # the host replaces a supervisor that reports this
            write_frame(proto_out, {"ok": False, "error": f"{type(e).__name__}: {e}"})
            return 3


if __name__ == "__main__":
    sys.exit(main())
