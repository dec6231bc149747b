from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.openai_server import openai_server  # noqa: F401  (a fixture for every test module)

REPO = Path(__file__).resolve().parent.parent
DATA_ENV = "ARCHON_CODE_DATA"
DEV_FILE = "codecontests-dev.jsonl"


@pytest.fixture(scope="session")
def codecontests_dev() -> Path:
    """The 80 real CodeContests problems shared by the team (not shipped with the code)."""
    folder = Path(os.environ.get(DATA_ENV) or REPO.parent / "shared" / "data")
    path = folder / DEV_FILE
    if not path.is_file():
        pytest.skip(f"{path} not found: set {DATA_ENV} to the folder holding {DEV_FILE}")
    return path


class BlockingPool:
    """A SandboxPool on its own event-loop thread, for tests that want plain calls."""

    def __init__(self, pool) -> None:
        import asyncio
        import threading

        self.pool = pool
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._call(pool.start())

    def _call(self, coro, timeout: float = 600):
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def run(self, program, tests, limits=None, **kwargs):
        from sandbox.types import Limits

        return self._call(self.pool.run(program, tests, limits or Limits(), **kwargs))

    def run_many(self, jobs, **kwargs):
        return self._call(self.pool.run_many(jobs, **kwargs))

    def close(self) -> None:
        self._call(self.pool.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    def __enter__(self) -> "BlockingPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def docker_available() -> bool:
    from sandbox.daemon import docker_client

    return docker_client() is not None


def require_docker() -> None:
    """Skip a test that needs Docker where no daemon answers, but fail it under CI: there a
    missing daemon means broken set-up, and skipping would let broken sandbox code land."""
    if docker_available():
        return
    why = "no Docker daemon answers: start dockerd (see .ci/run)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{why}; CI is set, so this is a failure, not a skip")
    pytest.skip(why)


@pytest.fixture(scope="session")
def docker_pool():
    """A real Docker sandbox pool (two warm containers) shared by one test process."""
    from sandbox.pool import SandboxPool

    require_docker()
    pool = BlockingPool(SandboxPool("docker", size=2))
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def local_pool():
    """The weaker local backend (host processes with rlimits)."""
    import warnings

    from sandbox.pool import SandboxPool, WeakSandboxWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakSandboxWarning)
        pool = BlockingPool(SandboxPool("local", size=2))
    yield pool
    pool.close()


@pytest.fixture
def busy_cores():
    """Every core of this machine busy for the test's duration (one spinning process per
    core, plus one): verdicts that depend on time must come out the same on a loaded
    machine, as they do on CI's."""
    import subprocess
    import sys

    spin = "import os\nos.nice(0)\nwhile True:\n    pass\n"
    hogs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range((os.cpu_count() or 1) + 1)]
    try:
        yield len(hogs)
    finally:
        for h in hogs:
            h.kill()
        for h in hogs:
            h.wait()
