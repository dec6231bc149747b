"""Judge a finished run's candidates again under other verdict rules, without generating.

The candidates, the pick and its tie set come from the source run's records (programs from
its programs.jsonl); only the judging is redone: public verdicts (for the public-filter
baseline) and hidden verdicts, under the new rules. Selection is not re-run: the pick is the
one the pipeline made under the source run's rules.

The sandbox runs only where the rules can change a verdict: per problem, the public verdicts
are kept when the sandbox job (limits, checker, files) and the public tests are what the
source run judged with, and the hidden verdicts when the job and the hidden tests are. What
does run goes through a :class:`RunMemo`, so no (program, input, limits) runs twice.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archon_code.pipeline import Judgement, rejudged_record
from archon_code.rules import Job, Rules, RulesError
from harness.bench import judged_on, public_examples
from harness.runread import ReportError, load_run, problem_order
from problems import Problem
from sandbox.checker import check
from sandbox.runner import Runner
from sandbox.types import Program, TestCase, Verdict


class RescoreError(Exception):
    """A source run that cannot be rescored; the message names the file."""


@dataclass
class Source:
    """A run read back for rescoring."""

    path: Path
    meta: dict[str, Any]
    records: list[dict]  # in the run's problem order
    programs: dict[str, Program]  # program key -> program
    rules: Rules


def load_source(path: Path) -> Source:
    from harness.runstore import RunStore, RunStoreError

    path = Path(path)
    try:
        run = load_run(path)
    except ReportError as e:
        raise RescoreError(str(e)) from None
    store = RunStore(path)
    try:
        rules = Rules.from_dict(run.meta.get("rules") if isinstance(run.meta.get("rules"), dict)
                                else None)
    except (RulesError, TypeError) as e:
        raise RescoreError(f"{store.meta_path}: field 'rules': {e}") from None
    try:
        stored = store.programs()
    except RunStoreError as e:
        raise RescoreError(str(e)) from None
    programs = {k: Program(p["source"], p["language"]) for k, p in stored.items()}
    records = [run.records[p] for p in problem_order([run.meta], [run.records]) if p in run.records]
    for rec in records:
        _check_programs(store.records_path, store.programs_path, rec, programs)
    return Source(path, run.meta, records, programs, rules)


def _check_programs(records_path: Path, programs_path: Path, rec: dict,
                    programs: dict[str, Program]) -> None:
    """Every candidate of a record names its program (None when it has none), and every
    named program is stored."""
    pid = rec.get("problem")
    cands = rec.get("candidates")
    if not isinstance(cands, list):
        raise RescoreError(f"{records_path}: problem {pid!r}: field 'candidates' is not a list")
    for c in cands:
        if not isinstance(c, dict) or not isinstance(c.get("id"), str) or \
                not isinstance(c.get("layer"), int):
            raise RescoreError(f"{records_path}: problem {pid!r}: a candidate without 'id' and 'layer'")
        if "program" not in c:
            raise RescoreError(
                f"{records_path}: problem {pid!r}: candidate {c['id']!r} has no field 'program' "
                f"(only runs that store their programs in programs.jsonl can be rescored)")
        key = c["program"]
        if key is not None and key not in programs:
            raise RescoreError(f"{programs_path}: no program {str(key)[:16]}... (candidate "
                               f"{c['id']!r} of problem {pid!r})")


def default_target(source: Path, rules: Rules) -> Path:
    """RUN_DIR-rescore-<limits>-<checker>, then the time scale and hidden tests when not the
    defaults."""
    parts = [rules.limits, rules.checker]
    if rules.time_scale != 1:
        parts.append(f"x{rules.time_scale:g}")
    if rules.hidden_tests != "private":
        parts.append(rules.hidden_tests.replace("+", "-"))
    source = Path(source)
    return source.with_name(f"{source.name}-rescore-" + "-".join(parts))


# ---------------------------------------------------------------------------------------------
# Running programs once


@dataclass
class _Fact:
    """What a program did on one input under one job's limits, whatever the checker."""

    verdict: Verdict  # OK: it ran cleanly (a wrong answer is decided afterwards)
    output: str
    complete: bool  # ``output`` is the whole output, so any checker can judge it here
    # What the sandbox's own check said, by (checker, expected output's digest), for outputs
    # too long to keep whole.
    checked: dict[tuple[str, str], Verdict] = field(default_factory=dict)


class RunMemo:
    """Judge programs on tests, running each (program, input, limits) at most once: a run's
    output is kept and judged here under whichever checker asks, so the public tests a
    program ran on serve again when they are among its hidden tests."""

    def __init__(self, pool: Runner) -> None:
        self.pool = pool
        self.executions = 0  # tests actually run
        self._facts: dict[tuple, _Fact] = {}
        self._builds: dict[tuple, Verdict] = {}  # programs that did not build, per job
        self._locks: dict[tuple, asyncio.Lock] = {}

    async def verdict(self, program: Program, tests: Sequence[TestCase], job: Job) -> str:
        """"OK" when the program passes every test, else the first bad verdict, as one job
        that stops at its first failure would give."""
        where = _job_key(job)
        lock = self._locks.setdefault((program.key, where), asyncio.Lock())
        async with lock:
            while True:
                bad = self._builds.get((program.key, where))
                if bad is not None:
                    return bad.value
                first = None
                for i, t in enumerate(tests):
                    known = self._known(program, t, job, where)
                    if known is None:
                        first = i
                        break
                    if known is not Verdict.OK:
                        return known.value
                if first is None:
                    return Verdict.OK.value
                todo = [t for t in tests[first:] if self._known(program, t, job, where) is None]
                result = await self.pool.run(program, todo, job.limits, **job.options(),
                                             max_failures=1)
                self.executions += len(result.tests)
                if result.compile_verdict is Verdict.SE:
                    return Verdict.SE.value
                if result.compile_verdict is not None:
                    self._builds[(program.key, where)] = result.compile_verdict
                    continue
                for t, r in zip(todo, result.tests):
                    if r.verdict is Verdict.SE:  # never the program's doing: not remembered
                        return Verdict.SE.value
                    self._remember(program, t, job, where, r)

    def _known(self, program: Program, test: TestCase, job: Job, where: str) -> Verdict | None:
        fact = self._facts.get((program.key, _digest(test.input), where))
        if fact is None:
            return None
        if fact.verdict is not Verdict.OK or test.output is None:
            return fact.verdict
        if fact.complete:
            return Verdict.OK if check(test.output, fact.output, job.checker) else Verdict.WA
        return fact.checked.get((job.checker, _digest(test.output)))

    def _remember(self, program: Program, test: TestCase, job: Job, where: str, r) -> None:
        key = (program.key, _digest(test.input), where)
        ran = r.verdict in (Verdict.OK, Verdict.WA)
        fact = self._facts.get(key) or _Fact(Verdict.OK if ran else r.verdict, r.stdout,
                                             r.stdout_complete)
        if ran and test.output is not None:
            fact.checked[(job.checker, _digest(test.output))] = r.verdict
        self._facts[key] = fact


def _job_key(job: Job) -> str:
    """What decides how a program runs (not how its output is judged)."""
    return repr((sorted(job.limits.to_dict().items()), job.input_file, job.output_file))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# One problem


@dataclass
class Plan:
    """What must run for one problem's record under the new rules."""

    problem: Problem
    record: dict
    public: bool  # the public verdicts must be judged again
    hidden: bool  # the hidden verdicts must be judged again

    @property
    def runs(self) -> bool:
        return (self.public or self.hidden) and any(
            c.get("program") is not None for c in self.record["candidates"])


def plan(problem: Problem, record: dict, old: Rules, new: Rules, *, rerun: bool = False) -> Plan:
    """Judge again only what the new rules can change: a verdict depends on the sandbox job
    and the tests, and the record says which tests it was judged on (a record that does not
    say is judged again)."""
    same_job = old.job(problem) == new.job(problem)
    seen = record.get("judged_on") if isinstance(record.get("judged_on"), dict) else {}
    now = judged_on(problem, new)
    public = rerun or not same_job or seen.get("public") != now["public"]
    hidden = rerun or not same_job or seen.get("hidden") != now["hidden"]
    return Plan(problem, record, public, hidden)


async def rejudge(p: Plan, programs: dict[str, Program], memo: RunMemo | None,
                  rules: Rules) -> dict[str, Judgement]:
    """candidate id -> (passes public, passes hidden, first bad hidden verdict) under
    ``rules``; verdicts the rules cannot change are taken from the record."""
    cands = p.record["candidates"]
    job = rules.job(p.problem)
    public_tests = public_examples(p.problem)
    hidden_tests = rules.hidden(p.problem)
    keys = sorted({c["program"] for c in cands if c["program"] is not None})

    async def public_of(key: str) -> bool | None:
        if not p.public:
            return None
        assert memo is not None
        return await memo.verdict(programs[key], public_tests, job) == Verdict.OK.value

    async def hidden_of(key: str) -> str | None:
        if not p.hidden:
            return None
        assert memo is not None
        return await memo.verdict(programs[key], hidden_tests, job)

    # Public first: with the public tests among the hidden ones, their runs serve both.
    pub = await asyncio.gather(*(public_of(k) for k in keys))
    hid = await asyncio.gather(*(hidden_of(k) for k in keys))
    fresh = {k: (pv, hv) for k, pv, hv in zip(keys, pub, hid)}
    out: dict[str, Judgement] = {}
    for c in cands:
        if c["program"] is None:
            out[c["id"]] = (False, False, "CE")
            continue
        pv, hv = fresh[c["program"]]
        public_ok = bool(c.get("public_ok")) if pv is None else pv
        if hv is None:
            out[c["id"]] = (public_ok, bool(c.get("hidden_ok")), str(c.get("hidden_verdict")))
        elif hv == Verdict.CE.value:
            out[c["id"]] = (False, False, hv)
        else:
            out[c["id"]] = (public_ok, hv == Verdict.OK.value, hv)
    return out


def rescored_record(p: Plan, judged: dict[str, Judgement], rules: Rules) -> dict:
    record = rejudged_record(p.record, judged)
    record["judged_on"] = judged_on(p.problem, rules)
    record["rejudged"] = {"public": p.public, "hidden": p.hidden}
    return record


# ---------------------------------------------------------------------------------------------
# A whole run


def new_meta(source: Source, rules: Rules, command: list[str]) -> dict[str, Any]:
    """run.json of the rescored run: the source's config under the new rules, and where it
    came from (also in the config, so that its hash is never the source's)."""
    from harness.runstore import config_hash, versions

    origin = {"run_dir": str(source.path.resolve()), "config_hash": source.meta.get("config_hash"),
              "rules": source.rules.to_dict()}
    config = dict(source.meta.get("config") or {})
    config.update(rules=rules.to_dict(), rescored_from=origin)
    return {"config_hash": config_hash(config), "config": config, "rules": rules.to_dict(),
            "versions": versions(), "command": command, "rescored_from": origin}


async def rescore_plans(plans: list[Plan], programs: dict[str, Program], rules: Rules,
                        memo: RunMemo | None, store, *, concurrency: int = 4,
                        on_record=None) -> list[dict]:
    """Judge every plan and append its record to ``store`` as it finishes; the records in
    the plans' order."""
    sem = asyncio.Semaphore(max(1, concurrency))
    out: dict[int, dict] = {}

    async def one(i: int, p: Plan) -> None:
        async with sem:
            judged = await rejudge(p, programs, memo, rules)
            record = rescored_record(p, judged, rules)
            keys = dict.fromkeys(c["program"] for c in record["candidates"] if c["program"] is not None)
            store.add_programs([{"key": k, "language": programs[k].language,
                                 "source": programs[k].source} for k in keys])
            store.append(record)
            out[i] = record
            if on_record is not None:
                on_record(record)

    try:
        async with asyncio.TaskGroup() as tg:
            for i, p in enumerate(plans):
                tg.create_task(one(i, p))
    except BaseExceptionGroup as group:
        raise _leaves(group)[0] from None  # the first failure; the others were cancelled by it
    return [out[i] for i in range(len(plans))]


def _leaves(group: BaseExceptionGroup) -> list[BaseException]:
    out: list[BaseException] = []
    for e in group.exceptions:
        out.extend(_leaves(e) if isinstance(e, BaseExceptionGroup) else [e])
    return out
