"""SandboxPool: a warm pool of supervisors that run whole jobs, in parallel.

    async with SandboxPool() as pool:
        result = await pool.run(Program(src, "python"), [TestCase("1 2\\n", "3\\n")])

`backend="auto"` uses Docker whenever a daemon answers and falls back, loudly, to the
weaker local backend otherwise.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import secrets
import warnings
from collections.abc import Sequence
import time
from dataclasses import asdict, dataclass, replace

from sandbox import languages
from sandbox.artifacts import ArtifactCache, Build, build_key
from sandbox.checker import check
from sandbox.runner import DEFAULT_CHECKER
from sandbox.supervisor import hard_cap_s
from sandbox.types import JobResult, Limits, Program, TestCase, TestResult, Verdict, output_hash
from sandbox.daemon import SandboxUnavailable, docker_client, remove_pool_containers
from sandbox.workers import DockerWorker, LocalWorker, Worker, WorkerBroken, cgroup_binds

log = logging.getLogger("archon_code.sandbox")

BIG_OUTPUT = 1 << 20  # check outputs above this size off the event loop


class WeakSandboxWarning(UserWarning):
    pass


@dataclass
class PoolStats:
    """Where a pool's time went, summed over the jobs it ran (for benchmarks/main_job.py)."""

    jobs: int = 0
    tests: int = 0
    builds: int = 0  # programs compiled (C++, Java)
    builds_cached: int = 0  # compiled programs taken from the build cache
    compile_s: float = 0.0  # wall time of the builds and of Python's syntax checks
    cpu_s: float = 0.0  # the programs' own CPU time on their tests
    busy_s: float = 0.0  # wall time sandboxes spent on jobs (compile, tests, set-up, transfer)

    def count(self, result: JobResult, busy_s: float, *, built: bool) -> None:
        self.jobs += 1
        self.tests += len(result.tests)
        self.builds += built and not result.compile_cached
        self.builds_cached += result.compile_cached
        self.compile_s += result.compile_s
        self.cpu_s += sum(t.cpu_s for t in result.tests)
        self.busy_s += busy_s

    def to_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


class SandboxPool:
    def __init__(
        self,
        backend: str = "auto",
        size: int | None = None,
        *,
        image: str | None = None,
        container_memory_mb: int = 2048,
        pids: int = 256,
        work_mb: int = 256,
        preload: bool = True,
        build_image: bool = True,
        spare: bool = True,
        keep_output: int = 1 << 20,
        cgroups: bool = True,
        namespaces: bool = True,
        build_cache: str | os.PathLike | None = None,
    ) -> None:
        if backend not in ("auto", "docker", "local"):
            raise ValueError(f"unknown sandbox backend {backend!r} (docker, local or auto)")
        self.requested_backend = backend
        self.backend = backend
        self.size = size or os.cpu_count() or 1
        self.image = image
        self.container_memory_mb = container_memory_mb
        self.pids = pids
        self.work_mb = work_mb
        self.preload = preload
        self.build_image = build_image
        self.spare = spare  # one warm worker beyond `size`, swapped in when one breaks
        self._spare: Worker | None = None
        self._spare_task: asyncio.Task | None = None
        self.pool_id = secrets.token_hex(8)
        self._client = None
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._workers: set[Worker] = set()
        self._counter = 0
        self._started = False
        self.replaced = 0  # workers thrown away after an anomaly
        # What each compiled program compiled to: a program compiles once per pool,
        # whichever container runs it next, and once per build_cache directory across pools.
        self.builds = ArtifactCache(build_cache)
        # Python sources that passed the syntax check in this pool's image: not checked again
        # (the check only ever turns a source into CE; it isolates nothing).
        self._checked: set[str] = set()
        self.stats = PoolStats()
        self.keep_output = keep_output
        # Per-test cgroups and namespaces are used wherever they work; turning them off is
        # for measuring what they cost (benchmarks/sandbox_throughput.py).
        self.cgroups = cgroups
        self.namespaces = namespaces
        self._binds: dict = {}
        self._security_opt: list[str] = []
        self.isolation: dict = {}

    # ------------------------------------------------------------ life cycle

    async def start(self) -> SandboxPool:
        if self._started:
            return self
        if self.backend in ("auto", "docker"):
            self._client = await asyncio.to_thread(docker_client)
            if self._client is None:
                if self.backend == "docker":
                    raise SandboxUnavailable(
                        "no Docker daemon answers (is dockerd running? is DOCKER_HOST right?)"
                    )
                self.backend = "local"
            else:
                self.backend = "docker"
        if self.backend == "docker":
            from sandbox.image import ensure_image

            self.image = self.image or await asyncio.to_thread(
                ensure_image, self._client, build=self.build_image
            )
            if self.cgroups:
                self._binds = await asyncio.to_thread(cgroup_binds, self._client)
            self._security_opt = container_security_opt()
            atexit.register(remove_pool_containers, self.pool_id)
        else:
            warnings.warn(
                "sandbox: using the LOCAL backend (rlimits and process sessions only: no "
                "container, no network isolation, no read-only file system). Do not run "
                "untrusted code this way; start a Docker daemon for the real sandbox.",
                WeakSandboxWarning,
                stacklevel=2,
            )
        self._started = True
        try:
            count = self.size + (1 if self.spare else 0)
            workers = await asyncio.gather(*(self._new_worker() for _ in range(count)))
        except BaseException:
            await self.close()
            raise
        if self.spare:
            self._spare = workers.pop()
        for w in workers:
            self._idle.put_nowait(w)
        self.isolation = {k: workers[0].info.get(k) for k in ("cgroups", "namespaces", "seccomp")}
        notes = workers[0].info.get("notes") or []
        if self.backend == "docker" and notes and self.cgroups and self.namespaces:
            warnings.warn("sandbox: weaker isolation on this machine: " + "; ".join(notes),
                          WeakSandboxWarning, stacklevel=2)
        return self

    async def _new_worker(self) -> Worker:
        self._counter += 1
        if self.backend == "docker":
            w: Worker = DockerWorker(
                self._client,
                self.image,
                self.pool_id,
                self._counter,
                memory_mb=self.container_memory_mb,
                pids=self.pids,
                work_mb=self.work_mb,
                preload=self.preload,
                binds=self._binds,
                security_opt=self._security_opt,
                namespaces=self.namespaces,
            )
        else:
            w = LocalWorker(self._counter, preload=self.preload)
        self._workers.add(w)
        try:
            await w.start()
        except BaseException:
            self._workers.discard(w)
            await w.close()
            raise
        return w

    async def close(self) -> None:
        if self._spare_task is not None:
            self._spare_task.cancel()
            await asyncio.gather(self._spare_task, return_exceptions=True)
            self._spare_task = None
        self._spare = None
        workers, self._workers = list(self._workers), set()
        await asyncio.gather(*(w.close() for w in workers), return_exceptions=True)
        if self.backend == "docker":
            await asyncio.to_thread(remove_pool_containers, self.pool_id)
        self._started = False

    async def __aenter__(self) -> SandboxPool:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await asyncio.shield(self.close())

    @property
    def description(self) -> str:
        """Where jobs run, in a few words (for progress lines)."""
        return f"{self.backend}, {self.size} sandboxes"

    # ------------------------------------------------------------ jobs

    async def run(
        self,
        program: Program,
        tests: Sequence[TestCase],
        limits: Limits = Limits(),
        *,
        checker: str = DEFAULT_CHECKER,
        input_file: str | None = None,
        output_file: str | None = None,
        max_failures: int | None = None,
    ) -> JobResult:
        """Run one program on all its tests in one sandbox and judge every output.

        With max_failures, the job stops after that many failed tests (TLE, RE, MLE, OLE, and
        WA when every test has an expected output): the remaining tests are not run, and
        `result.skipped` says how many."""
        if not self._started:
            await self.start()
        check_fits(limits, self.container_memory_mb)
        lang = languages.get(program.language)
        limits = replace(limits, wall_s=limits.wall_backstop_s,
                         processes=max(limits.processes, lang.min_processes))
        header = job_header(lang, program.source, limits, input_file=input_file,
                            output_file=output_file, max_failures=max_failures)
        # Stopping after failures counts wrong answers too when every test has an expected
        # output: the supervisor then gets those outputs to tell.
        stop_on_wrong = bool(max_failures) and bool(tests) and all(t.output is not None for t in tests)
        if stop_on_wrong:
            header.update(expected=True, checker=checker)
            test_blobs = [b for t in tests for b in (t.input.encode(), t.output.encode())]
        else:
            test_blobs = [t.input.encode() for t in tests]
        key, cached = "", None
        if lang.build:
            key = build_key(self.image or self.backend, lang.name, lang.build, program.source)
            cached = (await asyncio.to_thread(self.builds.get, key)
                      if self.builds.directory is not None else self.builds.get(key))
        elif header["run"].get("python"):  # checked by the supervisor, not built
            key = build_key(self.image or self.backend, lang.name, (), program.source)
            if key in self._checked:
                header["checked"] = True
        if cached is not None:
            header.update(prebuilt=True, compile_output=cached.compile_output)
            blobs = [cached.artifact, *test_blobs]
        else:
            header["return_artifact"] = lang.build is not None
            blobs = [program.source.encode(), *test_blobs]
        last_error = ""
        for attempt in (1, 2):
            worker = await self._idle.get()
            started = time.monotonic()
            try:
                result = await self._converse(worker, program, header, blobs, tests, limits,
                                              checker, key)
            except WorkerBroken as e:
                last_error = str(e)
                log.warning("sandbox %s misbehaved (%s); replacing it", worker.name, e)
                await self._replace(worker)
                continue
            except BaseException:
                # Cancelled mid-job: the worker's stream is in an unknown state.
                asyncio.ensure_future(self._replace(worker))
                raise
            self._idle.put_nowait(worker)
            result.worker = worker.name
            result.attempts = attempt
            result.compile_cached = cached is not None
            self.stats.count(result, time.monotonic() - started, built=lang.build is not None)
            return result
        return sandbox_error(tests, last_error)

    async def _converse(self, worker: Worker, program: Program, header: dict, blobs: list[bytes],
                        tests: Sequence[TestCase], limits: Limits, checker: str,
                        key: str) -> JobResult:
        """One job on one worker: results arrive test by test and are judged as they come,
        so only one test's output is in memory at a time."""

        async def timeouts():
            # The supervisor may let a program that is still computing run past its wall
            # backstop on a starved machine, until its CPU limit stops it.
            yield hard_cap_s(limits.compile_time_s * 2 + 5, limits.compile_time_s) + 30
            while True:
                yield hard_cap_s(limits.wall_backstop_s, limits.time_s) + 30

        result = JobResult()
        async for reply, out in worker.conversation(header, blobs, timeouts()):
            if "build" in reply:
                build = reply["build"]
                result.compile_output = build.get("output", "")
                result.compile_s = float(build.get("time_s") or 0.0)
                if build.get("verdict"):
                    result.compile_verdict = Verdict(build["verdict"])
                elif header["run"].get("python"):
                    self._checked.add(key)
                elif reply.get("artifact"):
                    built = Build(out[0], result.compile_output)
                    if self.builds.directory is not None:
                        await asyncio.to_thread(self.builds.put, key, built)
                    else:
                        self.builds.put(key, built)
            elif "test" in reply:
                i = reply["test"]
                if i != len(result.tests) or i >= len(tests):
                    raise WorkerBroken(f"{worker.name}: result for test {i} out of order")
                result.tests.append(await self._judge(reply, out[0], out[1], tests[i], checker))
            elif reply.get("done") and result.compile_verdict is None:
                result.skipped = len(tests) - len(result.tests)
        if result.compile_verdict is None and len(result.tests) + result.skipped != len(tests):
            raise WorkerBroken(f"{worker.name}: the job ended after {len(result.tests)} results")
        return result

    async def _replace(self, worker: Worker) -> None:
        self.replaced += 1
        self._workers.discard(worker)
        await worker.close()
        if self._spare is not None:
            # The warm spare takes the broken one's place at once; a new spare warms up
            # in the background.
            self._idle.put_nowait(self._spare)
            self._spare = None
            self._spare_task = asyncio.ensure_future(self._warm_spare())
            return
        try:
            fresh = await self._new_worker()
        except Exception as e:  # keep going with fewer workers rather than deadlock
            log.error("could not start a replacement sandbox: %s", e)
            if not self._workers:
                raise SandboxUnavailable(f"every sandbox failed; last error: {e}") from e
            return
        self._idle.put_nowait(fresh)

    async def _warm_spare(self) -> None:
        try:
            self._spare = await self._new_worker()
        except Exception as e:
            log.error("could not start a spare sandbox: %s", e)

    async def _judge(self, meta: dict, stdout_raw: bytes, stderr_raw: bytes, test: TestCase,
                     checker: str) -> TestResult:
        verdict = meta["verdict"]
        big = len(stdout_raw) > BIG_OUTPUT
        stdout = await asyncio.to_thread(_decode, stdout_raw) if big else _decode(stdout_raw)
        if verdict == "run_ok":
            if test.output is None:
                verdict = "OK"
            elif big:
                ok = await asyncio.to_thread(check, test.output, stdout, checker)
                verdict = "OK" if ok else "WA"
            else:
                verdict = "OK" if check(test.output, stdout, checker) else "WA"
        digest = await asyncio.to_thread(output_hash, stdout) if big else output_hash(stdout)
        kept = stdout if len(stdout_raw) <= self.keep_output else _decode(
            stdout_raw[: self.keep_output])
        return TestResult(
            verdict=Verdict(verdict),
            time_s=meta["wall_s"],
            cpu_s=meta["cpu_s"],
            memory_bytes=meta["memory_bytes"],
            exit_code=meta["exit_code"],
            signal=meta["signal"],
            stdout=kept,
            stderr_head=_decode(stderr_raw)[:2048],
            detail=meta.get("detail", ""),
            stdout_bytes=len(stdout_raw),
            output_hash=digest,
        )

    async def run_many(self, jobs, **kwargs) -> list[JobResult]:
        """Run (program, tests, limits) triples concurrently; results in the same order."""
        return await asyncio.gather(*(self.run(p, t, lim, **kwargs) for p, t, lim in jobs))


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def job_header(lang: languages.Language, source: str, limits: Limits, *,
               input_file: str | None = None, output_file: str | None = None,
               max_failures: int | None = None) -> dict:
    """The supervisor's job header for one program, from the language table."""
    main = lang.main_name(source)
    header: dict = {
        "op": "run",
        "language": lang.name,
        "source": lang.source.format(main=main),
        "main": main,
        "limits": limits.to_dict(),
        "input_file": input_file,
        "output_file": output_file,
        "max_failures": max_failures,
        "address_space": lang.address_space_limit,
        "artifact_name": lang.artifact_name,
        "env": dict(lang.env),
    }
    if lang.build:
        header["build"] = {"argv": list(lang.build), "artifact": lang.artifact,
                           "address_space": lang.address_space_limit}
    header["run"] = {"python": True} if lang.run == ("{python}",) else {"argv": list(lang.run)}
    return header


def container_security_opt() -> list[str]:
    """The sandbox containers' seccomp profile: Docker's default refuses the unprivileged
    user namespaces that each test runs in."""
    try:
        from sandbox.seccomp_filter import container_profile
    except ImportError:
        return []
    return ["seccomp=" + json.dumps(container_profile())]


def check_fits(limits: Limits, container_memory_mb: int) -> None:
    """A test's memory, plus room for its output and the supervisor, must fit a container."""
    if limits.memory_mb + 2 * limits.output_mb + 64 > container_memory_mb:
        raise ValueError(
            f"memory limit {limits.memory_mb} MB does not fit the pool's containers "
            f"({container_memory_mb} MB); start the pool with more memory"
        )


def sandbox_error(tests: Sequence[TestCase], why: str) -> JobResult:
    return JobResult(
        tests=[TestResult(verdict=Verdict.SE, detail=why) for _ in tests],
        compile_verdict=None if tests else Verdict.SE,
        compile_output=why,
        attempts=2,
    )
