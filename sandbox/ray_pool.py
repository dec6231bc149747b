"""RaySandboxPool: the SandboxPool API, with jobs spread over the nodes of a Ray cluster.

    async with RaySandboxPool(address="auto") as pool:
        result = await pool.run(Program(src, "python"), [TestCase("1 2\\n", "3\\n")])

One long-lived actor per node (every alive node that offers CPUs) owns that node's warm
SandboxPool, Docker by default, sized to the node's CPUs. The driver keeps the queue: a job
(one program and all its tests) goes to the node with the most free room, and waits while
every node is full: a node never holds more than twice the jobs it can run at once
(backpressure), and the rest wait on the driver.

A job's key is the hash of its program, tests, limits and options. Identical jobs in flight
at once run once and share the result. When a node dies, or stops answering, the jobs it held
go back to the queue and run elsewhere; the lost node's answers are never read, so every call
returns exactly one result and a loss never shows up as a failed test.

LLM calls and everything else stay in the calling process: only executions cross the cluster.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import socket
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sandbox.pool import SandboxPool, SandboxUnavailable, check_fits, sandbox_error
from sandbox.types import JobResult, Limits, Program, TestCase, job_key, tests_digest

log = logging.getLogger("archon_code.sandbox")

NAMESPACE = "archon-code"
MAX_REQUEUES = 3  # a job that outlives this many nodes is reported as a sandbox error
PROBE_PATIENCE_S = 60.0  # how long a node that stops answering may take to come back
CLIENT_ATTEMPTS = 3  # tries to connect through a Ray Client (ray://) server
RETRY_FAILED_S = 300.0  # a node whose pool would not start (no Docker, say) is tried again after
INLINE_TESTS_BYTES = 64 << 10  # larger test sets go to the object store once, by reference
TEST_REFS_BYTES = 512 << 20  # test sets kept in the object store for reuse, at most


class NodeSandbox:
    """The actor on one node: a warm SandboxPool and the jobs it is running by key.

    Ray creates it with ``ray.remote(NodeSandbox)``; every method is a coroutine, so one
    actor runs many jobs at once, as many as its pool has sandboxes."""

    def __init__(self, backend: str, size: int, pool_options: dict) -> None:
        self.pool = SandboxPool(backend, size=size, **pool_options)
        self._running: dict[str, list] = {}  # key -> [the job's future, callers waiting]

    async def start(self) -> dict:
        import ray

        await self.pool.start()
        return {
            "node_id": ray.get_runtime_context().get_node_id(),
            "hostname": socket.gethostname(),
            "backend": self.pool.backend,
            "size": self.pool.size,
            "image": self.pool.image,
            "pool_id": self.pool.pool_id,
        }

    async def ping(self) -> bool:
        return True

    async def busy(self) -> int:
        """How many jobs this node is running now."""
        return len(self._running)

    async def run(self, key: str, program: Program, tests: list[TestCase], limits: Limits,
                  options: dict) -> JobResult:
        # The same job sent again (the driver lost sight of this node for a moment and
        # retried) joins the running one instead of running twice.
        entry = self._running.get(key)
        if entry is None:
            fut = asyncio.ensure_future(self.pool.run(program, tests, limits, **options))
            entry = self._running[key] = [fut, 0]
            fut.add_done_callback(lambda _: self._running.pop(key, None))
        entry[1] += 1
        try:
            return await asyncio.shield(entry[0])
        finally:
            entry[1] -= 1
            if entry[1] == 0 and not entry[0].done():
                entry[0].cancel()  # every caller gave up: free the sandbox

    async def close(self) -> None:
        await self.pool.close()


@dataclass
class _Node:
    actor: object
    node_id: str
    name: str
    size: int
    info: dict = field(default_factory=dict)
    running: int = 0
    suspect: bool = False

    @property
    def capacity(self) -> int:
        # As many jobs queued on the node as it has sandboxes: the next job is already there
        # when one finishes, so no sandbox waits for a round trip to the driver (measured:
        # with one queued job per node instead, the ray backend ran 1.14x the local pool's
        # time per test; with this, 1.05x).
        return 2 * self.size


@dataclass
class RayStats:
    jobs: int = 0  # run() calls answered
    executed: int = 0  # results taken from a node (each job's one accepted answer)
    shared: int = 0  # calls that joined an identical job already in flight
    requeued: int = 0  # jobs sent again because their node died or stopped answering
    nodes_lost: int = 0
    nodes_joined: int = 0


def _is_node_loss(e: BaseException) -> bool:
    import ray.exceptions as rex

    if isinstance(e, (rex.RayActorError, rex.WorkerCrashedError, rex.NodeDiedError,
                      rex.LocalRayletDiedError, rex.ObjectLostError)):
        return True
    # The node's pool gave up (every sandbox there failed): the node is unusable.
    return isinstance(e, rex.RayTaskError) and isinstance(e.cause, SandboxUnavailable)


def check_address(address: str | None) -> None:
    """Fail fast, in words, when a host:port or ray://host:port address has nobody listening
    (ray.init would otherwise retry for a minute)."""
    if not address or address == "auto":
        return
    target = address
    if target.startswith("ray://"):
        target = target[len("ray://"):]
        if ":" not in target:
            target += ":10001"  # Ray Client's default port
    elif "://" in target:
        return
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        raise SandboxUnavailable(f"--ray-address {address!r} is not host:port, 'auto' or ray://...")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=5).close()
    except OSError as e:
        raise SandboxUnavailable(f"no Ray cluster answers at {address} ({e.strerror or e})") from None


class RaySandboxPool:
    """The SandboxPool API (``start``, ``run``, ``run_many``, ``close``, ``size``, ``backend``)
    on a Ray cluster.

    address: a Ray address (``auto``, ``host:port`` or ``ray://host:port``); None connects
    to ``RAY_ADDRESS`` when it is set and otherwise starts Ray on this machine.
    size: sandboxes per node (default: the node's CPUs in Ray).
    node_backend: the pool each node runs (``docker``; ``auto`` falls back to the weaker
    local backend where a node has no Docker daemon)."""

    backend = "ray"

    def __init__(
        self,
        address: str | None = None,
        size: int | None = None,
        *,
        node_backend: str = "docker",
        container_memory_mb: int = 2048,
        rediscover_s: float = 30.0,
        **pool_options,
    ) -> None:
        self.address = address
        self.node_size = size
        self.node_backend = node_backend
        self.container_memory_mb = container_memory_mb
        self.pool_options = dict(pool_options, container_memory_mb=container_memory_mb)
        self.rediscover_s = rediscover_s
        self.stats = RayStats()
        self.nodes: dict[str, _Node] = {}
        self._dead: set[str] = set()  # nodes lost while running jobs (Ray never reuses an id)
        self._failed: dict[str, float] = {}  # nodes whose pool would not start: when it failed
        self._cond: asyncio.Condition | None = None
        self._discovering: asyncio.Lock | None = None
        self._inflight: dict[str, asyncio.Future] = {}
        self._test_refs: OrderedDict[str, tuple[object, int]] = OrderedDict()
        self._test_ref_bytes = 0
        self._tasks: set[asyncio.Task] = set()
        self._owns_ray = False
        self._started = False
        self._remote_cls = None

    # ------------------------------------------------------------ life cycle

    @property
    def size(self) -> int:
        """Sandboxes across the cluster."""
        return sum(n.size for n in self.nodes.values()) or 1

    @property
    def description(self) -> str:
        """Where jobs run, in a few words (for progress lines)."""
        n = len(self.nodes)
        return f"ray, {n} node{'s' * (n != 1)}, {self.size} sandboxes"

    async def start(self) -> RaySandboxPool:
        if self._started:
            return self
        import ray

        self._cond = asyncio.Condition()
        self._discovering = asyncio.Lock()
        if not ray.is_initialized():
            check_address(self.address or os.environ.get("RAY_ADDRESS"))
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            # "local": start Ray here, rather than join whatever cluster last ran here.
            address = self.address or os.environ.get("RAY_ADDRESS") or "local"
            # A Ray Client server starts a process per driver, which can fail on a busy head
            # ("Initialization failure from server"): that is worth another try or two.
            for attempt in range(1, CLIENT_ATTEMPTS + 1):
                try:
                    ray.init(address=address, namespace=NAMESPACE,
                             logging_level=logging.ERROR, include_dashboard=False)
                    break
                except Exception as e:
                    # A server-side failure comes with the server's traceback: its last line says it.
                    reason = (str(e).strip().splitlines() or [type(e).__name__])[-1]
                    if attempt < CLIENT_ATTEMPTS and "failure from server" in str(e):
                        log.warning("ray: connecting to %s failed (%s); trying again", address, reason)
                        await asyncio.sleep(2 * attempt)
                        continue
                    where = self.address or os.environ.get("RAY_ADDRESS") or "this machine"
                    raise SandboxUnavailable(f"could not start or reach Ray at {where}: {reason}") from None
            self._owns_ray = True
        self._remote_cls = ray.remote(NodeSandbox)
        self._started = True
        try:
            errors = await self._discover()
            if not self.nodes:
                why = "; ".join(errors) or "no alive node offers CPUs"
                raise SandboxUnavailable(f"no Ray node could start a sandbox pool: {why}")
        except BaseException:
            await self.close()
            raise
        if self.rediscover_s:
            self._spawn(self._rediscover_loop())
        return self

    async def _discover(self) -> list[str]:
        """Start a pool on every alive node with CPUs that has none yet; returns the errors
        of nodes that could not start one."""
        async with self._discovering:  # one discovery at a time: one actor per node
            errors = await self._start_node_pools()
        if self.nodes:  # otherwise the caller fails with all of them
            for e in errors:
                log.warning("ray: left out %s", e)
        return errors

    async def _start_node_pools(self) -> list[str]:
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        from sandbox.image import image_tag

        expected_image = self.pool_options.get("image") or image_tag()
        nodes = await asyncio.to_thread(ray.nodes)
        now = time.monotonic()
        fresh = [
            n for n in nodes
            if n.get("Alive") and n["Resources"].get("CPU", 0) >= 1
            and n["NodeID"] not in self.nodes and n["NodeID"] not in self._dead
            and now - self._failed.get(n["NodeID"], -RETRY_FAILED_S) >= RETRY_FAILED_S
        ]

        async def launch(n: dict) -> _Node:
            size = self.node_size or int(n["Resources"]["CPU"])
            actor = self._remote_cls.options(
                num_cpus=0,
                max_concurrency=10_000,
                scheduling_strategy=NodeAffinitySchedulingStrategy(n["NodeID"], soft=False),
            ).remote(self.node_backend, size, self.pool_options)
            try:
                info = await actor.start.remote()
                if info["backend"] == "docker" and info["image"] != expected_image:
                    raise SandboxUnavailable(
                        f"its sandbox image is {info['image']}, this machine's is "
                        f"{expected_image}: install the same archon-code version on every node")
            except BaseException:
                ray.kill(actor, no_restart=True)
                raise
            name = f"{info['hostname']}:{n['NodeID'][:8]}"
            return _Node(actor, n["NodeID"], name, info["size"], info)

        errors = []
        for n, got in zip(fresh, await asyncio.gather(*map(launch, fresh), return_exceptions=True)):
            if isinstance(got, BaseException):
                if isinstance(got, asyncio.CancelledError):
                    raise got
                where = n.get("NodeManagerHostname") or n.get("NodeManagerAddress")
                why = getattr(got, "cause", None) or got  # the node's own error, not Ray's wrapper
                errors.append(f"node {where} ({n['NodeID'][:8]}): {why}")
                self._failed[n["NodeID"]] = time.monotonic()
                continue
            self.nodes[got.node_id] = got
            self._failed.pop(got.node_id, None)
            self.stats.nodes_joined += 1
        if fresh:
            async with self._cond:
                self._cond.notify_all()
        return errors

    async def _rediscover_loop(self) -> None:
        while True:
            await asyncio.sleep(self.rediscover_s)
            try:
                await self._discover()
            except Exception as e:  # a hiccup asking the cluster is not fatal
                log.warning("ray: could not list nodes: %s", e)

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        import ray

        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        nodes, self.nodes = list(self.nodes.values()), {}

        async def stop(node: _Node) -> None:
            try:
                await asyncio.wait_for(node.actor.close.remote(), 60)
            except Exception as e:
                log.warning("ray: node %s did not close cleanly: %s", node.name, e)
            ray.kill(node.actor, no_restart=True)

        if ray.is_initialized():
            await asyncio.gather(*map(stop, nodes), return_exceptions=True)
        self._test_refs.clear()
        self._test_ref_bytes = 0
        if self._owns_ray:
            await asyncio.to_thread(ray.shutdown)
            self._owns_ray = False
        self._started = False

    async def __aenter__(self) -> RaySandboxPool:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await asyncio.shield(self.close())

    # ------------------------------------------------------------ dispatch

    async def _acquire(self) -> _Node:
        """The node with the most free room; waits while every node is full."""
        assert self._cond is not None
        async with self._cond:
            while True:
                usable = [n for n in self.nodes.values() if not n.suspect]
                free = [n for n in usable if n.running < n.capacity]
                if free:
                    node = min(free, key=lambda n: (n.running / n.capacity, n.running))
                    node.running += 1
                    return node
                if not self.nodes:
                    raise SandboxUnavailable("every Ray node with a sandbox pool is gone")
                await self._cond.wait()

    async def _release(self, node: _Node) -> None:
        async with self._cond:
            node.running -= 1
            self._cond.notify_all()

    async def _lose(self, node: _Node, why: BaseException | str) -> None:
        import ray

        if self.nodes.pop(node.node_id, None) is None:
            return
        self._dead.add(node.node_id)
        self.stats.nodes_lost += 1
        log.warning("ray: lost node %s (%s); its jobs go back to the queue", node.name, why)
        try:
            ray.kill(node.actor, no_restart=True)
        except Exception:
            pass
        async with self._cond:
            self._cond.notify_all()
        # A replacement machine (an autoscaler, a restarted pod) joins as soon as it is up.
        self._spawn(self._discover())

    async def _probe(self, node: _Node) -> None:
        """A node that stopped answering: let it back in if it answers again, else drop it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PROBE_PATIENCE_S
        while loop.time() < deadline:
            try:
                await asyncio.wait_for(node.actor.ping.remote(), 5)
            except Exception as e:
                if _is_node_loss(e) and not _unavailable(e):
                    break
                await asyncio.sleep(1)
                continue
            node.suspect = False
            async with self._cond:
                self._cond.notify_all()
            return
        await self._lose(node, "it stopped answering")

    def _tests_arg(self, tests: list[TestCase], digest: str):
        """Large test sets travel once per node through the object store."""
        import ray

        size = sum(len(t.input) + len(t.output or "") for t in tests)
        if size < INLINE_TESTS_BYTES:
            return tests
        kept = self._test_refs.get(digest)
        if kept is not None:
            self._test_refs.move_to_end(digest)
            return kept[0]
        ref = ray.put(tests)
        self._test_refs[digest] = (ref, size)
        self._test_ref_bytes += size
        # Jobs still running hold their own reference; this only bounds what is kept for
        # the next jobs on the same tests.
        while self._test_ref_bytes > TEST_REFS_BYTES and len(self._test_refs) > 1:
            _, (_, dropped) = self._test_refs.popitem(last=False)
            self._test_ref_bytes -= dropped
        return ref

    # ------------------------------------------------------------ jobs

    async def run(
        self,
        program: Program,
        tests: Sequence[TestCase],
        limits: Limits = Limits(),
        *,
        checker: str = "codecontests",
        input_file: str | None = None,
        output_file: str | None = None,
        max_failures: int | None = None,
    ) -> JobResult:
        """Run one program on all its tests on some node of the cluster; see SandboxPool.run."""
        if not self._started:
            await self.start()
        check_fits(limits, self.container_memory_mb)
        tests = list(tests)
        options = {"checker": checker, "input_file": input_file, "output_file": output_file,
                   "max_failures": max_failures}
        digest = tests_digest(tests)
        key = job_key(program, digest, limits, **options)
        while (shared := self._inflight.get(key)) is not None:
            try:
                result = copy.deepcopy(await asyncio.shield(shared))
            except asyncio.CancelledError:
                if shared.cancelled() and not asyncio.current_task().cancelling():
                    continue  # the caller running it gave up, not this one: run it here
                raise
            self.stats.shared += 1
            self.stats.jobs += 1
            return result
        fut = asyncio.get_running_loop().create_future()
        self._inflight[key] = fut
        try:
            result = await self._dispatch(key, program, tests, digest, limits, options)
        except asyncio.CancelledError:
            fut.cancel()
            raise
        except BaseException as e:
            fut.set_exception(e)
            fut.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            self._inflight.pop(key, None)
        fut.set_result(result)
        self.stats.jobs += 1
        return result

    async def _dispatch(self, key, program, tests, digest, limits, options) -> JobResult:
        import ray

        arg = self._tests_arg(tests, digest)
        losses = []
        while len(losses) <= MAX_REQUEUES:
            node = await self._acquire()
            ref = None
            try:
                ref = node.actor.run.remote(key, program, arg, limits, options)
                result: JobResult = await ref
            except asyncio.CancelledError:
                if ref is not None:
                    ray.cancel(ref)  # the node frees the sandbox
                raise
            except Exception as e:
                if not _is_node_loss(e):
                    raise
                losses.append(f"{node.name}: {type(e).__name__}")
                self.stats.requeued += 1
                if _unavailable(e):
                    if not node.suspect:
                        node.suspect = True
                        self._spawn(self._probe(node))
                else:
                    await self._lose(node, type(e).__name__)
                continue
            finally:
                await self._release(node)
            self.stats.executed += 1
            result.worker = f"{node.name}/{result.worker}"
            result.attempts += len(losses)
            return result
        return sandbox_error(tests, "lost the node running this job "
                                     f"{len(losses)} times: " + ", ".join(losses))

    async def run_many(self, jobs, **kwargs) -> list[JobResult]:
        """Run (program, tests, limits) triples concurrently; results in the same order."""
        return await asyncio.gather(*(self.run(p, t, lim, **kwargs) for p, t, lim in jobs))


def _unavailable(e: BaseException) -> bool:
    import ray.exceptions as rex

    return isinstance(e, rex.ActorUnavailableError)
