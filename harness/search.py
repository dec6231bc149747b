"""Architecture search: optuna over a :class:`SearchSpace`, every trial a real bench run.

    study dir/
        search.json      what was searched (space, problems and their split, objectives, seed)
        study.db         the optuna study (SQLite): an interrupted search resumes from it
        runs.sqlite      what each program printed on each input, shared by every trial
        trials/<hash>/   one run dir per distinct architecture, on the search problems
        heldout/<hash>/  the finalists' and the baseline's run dirs on the held-out problems
        best.yaml        the best architecture, loadable by `bench --arch` and `solve --arch`
        pareto/          one YAML per Pareto point (multi-objective), finalists/ (single)
        report.html      the front as a table and an SVG plot, every trial, held-out Pass@1
                         next to the baseline's (harness/search_html.py)
        results.json     the summary `--json` prints
        .lock            held by the one search working here

Honest evaluation: the problems are split with a seeded shuffle into a search part and a
held-out part (80% by default, as in Archon); trials only ever see the search part, and the
finalists (the best trial, or the Pareto front) are then run on the held-out part, whose
Pass@1 and bootstrap interval are what a reader should believe. A baseline (the space at its
defaults, or an architecture the user names) is judged on the same held-out problems, so that
what the search gained shows as a paired difference.

Work is shared between trials: LLM samples come from the on-disk response cache (keyed by
sample index, so a trial asking for more samples pays only for the new ones), and every
(program, input) pair runs once per study in the sandbox (:class:`SharedRunsPool`). So that
trials are still compared fairly, the cost and latency objectives count cached work at what it
cost when it was first done: ``cost`` is USD per problem as if nothing were cached, ``latency``
the seconds of LLM requests plus sandbox runs per problem (work done in parallel adds up, so
it bounds the wall-clock latency from above). The money actually spent is reported apart, and
is what ``--budget-usd`` caps. Metering lives in harness/metering.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
import math
import random
import sqlite3
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from archon_code.config import Architecture, parse_architecture
from archon_code.context import LLMHub, with_model
from harness.archfile import architecture_yaml
from archon_code.rules import Rules
from harness.bench import BenchOptions, run_bench
from harness.dirlock import DirLock, os_error_text
from harness.metering import MeteredPipeline, Work, current_work, record_work
from harness.metrics import bootstrap_diff_ci
from harness.progress import RunProgress
from harness.report import problem_score
from harness.runstore import RunStore, config_hash, versions
from harness.search_html import render_search_html
from harness.search_space import SearchSpace, SpaceError, llm_samples
from problems import Problem
from sandbox.checker import check
from sandbox.normalise import run_key
from sandbox.pool import SandboxPool
from sandbox.types import JobResult, Limits, Program, TestCase, TestResult, Verdict

OBJECTIVES = {"pass@1": "maximize", "cost": "minimize", "latency": "minimize"}
STUDY_NAME = "archon-code-search"


class SearchError(Exception):
    """A search that cannot start or go on; the message says why, in one line."""


# ---------------------------------------------------------------------------------------------
# Options, objectives and the split


@dataclass
class SearchOptions:
    objectives: tuple[str, ...] = ("pass@1",)
    trials: int = 20
    budget_usd: float | None = None
    holdout: float = 0.8
    seed: int = 0
    sampler: str = "auto"
    rules: Rules = field(default_factory=Rules)  # checker, limits, hidden tests of every trial
    model: str | None = None  # replaces every LLM component's model
    api_base: str | None = None


# How the baseline is made when none is named: a deterministic point of the space.
DEFAULTS_HOW = ("the space's defaults (every choice at its first option, every optional part on, "
                "every range at its low end)")


class SpaceDefaults:
    """Answers a space's choice points with their defaults (see :data:`DEFAULTS_HOW`): the
    space's own plain architecture, against which the search's finalists are judged."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def suggest_int(self, name, low, high, *, step=1, log=False):
        return self.params.setdefault(name, low)

    def suggest_float(self, name, low, high, *, step=None, log=False):
        return self.params.setdefault(name, low)

    def suggest_categorical(self, name, choices):
        return self.params.setdefault(name, list(choices)[0])


def default_architecture(space: SearchSpace) -> Architecture:
    """The space at its defaults; :class:`SearchError` when that point is not a valid
    architecture (name a baseline with --baseline then)."""
    try:
        return space.instantiate(SpaceDefaults(), f"{space.name}-defaults")
    except SpaceError as e:
        raise SearchError(f"{space.source}: the space's defaults are not a valid architecture "
                          f"({'; '.join(e.problems)}); name a baseline with --baseline") from None


@dataclass
class Baseline:
    """An architecture judged on the held-out problems beside the finalists."""

    architecture: Architecture
    how: str  # in words, for the report


def parse_objectives(text: str) -> tuple[str, ...]:
    names = tuple(x.strip().lower() for x in text.split(",") if x.strip())
    names = tuple("pass@1" if n in ("pass@1", "pass_at_1", "pass1") else n for n in names)
    unknown = [n for n in names if n not in OBJECTIVES]
    if unknown:
        raise SearchError(f"--objectives: unknown {', '.join(unknown)}; choose from pass@1, cost, latency")
    if "pass@1" not in names:
        raise SearchError("--objectives must include pass@1 (e.g. pass@1,cost)")
    if len(set(names)) != len(names):
        raise SearchError("--objectives names an objective twice")
    return tuple(sorted(names, key=list(OBJECTIVES).index))


def split_problems(problems: Sequence[Problem], holdout: float, seed: int) -> tuple[list[Problem], list[Problem]]:
    """(search, held-out): a seeded shuffle of the problems (in id order first, so the split
    does not depend on the order they were loaded in), ``holdout`` of them held out."""
    if not 0 <= holdout < 1:
        raise SearchError(f"--holdout must be at least 0 and below 1, not {holdout}")
    ordered = sorted(problems, key=lambda p: p.id)
    random.Random(f"split:{seed}").shuffle(ordered)
    n = len(ordered)
    if holdout == 0:
        return ordered, []
    if n < 2:
        raise SearchError(f"{n} problem(s) cannot be split into a search and a held-out part; "
                          "give more problems or --holdout 0")
    n_search = min(n - 1, max(1, round(n * (1 - holdout))))
    return ordered[:n_search], ordered[n_search:]


def make_sampler(name: str, directions: Sequence[str], seed: int, trials: int,
                 startup_trials: int | None) -> optuna.samplers.BaseSampler:
    multi = len(directions) > 1
    if name == "auto":
        name = "nsga2" if multi else "tpe"
    if name == "tpe":
        startup = startup_trials if startup_trials is not None else max(3, min(10, trials // 3))
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, population_size=max(4, min(50, trials // 3)))
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "grid":
        return optuna.samplers.BruteForceSampler(seed=seed)
    if name == "gp":
        try:
            import scipy  # noqa: F401
            import torch  # noqa: F401
        except ImportError:
            raise SearchError("--sampler gp needs torch and scipy installed; use tpe") from None
        return optuna.samplers.GPSampler(seed=seed)
    raise SearchError(f"unknown sampler {name!r}; choose from auto, tpe, gp, random, grid, nsga2")


# ---------------------------------------------------------------------------------------------
# Sandbox runs shared between trials


class RunMemo:
    """What a program printed on an input, keyed by (program, limits, files, input), in SQLite
    under the study dir, so that a resumed search reuses the runs of the interrupted one.
    Outputs above ``max_output`` are not kept (they are run again when asked for)."""

    def __init__(self, path: Path | str = ":memory:", max_output: int = 1 << 20) -> None:
        self.max_output = max_output
        self._db = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, result TEXT NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS compile (key TEXT PRIMARY KEY, verdict TEXT NOT NULL,"
                         " output TEXT NOT NULL)")

    def runs(self, keys: Sequence[str]) -> dict[str, TestResult]:
        found: dict[str, TestResult] = {}
        wanted = list(dict.fromkeys(keys))
        for i in range(0, len(wanted), 500):  # under SQLite's host-parameter limit
            chunk = wanted[i:i + 500]
            rows = self._db.execute(f"SELECT key, result FROM runs WHERE key IN ({','.join('?' * len(chunk))})",
                                    chunk).fetchall()
            for key, text in rows:
                d = json.loads(text)
                found[key] = TestResult(**{**d, "verdict": Verdict(d["verdict"])})
        return found

    def keep(self, results: dict[str, TestResult]) -> None:
        rows = [(k, json.dumps({**dataclasses.asdict(r), "verdict": r.verdict.value}))
                for k, r in results.items() if r.verdict is not Verdict.SE and len(r.stdout) <= self.max_output]
        if rows:
            self._db.executemany("INSERT OR REPLACE INTO runs (key, result) VALUES (?, ?)", rows)

    def compile_error(self, key: str) -> tuple[Verdict, str] | None:
        row = self._db.execute("SELECT verdict, output FROM compile WHERE key = ?", (key,)).fetchone()
        return (Verdict(row[0]), row[1]) if row else None

    def keep_compile_error(self, key: str, output: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO compile (key, verdict, output) VALUES (?, ?, ?)",
                         (key, Verdict.CE.value, output))

    def close(self) -> None:
        self._db.close()


class SharedRunsPool:
    """A SandboxPool with the same ``run``, remembering (in a :class:`RunMemo`) what each
    program printed on each input, so that a program never runs twice on the same input in
    one search, whichever trial or judge asks.

    Programs run without expected outputs and are judged here, so one remembered run serves a
    public-example check, a hidden-test verdict and output clustering alike. Sandbox errors are
    never remembered; compile errors are. ``max_failures`` keeps its meaning: the answer stops
    after that many tests that did not run cleanly."""

    def __init__(self, pool: SandboxPool, memo: RunMemo | None = None) -> None:
        self.pool = pool
        self.memo = memo or RunMemo()
        self._locks: dict[str, asyncio.Lock] = {}
        self.fresh = 0  # (program, input) pairs run
        self.reused = 0  # answered from the memo

    @property
    def size(self) -> int:
        return self.pool.size

    @property
    def backend(self) -> str:
        return self.pool.backend

    async def run(self, program: Program, tests: Sequence[TestCase], limits: Limits | None = None, *,
                  checker: str = "codecontests", input_file: str | None = None,
                  output_file: str | None = None, max_failures: int | None = None) -> JobResult:
        limits = limits or Limits()
        base = hashlib.sha256(json.dumps([run_key(program), limits.to_dict(), input_file, output_file],
                                         sort_keys=True).encode()).hexdigest()
        keys = [base + hashlib.sha256(t.input.encode()).hexdigest() for t in tests]
        # One job per program at a time, so that two asking for the same input share one run.
        async with self._locks.setdefault(base, asyncio.Lock()):
            compiled = self.memo.compile_error(base)
            if compiled is not None:
                return JobResult(compile_verdict=compiled[0], compile_output=compiled[1], worker="memo")
            got = self.memo.runs(keys)
            missing = list(dict.fromkeys(k for k in keys if k not in got))
            worker, attempts = "memo", 1
            if missing or not tests:
                inputs = dict(zip(keys, (t.input for t in tests)))
                result = await self.pool.run(program, [TestCase(inputs[k], None) for k in missing], limits,
                                             checker=checker, input_file=input_file, output_file=output_file,
                                             max_failures=max_failures)
                worker, attempts = result.worker, result.attempts
                if result.compile_verdict is not None:
                    if result.compile_verdict is Verdict.CE:
                        self.memo.keep_compile_error(base, result.compile_output)
                    return result
                fresh = dict(zip(missing, result.tests))
                self.memo.keep(fresh)
                got.update(fresh)
                self.fresh += len(fresh)
        out = JobResult(worker=worker, attempts=attempts)
        failures = 0
        for k, t in zip(keys, tests):
            raw = got.get(k)
            if raw is None:
                break  # not run: the sandbox stopped after max_failures
            out.tests.append(await _judge(raw, t.output, checker))
            failures += raw.verdict is not Verdict.OK
            if max_failures is not None and failures >= max_failures:
                break
        out.skipped = len(tests) - len(out.tests)
        answered = keys[: len(out.tests)]
        reused = sum(1 for k in answered if k not in missing)
        self.reused += reused
        work = current_work()
        if work is not None:
            work.sandbox_s += sum(r.time_s for r in out.tests)
            work.runs_fresh += len(answered) - reused
            work.runs_reused += reused
        return out

    async def run_many(self, jobs, **kwargs) -> list[JobResult]:
        return await asyncio.gather(*(self.run(p, t, lim, **kwargs) for p, t, lim in jobs))


async def _judge(raw: TestResult, expected: str | None, checker: str) -> TestResult:
    """A remembered run against this test's expected output (the pool's own rule)."""
    if raw.verdict is not Verdict.OK or expected is None:
        return raw
    if len(raw.stdout) > 1 << 20:
        ok = await asyncio.to_thread(check, expected, raw.stdout, checker)
    else:
        ok = check(expected, raw.stdout, checker)
    return raw if ok else dataclasses.replace(raw, verdict=Verdict.WA)


# ---------------------------------------------------------------------------------------------
# Architectures of trials


def architecture_key(arch: Architecture) -> str:
    """Trials that sample the same architecture share one run dir, whatever their name."""
    return config_hash({"layers": arch.model_dump(mode="json")["layers"]})


# ---------------------------------------------------------------------------------------------
# Evaluations


@dataclass
class Evaluation:
    summary: dict[str, Any]
    problems: int
    pass_at_1: float
    ci95: tuple[float, float]
    cost_per_problem: float  # list cost
    latency_per_problem: float  # seconds of work
    list_cost_usd: float
    spent_usd: float  # paid in this run
    llm_fresh: int
    llm_cached: int
    runs_fresh: int
    runs_reused: int
    run_dir: str

    def objective(self, name: str) -> float:
        return {"pass@1": self.pass_at_1, "cost": self.cost_per_problem,
                "latency": self.latency_per_problem}[name]

    def to_dict(self) -> dict[str, Any]:
        s = self.summary
        return {"problems": self.problems, "pass_at_1": self.pass_at_1, "pass_at_1_ci95": list(self.ci95),
                "oracle": s.get("oracle"), "random_pick": s.get("random_pick"),
                "cost_per_problem_usd": self.cost_per_problem, "latency_per_problem_s": self.latency_per_problem,
                "spent_usd": round(self.spent_usd, 6), "errors": len(s.get("errors") or []),
                "wall_s": s.get("wall_s"), "run_dir": self.run_dir}


ProgressHook = Callable[[str, Any], None]
# (label, problems, already done, layers) -> the display of one evaluation's progress
ProgressFactory = Callable[[str, int, int, int], RunProgress]


class Search:
    """One search: its space, problems, options and study dir; :meth:`run` does the work."""

    def __init__(self, space: SearchSpace, problems: Sequence[Problem], options: SearchOptions,
                 study_dir: Path, pool: SandboxPool, hub: LLMHub, *,
                 on_event: ProgressHook | None = None, command: Sequence[str] = (),
                 baseline: Baseline | None = None, lock: DirLock | None = None,
                 progress: ProgressFactory | None = None) -> None:
        self.space = space
        self.options = options
        self.study_dir = Path(study_dir)
        self.search_problems, self.heldout_problems = split_problems(problems, options.holdout, options.seed)
        self.pool = pool
        self.hub = hub
        self.on_event = on_event or (lambda kind, data: None)
        self.command = list(command)
        self.baseline = baseline
        self.lock = lock or DirLock(self.study_dir, "study dir")
        self.progress = progress
        self.config = study_config(space, options, self.search_problems, self.heldout_problems)
        self.directions = [OBJECTIVES[o] for o in options.objectives]
        self._work: list[Work] = []
        continuous = space.continuous_points()
        if options.sampler == "grid" and continuous:
            raise SearchError(f"the grid sampler needs a step on every float point ({', '.join(continuous)} "
                              "has none)")

    # -- the study --------------------------------------------------------------------------

    def open(self) -> optuna.Study:
        """Take the study dir's lock (if the caller has not already) and open the study."""
        try:
            self.study_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise SearchError(f"{self.study_dir}: cannot create the study dir ({os_error_text(e)})") from None
        self.lock.acquire()
        try:
            return self._open_study()
        except BaseException:
            self.lock.release()
            raise

    def _open_study(self) -> optuna.Study:
        meta_path = self.study_dir / "search.json"
        chash = config_hash(self.config)
        if meta_path.exists():
            try:
                old = json.loads(meta_path.read_text())
            except (OSError, ValueError) as e:
                raise SearchError(f"{meta_path}: unreadable ({e}); move it away or choose another "
                                  "--study-dir") from None
            if not isinstance(old, dict) or old.get("config_hash") != chash:
                raise SearchError(f"{self.study_dir} holds a search of another config "
                                  f"({old.get('config_hash')} vs {chash}: space, problems, split, "
                                  "objectives, seed or model differ); choose another --study-dir")
        else:
            meta = {"config_hash": chash, "config": self.config, "versions": versions(),
                    "command": self.command}
            write_file(meta_path, json.dumps(meta, indent=2, default=str))
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        storage = optuna.storages.RDBStorage(f"sqlite:///{self.study_dir.resolve() / 'study.db'}")
        finished = 0
        try:
            existing = optuna.load_study(study_name=STUDY_NAME, storage=storage)
            finished = len(existing.trials)
        except KeyError:
            pass
        sampler = make_sampler(self.options.sampler, self.directions, self.options.seed + finished,
                               self.options.trials, self.space.search.startup_trials)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            study = optuna.create_study(storage=storage, study_name=STUDY_NAME, sampler=sampler,
                                        directions=self.directions, load_if_exists=True)
        if [d.name.lower() for d in study.directions] != self.directions:
            raise SearchError(f"{self.study_dir}: the study optimises other objectives")
        recover_interrupted(study)
        self.shared = SharedRunsPool(self.pool, RunMemo(self.study_dir / "runs.sqlite"))
        return study

    @staticmethod
    def finished(study: optuna.Study) -> list[FrozenTrial]:
        return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED))

    @staticmethod
    def spent(study: optuna.Study) -> float:
        return sum(t.user_attrs.get("spent_usd", 0.0) for t in study.get_trials(deepcopy=False))

    def projected_cost(self, study: optuna.Study, samples: int) -> float | None:
        """USD a trial asking for ``samples`` LLM samples per problem would cost on the search
        problems with nothing cached: the list cost of earlier trials per sample, scaled. Cache
        hits only make it cheaper, so this errs on the safe side. None: no LLM trial has
        finished yet, so there is nothing to go by and the trial runs."""
        if samples == 0:
            return 0.0
        rates = [t.user_attrs["list_cost_usd"] / t.user_attrs["llm_samples"]
                 for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                 if t.user_attrs.get("llm_samples")]
        return sum(rates) / len(rates) * samples if rates else None

    # -- the loop ---------------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        study = self.open()
        try:
            stopped = await self._trials(study)
            return await self._finish(study, stopped)
        finally:
            self.shared.memo.close()
            self.lock.release()

    async def _trials(self, study: optuna.Study) -> str | None:
        opts, budget = self.options, self.options.budget_usd
        max_samples = self.space.search.max_samples
        while len(self.finished(study)) < opts.trials:
            spent = self.spent(study)
            if budget is not None and spent >= budget:
                return f"the budget is spent (${spent:.4f} of ${budget:.4f})"
            trial = study.ask()
            name = f"{self.space.name}-trial{trial.number}"
            try:
                arch = with_model(self.space.instantiate(trial, name), opts.model, opts.api_base)
            except SpaceError as e:
                self._prune(study, trial, "invalid architecture: " + "; ".join(e.problems))
                continue
            samples = llm_samples(arch)
            trial.set_user_attr("architecture", arch.model_dump(mode="json", exclude_defaults=True))
            trial.set_user_attr("llm_samples", samples)
            if max_samples is not None and samples > max_samples:
                self._prune(study, trial, f"{samples} LLM samples per problem exceed max_samples {max_samples}")
                continue
            projected = self.projected_cost(study, samples) if budget is not None else None
            if projected is not None and projected > budget - spent:
                self._prune(study, trial, f"projected cost ${projected:.4f} exceeds the "
                                          f"${budget - spent:.4f} left of the ${budget:.4f} budget")
                continue
            try:
                ev = await self.evaluate(arch, self.search_problems, "trials", f"trial {trial.number}")
            except BaseException as e:
                # Interrupted or the sandbox gave out: failed for now, queued again on resume.
                trial.set_user_attr("spent_usd", sum(w.spent_usd for w in self._work))
                trial.set_user_attr("reason", f"interrupted: {type(e).__name__}: {e}".rstrip(": "))
                study.tell(trial, state=TrialState.FAIL)
                raise
            for key, value in (("pass_at_1", ev.pass_at_1), ("pass_at_1_ci95", list(ev.ci95)),
                               ("oracle", ev.summary.get("oracle")), ("cost_per_problem", ev.cost_per_problem),
                               ("latency_per_problem", ev.latency_per_problem),
                               ("list_cost_usd", ev.list_cost_usd), ("spent_usd", ev.spent_usd),
                               ("llm_fresh", ev.llm_fresh), ("llm_cached", ev.llm_cached),
                               ("runs_fresh", ev.runs_fresh), ("runs_reused", ev.runs_reused),
                               ("errors", len(ev.summary.get("errors") or [])), ("run_dir", ev.run_dir),
                               ("wall_s", ev.summary.get("wall_s"))):
                trial.set_user_attr(key, value)
            values = [ev.objective(o) for o in opts.objectives]
            study.tell(trial, values)
            self.on_event("trial-end", {"number": trial.number, "values": dict(zip(opts.objectives, values)),
                                        "spent_usd": ev.spent_usd, "total_spent_usd": self.spent(study)})
        return None

    def _prune(self, study: optuna.Study, trial: optuna.Trial, reason: str) -> None:
        trial.set_user_attr("reason", reason)
        study.tell(trial, state=TrialState.PRUNED)
        self.on_event("trial-pruned", {"number": trial.number, "reason": reason})

    async def evaluate(self, arch: Architecture, problems: list[Problem], kind: str, label: str) -> Evaluation:
        """The bench machinery on these problems, in a run dir of their own (resumable)."""
        run_dir = self.study_dir / kind / architecture_key(arch)
        config = {"architecture": {"layers": arch.model_dump(mode="json")["layers"]},
                  "problem_ids": [p.id for p in problems], "seed": self.options.seed,
                  "rules": self.options.rules.to_dict()}
        store = RunStore(run_dir)
        meta = {"config_hash": config_hash(config), "config": {**config, "architecture": arch.model_dump(mode="json")},
                "rules": self.options.rules.to_dict(), "versions": versions(), "command": self.command}
        store.open(meta)
        try:
            pipeline = MeteredPipeline(arch, self.shared, self.hub, seed=self.options.seed,
                                       rules=self.options.rules)
            self._work = pipeline.work
            options = BenchOptions(seed=self.options.seed, rules=self.options.rules,
                                   max_problems=2 * self.shared.size)
            done = len(store.done() & {p.id for p in problems})
            self.on_event("evaluate-start", {"label": label, "problems": len(problems), "done": done})
            progress = (self.progress(label, len(problems), done, len(arch.layers))
                        if self.progress is not None and done < len(problems) else None)
            with progress if progress is not None else contextlib.nullcontext():
                summary = await run_bench(
                    pipeline, problems, self.shared, store, options,
                    lambda record, s: self.on_event("problem", {"label": label, "summary": s}),
                    progress=progress)
            self.on_event("evaluate-end", {"label": label})
            store.write_results({**summary, "architecture": arch.name, "config_hash": meta["config_hash"],
                                 "seed": self.options.seed, "versions": meta["versions"],
                                 "run_dir": str(run_dir)})
        finally:
            store.close()
        records = store.records()
        works = [record_work(records[p.id]) for p in problems if p.id in records]
        n = max(1, len(problems))
        fresh = pipeline.work
        lo, hi = summary.get("pass_at_1_ci95", [math.nan, math.nan])
        return Evaluation(
            summary=summary, problems=len(problems), pass_at_1=summary["pass_at_1"], ci95=(lo, hi),
            cost_per_problem=sum(w.get("list_cost_usd", 0.0) for w in works) / n,
            latency_per_problem=sum(w.get("llm_s", 0.0) + w.get("sandbox_s", 0.0) for w in works) / n,
            list_cost_usd=sum(w.get("list_cost_usd", 0.0) for w in works),
            spent_usd=sum(w.spent_usd for w in fresh),
            llm_fresh=sum(w.llm_fresh for w in fresh), llm_cached=sum(w.llm_cached for w in fresh),
            runs_fresh=sum(w.runs_fresh for w in fresh), runs_reused=sum(w.runs_reused for w in fresh),
            run_dir=str(run_dir))

    # -- finalists, held-out evaluation and outputs -----------------------------------------

    def finalists(self, study: optuna.Study) -> list[FrozenTrial]:
        """The Pareto front (multi-objective) or the best ``finalists`` trials, one per
        distinct architecture, best Pass@1 first (ties: cheaper, faster, earlier)."""
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if not complete:
            return []
        if len(self.directions) > 1:
            pool = study.best_trials
            limit = len(pool)
        else:
            pool, limit = complete, self.space.search.finalists
        ranked = sorted(pool, key=_rank_key)
        seen: set[str] = set()
        out = []
        for t in ranked:
            key = architecture_key(trial_architecture(t))
            if key not in seen:
                seen.add(key)
                out.append(t)
        return out[:limit]

    async def _finish(self, study: optuna.Study, stopped: str | None) -> dict[str, Any]:
        finalists = self.finalists(study)
        heldout: dict[int, Evaluation] = {}
        heldout_spent = 0.0
        for t in finalists:
            if not self.heldout_problems:
                break
            ev = await self.evaluate(trial_architecture(t), self.heldout_problems, "heldout",
                                     f"held-out, trial {t.number}")
            heldout[t.number] = ev
            heldout_spent += ev.spent_usd
        baseline = None
        if self.baseline is not None and self.heldout_problems:
            baseline = await self.evaluate(self.baseline.architecture, self.heldout_problems, "heldout",
                                           "held-out, baseline")
            heldout_spent += baseline.spent_usd
        files = self._write_architectures(finalists, heldout)
        summary = self._summary(study, finalists, heldout, heldout_spent, stopped, files, baseline)
        write_file(self.study_dir / "results.json", json.dumps(summary, indent=2, default=str))
        write_file(self.study_dir / "report.html", render_search_html(summary))
        return summary

    def _vs_baseline(self, ev: Evaluation, baseline: Evaluation | None) -> dict[str, Any] | None:
        """Held-out Pass@1 of ``ev`` minus the baseline's, paired over the held-out problems."""
        if baseline is None:
            return None
        ids = {p.id for p in self.heldout_problems}

        def scores(run_dir: str) -> dict[str, float]:
            return {k: problem_score(r) for k, r in RunStore(Path(run_dir)).records().items() if k in ids}

        diff, lo, hi = bootstrap_diff_ci(scores(baseline.run_dir), scores(ev.run_dir), seed=self.options.seed)
        return {"diff": diff, "ci95": [lo, hi]}

    def _write_architectures(self, finalists: list[FrozenTrial], heldout: dict[int, Evaluation]) -> dict[int, str]:
        files: dict[int, str] = {}
        if not finalists:
            return files
        folder = self.study_dir / ("pareto" if len(self.directions) > 1 else "finalists")
        for i, t in enumerate(finalists):
            arch = trial_architecture(t)
            ev = heldout.get(t.number)
            header = [f"found by archon-code search ({self.space.name}): trial {t.number}",
                      f"Pass@1 {t.user_attrs.get('pass_at_1', 0):.3f} on the {len(self.search_problems)} "
                      "search problems"]
            if ev is not None:
                header.append(f"Pass@1 {ev.pass_at_1:.3f} [{ev.ci95[0]:.3f}, {ev.ci95[1]:.3f}] on the "
                              f"{ev.problems} held-out problems")
            header.append(f"cost ${t.user_attrs.get('cost_per_problem', 0):.4f} per problem (uncached)")
            text = architecture_yaml(arch, header)
            if len(finalists) > 1 or len(self.directions) > 1:
                path = folder / f"trial-{t.number}.yaml"
                write_file(path, text)
                files[t.number] = str(path)
            if i == 0:
                write_file(self.study_dir / "best.yaml", text)
                files.setdefault(t.number, str(self.study_dir / "best.yaml"))
        return files

    def _summary(self, study: optuna.Study, finalists: list[FrozenTrial], heldout: dict[int, Evaluation],
                 heldout_spent: float, stopped: str | None, files: dict[int, str],
                 baseline: Evaluation | None = None) -> dict[str, Any]:
        trials = study.get_trials(deepcopy=False)
        counts = {s.name.lower(): sum(1 for t in trials if t.state is s)
                  for s in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)}

        def point(t: FrozenTrial) -> dict[str, Any]:
            a = t.user_attrs
            ev = heldout.get(t.number)
            return {"trial": t.number, "params": t.params,
                    "search": {"problems": len(self.search_problems), "pass_at_1": a.get("pass_at_1"),
                               "pass_at_1_ci95": a.get("pass_at_1_ci95"), "oracle": a.get("oracle"),
                               "cost_per_problem_usd": a.get("cost_per_problem"),
                               "latency_per_problem_s": a.get("latency_per_problem"), "run_dir": a.get("run_dir")},
                    "heldout": ev.to_dict() if ev else None,
                    "vs_baseline": self._vs_baseline(ev, baseline) if ev else None,
                    "yaml": files.get(t.number),
                    "architecture": trial_architecture(t).model_dump(mode="json", exclude_defaults=True)}

        best = point(finalists[0]) if finalists else None
        if best is not None:
            best["yaml"] = str(self.study_dir / "best.yaml")
        return {
            "space": self.space.name,
            "space_source": self.space.source,
            "study_dir": str(self.study_dir),
            "study_db": str(self.study_dir / "study.db"),
            "report": str(self.study_dir / "report.html"),
            "objectives": list(self.options.objectives),
            "sampler": self.options.sampler,
            "seed": self.options.seed,
            "holdout": self.options.holdout,
            "problems": {"search": [p.id for p in self.search_problems],
                         "heldout": [p.id for p in self.heldout_problems]},
            "baseline": None if baseline is None or self.baseline is None else {
                "name": self.baseline.architecture.name, "how": self.baseline.how,
                "architecture": self.baseline.architecture.model_dump(mode="json", exclude_defaults=True),
                "heldout": baseline.to_dict()},
            "trials": {"total": len(trials), **counts, "target": self.options.trials},
            "stopped": stopped,
            "budget_usd": self.options.budget_usd,
            "spent_usd": {"search": round(self.spent(study), 6), "heldout": round(heldout_spent, 6),
                          "total": round(self.spent(study) + heldout_spent, 6)},
            "sandbox": {"runs": self.shared.fresh, "reused": self.shared.reused},
            "points": self.space.describe(),
            "archon_ignored": sorted(self.space.archon_extra or {}),
            "best": best,
            "front" if len(self.directions) > 1 else "finalists": [point(t) for t in finalists],
            "all_trials": [_trial_row(t, self.options.objectives) for t in trials],
            "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        }


def recover_interrupted(study: optuna.Study) -> list[int]:
    """Trials a killed search left running are failed, and every interrupted trial is queued
    again once with the same parameters (its run dir keeps the problems it finished).
    Only one search runs in a study dir at a time, so a running trial here is a dead one.
    Returns the numbers of the trials queued again."""
    trials = study.get_trials(deepcopy=False)
    retried = {t.user_attrs.get("retry_of") for t in trials}
    queued = []
    for t in trials:
        if t.state is TrialState.RUNNING:
            study._storage.set_trial_user_attr(t._trial_id, "reason", "interrupted: the search was killed")
            study._storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
        elif not (t.state is TrialState.FAIL and str(t.user_attrs.get("reason", "")).startswith("interrupted")):
            continue
        if t.number not in retried:
            study.enqueue_trial(t.params, user_attrs={"retry_of": t.number})
            queued.append(t.number)
    return queued


def trial_architecture(t: FrozenTrial) -> Architecture:
    return parse_architecture(t.user_attrs["architecture"])


def _rank_key(t: FrozenTrial) -> tuple:
    a = t.user_attrs
    return (-(a.get("pass_at_1") or 0.0), a.get("cost_per_problem") or 0.0,
            a.get("latency_per_problem") or 0.0, t.number)


def _trial_row(t: FrozenTrial, objectives: Sequence[str]) -> dict[str, Any]:
    a = t.user_attrs
    return {"trial": t.number, "state": t.state.name.lower(), "params": t.params,
            "values": dict(zip(objectives, t.values)) if t.values else None,
            "pass_at_1": a.get("pass_at_1"), "cost_per_problem_usd": a.get("cost_per_problem"),
            "latency_per_problem_s": a.get("latency_per_problem"), "spent_usd": a.get("spent_usd", 0.0),
            "llm_samples": a.get("llm_samples"), "llm_fresh": a.get("llm_fresh"), "llm_cached": a.get("llm_cached"),
            "runs_fresh": a.get("runs_fresh"), "runs_reused": a.get("runs_reused"),
            "reason": a.get("reason"), "retry_of": a.get("retry_of"), "run_dir": a.get("run_dir"),
            "duration_s": round(t.duration.total_seconds(), 3) if t.duration else None}


def study_config(space: SearchSpace, options: SearchOptions, search: Sequence[Problem],
                 heldout: Sequence[Problem]) -> dict[str, Any]:
    """What makes two searches the same study (trial counts and the budget may change)."""
    return {"space": space.raw, "objectives": list(options.objectives), "seed": options.seed,
            "holdout": options.holdout, "search_problems": [p.id for p in search],
            "heldout_problems": [p.id for p in heldout], "model": options.model,
            "api_base": options.api_base, "rules": options.rules.to_dict()}


def default_study_dir(root: Path, space: SearchSpace, config: dict[str, Any]) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in space.name) or "space"
    return root / f"search-{safe}-{config_hash(config)}"


def write_file(path: Path, text: str) -> None:
    """Write one of the study's outputs; a failure is a :class:`SearchError` naming the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise SearchError(f"{path}: cannot write ({os_error_text(e)})") from None
