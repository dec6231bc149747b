"""One supervisor process each: in a locked-down container (docker) or on the host (local).

A worker speaks the supervisor's framed protocol (see supervisor.py) and runs one job at a
time: it sends the job while it reads the results the supervisor streams back, one frame per
test. Anything unexpected (EOF, a malformed frame, a timeout) raises WorkerBroken, and the
pool throws the worker away.
"""

from __future__ import annotations

import abc
import asyncio
import json
import os
import secrets
import shutil
import struct
import sys
import tempfile
from collections.abc import AsyncIterator
from importlib import resources

from sandbox.daemon import LABEL, POOL_LABEL, owner_labels

# Where the supervisor finds the per-test cgroups the host lends it (see cgroup_binds).
CGROUP_ROOT = "/var/lib/archon/cg"
CGROUP_CONTROLLERS = ("memory", "cpuacct", "pids")
CGROUP_DIR = "archon-code"
MAX_HEADER = 1 << 24


class WorkerBroken(Exception):
    """The worker can no longer be trusted: replace it, and retry the job elsewhere."""


def supervisor_path() -> str:
    return str(resources.files("sandbox") / "supervisor.py")


def encode_frame(header: dict, blobs: list[bytes]) -> bytes:
    raw = json.dumps(dict(header, blobs=[len(b) for b in blobs])).encode()
    return b"".join([struct.pack(">I", len(raw)), raw, *blobs])


class Worker(abc.ABC):
    name: str

    def __init__(self) -> None:
        self.info: dict = {}

    @abc.abstractmethod
    async def start(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def _send(self, data: bytes) -> None: ...

    @abc.abstractmethod
    async def _read_exact(self, n: int) -> bytes: ...

    async def _read_frame(self) -> tuple[dict, list[bytes]]:
        (n,) = struct.unpack(">I", await self._read_exact(4))
        if n > MAX_HEADER:
            raise WorkerBroken(f"{self.name}: oversized header ({n} bytes)")
        header = json.loads(await self._read_exact(n))
        blobs = [await self._read_exact(size) for size in header.get("blobs", [])]
        return header, blobs

    async def _handshake(self, timeout: float) -> None:
        try:
            header, _ = await asyncio.wait_for(self._read_frame(), timeout)
        except (asyncio.TimeoutError, EOFError, asyncio.IncompleteReadError, ValueError) as e:
            raise WorkerBroken(f"{self.name}: supervisor did not start: {e!r}") from e
        if not header.get("ready"):
            raise WorkerBroken(f"{self.name}: unexpected greeting {header!r}")
        self.info = header

    async def conversation(self, header: dict, blobs: list[bytes],
                           timeouts: AsyncIterator[float] | None = None):
        """Send one job and yield the frames that come back, until the supervisor says the
        job is done. Sending goes on while frames are read (the supervisor reads a test's
        input only when it runs it, and writes each result at once: both pipes must flow)."""
        send = asyncio.ensure_future(self._send(encode_frame(header, blobs)))
        try:
            while True:
                timeout = await timeouts.__anext__() if timeouts is not None else None
                try:
                    reply, out = await asyncio.wait_for(self._read_frame(), timeout)
                except asyncio.TimeoutError as e:
                    raise WorkerBroken(f"{self.name}: no answer within {timeout:.0f}s") from e
                except (EOFError, asyncio.IncompleteReadError, ConnectionError, OSError,
                        ValueError) as e:
                    raise WorkerBroken(f"{self.name}: connection lost: {e!r}") from e
                if not reply.get("ok", True):
                    raise WorkerBroken(f"{self.name}: {reply.get('error', 'unknown error')}")
                yield reply, out
                if reply.get("done"):
                    break
            await send
        finally:
            if not send.done():
                send.cancel()
                await asyncio.gather(send, return_exceptions=True)
            elif not send.cancelled() and send.exception() is not None:
                e = send.exception()
                raise WorkerBroken(f"{self.name}: sending the job failed: {e!r}") from e


class LocalWorker(Worker):
    """The supervisor as a host process: rlimits, sessions and a child subreaper, but no
    namespaces, no uid of its own and no read-only file system. Weaker by design."""

    def __init__(self, index: int, preload: bool = True) -> None:
        super().__init__()
        self.name = f"local-{index}"
        self.preload = preload
        self._proc: asyncio.subprocess.Process | None = None
        self._dirs: list[str] = []

    async def start(self) -> None:
        work = tempfile.mkdtemp(prefix="archon-work-")
        box = tempfile.mkdtemp(prefix="archon-box-")
        self._dirs = [work, box]
        argv = [sys.executable, supervisor_path(), "--local", "--work", work, "--box", box]
        if not self.preload:
            argv.append("--no-preload")
        env = dict(os.environ)
        # The supervisor runs compilers by name; the host's PATH is the one that finds them.
        self._proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            start_new_session=True,
            limit=1 << 20,
            env=env,
        )
        await self._handshake(30)

    async def _send(self, data: bytes) -> None:
        assert self._proc and self._proc.stdin
        self._proc.stdin.write(data)
        await self._proc.stdin.drain()

    async def _read_exact(self, n: int) -> bytes:
        assert self._proc and self._proc.stdout
        return await self._proc.stdout.readexactly(n)

    async def close(self) -> None:
        if self._proc and self._proc.returncode is None:
            try:
                os.killpg(self._proc.pid, 9)
            except ProcessLookupError:
                pass
            await self._proc.wait()
        for d in self._dirs:
            shutil.rmtree(d, ignore_errors=True)


def cgroup_binds(client) -> dict[str, dict]:
    """Host cgroup directories to lend each container for per-test cgroups, as docker-py
    binds: ``<hierarchy>/archon-code`` of the memory, cpuacct and pids controllers (cgroup
    v1), which the daemon creates on first use. Empty where that cannot be done here (cgroup
    v2, a daemon on another machine, hierarchies not found): the supervisor then says it
    falls back to per-process limits."""
    try:
        info = client.info()
    except Exception:
        return {}
    if str(info.get("CgroupVersion", "1")) != "1" or not _daemon_is_local(client):
        return {}
    found: dict[str, str] = {}
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                fstype, _, options = (right.split() + ["", "", ""])[:3]
                if fstype != "cgroup":
                    continue
                opts = set(options.split(","))
                for ctl in CGROUP_CONTROLLERS:
                    if ctl in opts and ctl not in found:
                        found[ctl] = left.split()[4]
    except OSError:
        return {}
    if set(found) != set(CGROUP_CONTROLLERS):
        return {}
    return {os.path.join(found[ctl], CGROUP_DIR): {"bind": f"{CGROUP_ROOT}/{ctl}", "mode": "rw"}
            for ctl in CGROUP_CONTROLLERS}


def _daemon_is_local(client) -> bool:
    base = getattr(client.api, "base_url", "") or ""
    return base.startswith("http+docker://localhost") or "unix" in base or base.startswith(
        "http+docker://localunixsocket")


class DockerWorker(Worker):
    """The supervisor as the main process of a long-lived, locked-down container.

    The job travels over the container's attached stdin/stdout: the attach stream is
    multiplexed (8-byte frame headers), which _read_exact undoes."""

    def __init__(self, client, image: str, pool_id: str, index: int, memory_mb: int,
                 pids: int, work_mb: int, preload: bool = True, binds: dict | None = None,
                 security_opt: list[str] | None = None, namespaces: bool = True) -> None:
        super().__init__()
        self.client = client
        self.image = image
        self.pool_id = pool_id
        self.name = f"docker-{pool_id[:6]}-{index}"
        self.memory_mb = memory_mb
        self.pids = pids
        self.work_mb = work_mb
        self.preload = preload
        self.binds = binds or {}
        self.security_opt = security_opt or []
        self.namespaces = namespaces
        # A uid nobody else uses, on this host or in any other container: RLIMIT_NPROC
        # counts per uid across the whole kernel, and kill(-1) must reach only this one.
        self.uid = 100_000 + secrets.randbelow(2_000_000_000)
        self.container_id: str | None = None
        self._reader_stream: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._stream_left = 0

    def _create(self) -> str:
        api = self.client.api
        tmpfs = {
            "/work": f"rw,nosuid,nodev,noexec,size={self.work_mb}m,mode=1777",
            "/tmp": f"rw,nosuid,nodev,noexec,size={self.work_mb}m,mode=1777",
            "/box": "rw,nosuid,nodev,exec,size=512m,mode=755",
        }
        host_config = api.create_host_config(
            network_mode="none",
            read_only=True,
            tmpfs=tmpfs,
            binds=self.binds or None,
            mem_limit=f"{self.memory_mb}m",
            memswap_limit=f"{self.memory_mb}m",
            pids_limit=self.pids,
            cap_drop=["ALL"],
            cap_add=["SETUID", "SETGID", "KILL"],
            security_opt=["no-new-privileges", *self.security_opt],
            init=True,
            ipc_mode="none",
            auto_remove=True,
        )
        command = ["python3", "/opt/archon/supervisor.py", "--uid", str(self.uid),
                   "--scratch", "/tmp", "--tmpfs-mb", str(self.work_mb)]
        if self.binds:
            command += ["--cgroup-root", CGROUP_ROOT]
        if not self.preload:
            command.append("--no-preload")
        if not self.namespaces:
            command.append("--no-namespaces")
        c = api.create_container(
            self.image,
            command=command,
            stdin_open=True,  # with detach=False this also sets StdinOnce: EOF when we go
            tty=False,
            labels={LABEL: "1", POOL_LABEL: self.pool_id, **owner_labels()},
            host_config=host_config,
            network_disabled=True,
        )
        cid = c["Id"]
        self.container_id = cid
        sock = api.attach_socket(cid, params={"stdin": 1, "stdout": 1, "stream": 1})
        raw = getattr(sock, "_sock", sock)
        api.start(cid)
        return raw

    async def start(self) -> None:
        raw = await asyncio.to_thread(self._create)
        raw.setblocking(False)
        self._reader_stream, self._writer = await asyncio.open_connection(sock=raw, limit=1 << 20)
        await self._handshake(60)

    async def _send(self, data: bytes) -> None:
        assert self._writer
        self._writer.write(data)
        await self._writer.drain()

    async def _read_exact(self, n: int) -> bytes:
        assert self._reader_stream
        out = []
        while n:
            if self._stream_left == 0:
                head = await self._reader_stream.readexactly(8)
                kind, size = head[0], struct.unpack(">I", head[4:])[0]
                if kind not in (1, 2):
                    raise WorkerBroken(f"{self.name}: bad stream frame type {kind}")
                self._stream_left = size
                if kind == 2:  # stderr is not attached; never expected here
                    await self._reader_stream.readexactly(size)
                    self._stream_left = 0
                    continue
            take = min(n, self._stream_left)
            chunk = await self._reader_stream.readexactly(take)
            self._stream_left -= take
            n -= take
            out.append(chunk)
        return b"".join(out)

    async def close(self) -> None:
        if self._writer:
            self._writer.close()
        if self.container_id:
            cid = self.container_id
            self.container_id = None
            await asyncio.to_thread(_remove_container, self.client, cid)


def _remove_container(client, cid: str) -> None:
    import docker.errors

    try:
        client.api.remove_container(cid, force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as e:
        # Already being removed (auto_remove) is fine; anything else is worth a word.
        if "in progress" not in str(e) and "No such container" not in str(e):
            print(f"archon-code: could not remove container {cid[:12]}: {e}", file=sys.stderr)
