"""The Docker daemon as the sandbox sees it: reaching it, and finding or removing the
containers that pools label as theirs.

Reaching it: a short probe first, so that a socket that accepts but never answers costs
seconds, not the two minutes of an API call's timeout, and the reason is said in one line.

Owning containers: every container carries its pool's id and its owner process (pid, host
name, and the process's start time since boot, so that a recycled pid does not pass for the
owner). Pruning removes only containers whose owner is gone: several users' runs share one
daemon, and a live run's sandboxes are not leftovers.
"""

from __future__ import annotations

import os
import socket
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

LABEL = "archon-code.sandbox"
POOL_LABEL = "archon-code.pool"
HOST_PID_LABEL = "archon-code.host-pid"
HOST_LABEL = "archon-code.host"
HOST_PID_START_LABEL = "archon-code.host-pid-start"

PROBE_ENV = "ARCHON_CODE_DOCKER_PROBE_S"
DEFAULT_PROBE_S = 5.0
API_TIMEOUT_S = 120  # for real work, once the daemon has answered the probe


class SandboxUnavailable(RuntimeError):
    """No backend could be started (for example: Docker asked for but no daemon)."""


class DockerUnreachableWarning(UserWarning):
    """Why no Docker daemon could be used (shown before a fallback or an error)."""


# -- reaching the daemon ------------------------------------------------------------------------


def docker_host() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def probe_seconds() -> float:
    try:
        value = float(os.environ.get(PROBE_ENV, "") or DEFAULT_PROBE_S)
    except ValueError:
        return DEFAULT_PROBE_S
    return value if value > 0 else DEFAULT_PROBE_S


@dataclass(frozen=True)
class Probe:
    client: object | None  # a docker.DockerClient when the daemon answered
    reason: str = ""  # why not, in one line


def probe_docker(timeout_s: float | None = None) -> Probe:
    """A client for the daemon at DOCKER_HOST if it answers a ping within ``timeout_s``."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError:
        return Probe(None, "the docker Python package is not installed")
    timeout_s = timeout_s or probe_seconds()
    where = docker_host()
    try:
        # The short timeout covers the client's own version query, which is where a silent
        # socket would otherwise hang.
        quick = docker.from_env(timeout=max(1, round(timeout_s)))
        quick.ping()
        quick.close()
        client = docker.from_env(timeout=API_TIMEOUT_S)
        return Probe(client)
    except Exception as e:  # noqa: BLE001 (every failure to connect has a reason worth saying)
        return Probe(None, _unreachable_reason(where, e, timeout_s, DockerException))


def _unreachable_reason(where: str, e: Exception, timeout_s: float, docker_error: type) -> str:
    text = " ".join(str(e).split())
    chain = []
    cur: BaseException | None = e
    while cur is not None and len(chain) < 10:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    if any(isinstance(x, (TimeoutError, socket.timeout)) for x in chain) or "timed out" in text.lower():
        return (f"the Docker daemon at {where} accepted the connection but did not answer within "
                f"{timeout_s:g} s")
    for x in chain:
        if isinstance(x, FileNotFoundError) or "no such file" in str(x).lower():
            return f"no Docker daemon at {where} (no such socket)"
        if isinstance(x, ConnectionRefusedError) or "connection refused" in str(x).lower():
            return f"no Docker daemon at {where} (connection refused)"
        if isinstance(x, PermissionError) or "permission denied" in str(x).lower():
            return f"no permission to use the Docker daemon at {where}"
    return f"no Docker daemon answers at {where} ({text[:200] or type(e).__name__})"


def docker_client():
    """A Docker client if a daemon answers, else None (and a warning saying why)."""
    probe = probe_docker()
    if probe.client is None:
        warnings.warn(probe.reason, DockerUnreachableWarning, stacklevel=2)
    return probe.client


# -- who owns a container -----------------------------------------------------------------------


def _process_start(pid: int) -> str | None:
    """The process's start time (clock ticks since boot) and the boot's id: together with the
    pid, they name one process of one boot of this host."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
        # The command name may hold spaces and parentheses: fields count from the last ')'.
        ticks = stat[stat.rindex(")") + 2:].split()[19]
    except (OSError, ValueError, IndexError):
        return None
    return f"{_boot_id()}:{ticks}"


@cache
def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip()
    except OSError:
        return "unknown-boot"


def owner_labels() -> dict[str, str]:
    """The labels that name this process as a container's owner."""
    pid = os.getpid()
    return {HOST_PID_LABEL: str(pid), HOST_LABEL: socket.gethostname(),
            HOST_PID_START_LABEL: _process_start(pid) or ""}


@dataclass(frozen=True)
class Owner:
    pid: int | None
    host: str | None
    start: str | None

    @classmethod
    def from_labels(cls, labels: dict[str, str]) -> Owner:
        raw = labels.get(HOST_PID_LABEL, "")
        return cls(int(raw) if raw.isdigit() else None, labels.get(HOST_LABEL) or None,
                   labels.get(HOST_PID_START_LABEL) or None)

    def state(self) -> str:
        """"alive", "gone", or "elsewhere" (another host: it cannot be checked from here)."""
        if self.host is not None and self.host != socket.gethostname():
            return "elsewhere"
        if self.pid is None:
            return "gone"
        now = _process_start(self.pid)
        if now is None:
            return "gone"
        # Containers labelled before start times were recorded: the pid alone decides.
        return "alive" if self.start is None or self.start == now else "gone"

    def describe(self) -> str:
        if self.pid is None:
            return "an unknown process"
        return f"pid {self.pid} on {self.host or 'this host'}"


@dataclass
class PoolInfo:
    pool: str
    owner: Owner
    containers: list[dict] = field(default_factory=list)  # {"id", "status"}
    ids: list[str] = field(default_factory=list)  # full container ids

    @property
    def state(self) -> str:
        return self.owner.state()


def sandbox_pools(client) -> list[PoolInfo]:
    """Our labelled containers, by pool, with each pool's owner."""
    pools: dict[str, PoolInfo] = {}
    for c in client.api.containers(all=True, filters={"label": LABEL}):
        labels = c.get("Labels") or {}
        pool = labels.get(POOL_LABEL) or "?"
        info = pools.setdefault(pool, PoolInfo(pool, Owner.from_labels(labels)))
        info.containers.append({"id": (c.get("Id") or "")[:12], "status": c.get("State") or c.get("Status")})
        info.ids.append(c.get("Id") or "")
    return sorted(pools.values(), key=lambda p: p.pool)


def _remove(client, ids: Iterable[str]) -> int:
    """Remove containers by id; one that is already gone (auto-removed when its supervisor
    exited) counts as removed, not as an error."""
    from docker.errors import NotFound

    removed = 0
    for cid in ids:
        try:
            client.api.remove_container(cid, force=True)
        except NotFound:
            pass
        except Exception:  # noqa: BLE001 (a container being removed already, for one)
            continue
        removed += 1
    return removed


def remove_pool_containers(pool_id: str) -> None:
    """Remove every container of one pool (its owner closing it, or exiting)."""
    probe = probe_docker()
    if probe.client is None:
        return
    try:
        found = probe.client.api.containers(all=True, filters={"label": f"{POOL_LABEL}={pool_id}"})
    except Exception:  # noqa: BLE001 (at exit, nothing more can be done about it)
        return
    _remove(probe.client, [c["Id"] for c in found])


@dataclass
class PruneResult:
    removed: int
    kept: list[PoolInfo]


def prune_containers(pools: Iterable[str] | None = None) -> PruneResult:
    """Remove the labelled containers whose owner process is gone (a crashed run's); keep
    those of live owners and of owners on other hosts. ``pools`` limits it to those pools."""
    probe = probe_docker()
    if probe.client is None:
        raise SandboxUnavailable(probe.reason)
    client = probe.client
    kept, gone = [], []
    only = None if pools is None else set(pools)
    for info in sandbox_pools(client):
        if only is None or info.pool in only:
            (gone if info.state == "gone" else kept).append(info)
    return PruneResult(_remove(client, [cid for info in gone for cid in info.ids]), kept)
