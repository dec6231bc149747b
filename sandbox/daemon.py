"""The Docker daemon as the sandbox sees it: reaching it, and finding or removing the
containers that pools label as theirs."""

from __future__ import annotations

import os
import sys

LABEL = "archon-code.sandbox"
POOL_LABEL = "archon-code.pool"
HOST_PID_LABEL = "archon-code.host-pid"


def owner_labels() -> dict[str, str]:
    """Labels naming the process that owns a pool's containers."""
    return {HOST_PID_LABEL: str(os.getpid())}


class SandboxUnavailable(RuntimeError):
    """No backend could be started (for example: Docker asked for but no daemon)."""


def docker_client():
    """A Docker client if a daemon answers, else None."""
    try:
        import docker

        client = docker.from_env(timeout=120)
        client.ping()
        return client
    except Exception:
        return None


def remove_pool_containers(pool_id: str) -> None:
    """Remove every container of one pool (or, with pool_id None, every one of ours)."""
    client = docker_client()
    if client is None:
        return
    label = f"{POOL_LABEL}={pool_id}" if pool_id else LABEL
    try:
        for c in client.containers.list(all=True, filters={"label": label}):
            try:
                c.remove(force=True)
            except Exception:
                pass
    except Exception as e:
        print(f"archon-code: could not list sandbox containers: {e}", file=sys.stderr)


def prune_containers() -> int:
    """Remove our labelled containers that a crashed run left behind; returns the count."""
    client = docker_client()
    if client is None:
        raise SandboxUnavailable("no Docker daemon answers")
    removed = 0
    for c in client.containers.list(all=True, filters={"label": LABEL}):
        c.remove(force=True)
        removed += 1
    return removed
