"""Output clusters ranked on evidence, and the programs inside a cluster on their CPU time.

Candidates printing the same outputs on every test form a group. Groups are compared on, in
order (each only breaks ties of those before it):

1. support: how many alive programs agree with the group's outputs, where a timeout on a
   large input (archon_code.components.outcomes.is_large) agrees with any output: a program
   too slow for the largest inputs still votes for the answers it gives elsewhere; the
   programs counted must also agree with one another, so a slow group does not collect the
   support of two groups that contradict each other where it timed out;
2. failures: fewer crashes and timeouts on the other inputs;
3. timeouts: fewer timeouts on the large inputs (time as evidence: a correct program and a
   brute force print the same answers, but only one finishes in time);
4. size: more programs with exactly these outputs;
5. agreement: test by test, more programs outside the group print the group's answer
   (MBR-exec), so the group nearest the consensus of the others wins;
6. votes: on the inputs the leading groups disagree on, how many programs that failed the
   public examples (still mostly right) print the group's answer; these programs are run
   only when the groups are still tied, on a few of those inputs;
7. cpu: less CPU time on the large inputs, in bands that double (noise never decides).

Inside a group, programs whose CPU time on the large inputs (then on all inputs) is far from
the group's median (more than twice or less than half of it, and by more than 5% of the time
limit) go last: a program printing the same outputs much faster than its fellows may skip
work the hidden tests need, a much slower one risks the time limit. The others run alike and
tie: the pipeline's seeded pick decides among them, so that the pick does not depend on the
timing noise of one run. Scores follow the order; ties keep equal scores.
The selected program's ``meta["selection"]["reason"]`` says which evidence decided, and the
ranker's trace event carries ``data["selection"]``: the groups and their evidence, the
candidates alive after each component, the tests used by source, and for every alive
program outside the pick the inputs that separated it from the pick.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sandbox.types import Verdict

from archon_code.components.outcomes import TIMEOUT, Outcomes, failed, is_large, judged
from archon_code.config import OutputClusteringConfig
from archon_code.context import Context
from archon_code.state import Candidate, State, UnitTest

EVIDENCE = ("support", "failures", "timeouts", "size", "agreement", "votes", "cpu")
SUPPORT_STEPS = 20_000  # search steps for one group's support (groups are few; a bound)
CPU_FLOOR = 0.05  # seconds: group CPU times below this are all alike
OUTLIER_FACTOR = 2.0  # inside a group: this many times faster or slower than the median ...
OUTLIER_SHARE = 0.05  # ... and by this share of the time limit at least
SLOW_SHARE = 0.25  # of the time limit, spent before a wall-clock kill: slow after all


@dataclass
class Group:
    members: list[Candidate]
    sigs: tuple[str, ...]
    support: int = 0
    failures: int = 0
    timeouts: int = 0
    agreement: float = 0.0
    votes: int = 0
    cpu: float = 0.0  # mean CPU seconds of the members, summed over the large inputs
    member_cpu: dict[str, tuple[float, float]] = field(default_factory=dict)  # id -> (large, all)
    atypical: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> CPU-time outlier (large, all)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def cpu_band(self) -> int:
        """CPU time in bands that double (under CPU_FLOOR: band 0): groups compare on time
        only when one is about twice as fast, never on noise."""
        return int(math.log2(max(self.cpu, CPU_FLOOR) / CPU_FLOOR))

    def key(self, votes: bool = True) -> tuple:
        return (self.support, -self.failures, -self.timeouts, self.size, round(self.agreement, 6),
                self.votes if votes else 0, -self.cpu_band)

    def evidence(self) -> dict:
        return {"support": self.support, "failures": self.failures, "timeouts": self.timeouts,
                "size": self.size, "agreement": round(self.agreement, 4), "votes": self.votes,
                "cpu": round(self.cpu, 3)}


def _compatible(a: tuple[str, ...], b: tuple[str, ...], large: Sequence[bool]) -> bool:
    for x, y, big in zip(a, b, large):
        if x == y or not judged(x) or not judged(y):
            continue
        if big and (x == TIMEOUT or y == TIMEOUT):
            continue
        return False
    return True


def _sig(c: Candidate, t: UnitTest, outcomes: Outcomes, limit_s: float, fastest: float | None) -> str:
    """The outcome, where a large input's wall-clock kill counts as a timeout after all when the
    program had already spent a good share of the limit, ten times what the fastest program
    needed there (on a busy machine the wall clock can stop a slow program first)."""
    sig = outcomes.sig(c, t)
    if sig == "?" and fastest is not None:
        run = outcomes.executor.get(c, t)
        if (run is not None and run.verdict is Verdict.TLE and run.cpu_s >= SLOW_SHARE * limit_s
                and run.cpu_s >= 10 * fastest):
            return TIMEOUT
    return sig


def build_groups(candidates: Sequence[Candidate], tests: Sequence[UnitTest], outcomes: Outcomes,
                 large: Sequence[bool], limit_s: float) -> list[Group]:
    by_sigs: dict[tuple[str, ...], list[Candidate]] = {}
    fastest = [min((r.cpu_s for c in candidates if (r := outcomes.executor.get(c, t)) is not None and r.ran),
                   default=None) if big else None for t, big in zip(tests, large)]
    for c in candidates:
        sigs = tuple(_sig(c, t, outcomes, limit_s, fast) for t, fast in zip(tests, fastest))
        by_sigs.setdefault(sigs, []).append(c)
    groups = [Group(members, sigs) for sigs, members in by_sigs.items()]
    per_test = [Counter(s for g in groups for s in [g.sigs[k]] * g.size) for k in range(len(tests))]
    others = max(len(candidates) - 1, 1) * max(len(tests), 1)
    compat = [[_compatible(g.sigs, h.sigs, large) for h in groups] for g in groups]
    for i, g in enumerate(groups):
        g.support = _support(i, groups, compat)
        g.failures = sum(1 for s, big in zip(g.sigs, large) if failed(s) and judged(s) and not big)
        g.timeouts = sum(1 for s, big in zip(g.sigs, large) if big and s == TIMEOUT)
        g.agreement = sum(per_test[k][s] - g.size for k, s in enumerate(g.sigs)
                          if judged(s) and not failed(s)) / others
        for c in g.members:
            big_cpu = all_cpu = 0.0
            for t, big in zip(tests, large):
                run = outcomes.executor.get(c, t)
                # timed out, or not run after failing too often: count the limit
                cpu = limit_s if run is None or outcomes.sig(c, t) in (TIMEOUT, "?") else run.cpu_s
                all_cpu += cpu
                if big:
                    big_cpu += cpu
            g.member_cpu[c.id] = (big_cpu, all_cpu)
        g.cpu = sum(v[0] for v in g.member_cpu.values()) / g.size
    return groups


def _support(i: int, groups: Sequence[Group], compat: Sequence[Sequence[bool]]) -> int:
    """How many programs agree with group ``i``: the most programs in groups that agree with
    it and with one another. A group whose timeouts (or unknown outcomes) agree with any
    answer gets the support of one consistent reading of them, not of two groups that
    contradict each other there (a slow program "agreeing" with a right and a wrong answer
    at once). For a group with no such gaps this is every group that agrees with it."""
    rest = [j for j in range(len(groups)) if j != i and compat[i][j]]
    best = 0
    steps = 0

    def grow(weight: int, left: list[int]) -> None:
        nonlocal best, steps
        steps += 1
        if weight + sum(groups[j].size for j in left) <= best:
            return
        if not left or steps > SUPPORT_STEPS:
            best = max(best, weight)
            return
        j, others = left[0], left[1:]
        grow(weight + groups[j].size, [k for k in others if compat[j][k]])
        grow(weight, others)

    grow(groups[i].size, rest)
    return best


async def rank_by_evidence(state: State, ctx: Context, tests: Sequence[UnitTest], cfg: OutputClusteringConfig,
                           label: str) -> list[Group]:
    alive = state.alive()
    outcomes = Outcomes(ctx.executor)
    large = [cfg.time_evidence and is_large(t) for t in tests]
    # everything the screening ran is already there; the large inputs go last
    await ctx.executor.run(alive, [t for t, big in zip(tests, large) if not big]
                           + [t for t, big in zip(tests, large) if big])
    limit_s = ctx.executor.limits.time_s
    groups = build_groups(alive, tests, outcomes, large, limit_s)
    groups.sort(key=lambda g: g.key(votes=False), reverse=True)
    voting: dict = {}
    if len(groups) > 1 and groups[0].key(votes=False) == groups[1].key(votes=False) and cfg.voters:
        tied = [g for g in groups if g.key(votes=False) == groups[0].key(votes=False)]
        voting = await _vote(state, ctx, tied, tests, large, outcomes, cfg)
        groups.sort(key=lambda g: g.key(), reverse=True)
    ranked = _score(groups, limit_s)
    reason = _reason(groups, ranked, len(tests))
    top = max((c.score for c in alive), default=None)
    for rank, g in enumerate(groups):
        for c in g.members:
            c.meta["cluster"] = {"rank": rank, **g.evidence(), "cpu_s": round(g.member_cpu[c.id][0], 3),
                                 "of_tests": len(tests)}
            if c.score == top:
                c.meta["selection"] = {"reason": reason}
    summary = f"{len(groups)} clusters over {len(tests)} tests, sizes {[g.size for g in groups[:10]]}"
    state.log(label, "scored", summary, clusters=[{"members": [c.id for c in g.members], **g.evidence()}
                                                 for g in groups[:20]],
              selection=_diagnostics(state, groups, tests, outcomes, reason, voting))
    return groups


async def _vote(state: State, ctx: Context, tied: list[Group], tests: Sequence[UnitTest], large: Sequence[bool],
                outcomes: Outcomes, cfg: OutputClusteringConfig) -> dict:
    """Programs that failed the public examples vote on the inputs the tied groups disagree on."""
    voters = [c for c in state.candidates if not c.alive and c.runnable]
    if len(voters) > cfg.voters:
        keep = set(id(c) for c in random.Random(f"{ctx.seed}:voters").sample(voters, cfg.voters))
        voters = [c for c in voters if id(c) in keep]
    disputed = [k for k, t in enumerate(tests) if not large[k]
                and len({g.sigs[k] for g in tied if judged(g.sigs[k])}) > 1]
    disputed.sort(key=lambda k: len(tests[k].input))
    disputed = disputed[: cfg.vote_inputs]
    if cfg.max_executions is not None and disputed:
        room = max(0, cfg.max_executions - ctx.executor.executions)
        voters = voters[: room // len(disputed)]
    if not voters or not disputed:
        return {"voters": len(voters), "inputs": len(disputed)}
    await ctx.executor.run(voters, [tests[k] for k in disputed])
    for g in tied:
        g.votes = sum(1 for k in disputed for v in voters
                      if not failed(g.sigs[k]) and outcomes.sig(v, tests[k]) == g.sigs[k])
    return {"voters": len(voters), "inputs": len(disputed), "votes": {g.members[0].id: g.votes for g in tied}}


def _median(values: list[float]) -> float:
    return sorted(values)[(len(values) - 1) // 2]  # the lower median: one member's own value


def _outlier(cpu: float, median: float, limit_s: float) -> bool:
    """Far from its fellows' median CPU time: more than OUTLIER_FACTOR times faster or slower,
    and by more than OUTLIER_SHARE of the time limit. Both margins are far beyond what load
    and timer noise do to one program's CPU time, so the verdict does not flip between runs."""
    if abs(cpu - median) <= OUTLIER_SHARE * limit_s:
        return False
    low, high = sorted((max(cpu, 1e-6), max(median, 1e-6)))
    return high > OUTLIER_FACTOR * low


def _atypical(g: Group, limit_s: float) -> dict[str, tuple[int, int]]:
    """Per member: (outlier on the large inputs, outlier on all inputs). Programs that print
    the same outputs but run much faster than their fellows may skip work the hidden tests
    need; much slower ones risk the time limit. Members within the margins are alike: the
    seeded pick decides among them, whatever the timing of this run."""
    big = _median([v[0] for v in g.member_cpu.values()])
    every = _median([v[1] for v in g.member_cpu.values()])
    return {cid: (int(_outlier(v[0], big, limit_s)), int(_outlier(v[1], every, limit_s)))
            for cid, v in g.member_cpu.items()}


def _score(groups: list[Group], limit_s: float) -> list[Candidate]:
    """Scores from the order: groups by evidence, then members that are not CPU-time outliers
    of their group; equal keys tie."""
    keyed = []
    for g in groups:
        g.atypical = _atypical(g, limit_s)
        for c in g.members:
            big, every = g.atypical[c.id]
            keyed.append(((g.key(), -big, -every), c))
    keyed.sort(key=lambda kc: kc[0], reverse=True)
    distinct = sorted({k for k, _ in keyed}, reverse=True)
    value = {k: float(len(distinct) - i) for i, k in enumerate(distinct)}
    for k, c in keyed:
        c.score = value[k]
    return [c for _, c in keyed]


def _reason(groups: list[Group], ranked: list[Candidate], n_tests: int) -> str:
    if not groups:
        return "no candidate alive"
    best = groups[0]
    n = sum(g.size for g in groups)
    if len(groups) == 1:
        why = f"all {n} alive programs print the same outputs on {n_tests} inputs"
    else:
        why = _difference(best, groups[1], n)
    if best.size > 1:
        odd = best.atypical  # (set by _score)
        alike = sum(1 for c in best.members if odd[c.id] == odd[ranked[0].id])
        outliers = best.size - alike
        if outliers:
            why += (f"; {outliers} of its {best.size} programs run far from their fellows' median CPU "
                    f"time and go last")
        if alike > 1:
            why += f"; seeded pick among the {alike} that run alike"
    return why


def _difference(a: Group, b: Group, n: int) -> str:
    if a.support != b.support:
        return f"{a.support} of {n} alive programs agree with its outputs, {b.support} with the next cluster's"
    if a.failures != b.failures:
        return f"it crashes or times out on {a.failures} inputs, the next cluster on {b.failures}"
    if a.timeouts != b.timeouts:
        return (f"it times out on {a.timeouts} maximum-size inputs, the next cluster (same answers "
                f"elsewhere) on {b.timeouts}")
    if a.size != b.size:
        return f"{a.size} programs print exactly its outputs, {b.size} the next cluster's"
    if round(a.agreement, 6) != round(b.agreement, 6):
        return (f"test by test, more of the other programs print its answers (agreement "
                f"{a.agreement:.3f} against {b.agreement:.3f})")
    if a.votes != b.votes:
        return (f"programs that failed the public examples print its answers {a.votes} times on the "
                f"disputed inputs, the next cluster's {b.votes} times")
    if a.cpu_band != b.cpu_band:
        return f"faster on the largest inputs ({a.cpu:.2f} s CPU against {b.cpu:.2f} s)"
    return "tied with the next cluster on every piece of evidence: seeded pick"


def _diagnostics(state: State, groups: list[Group], tests: Sequence[UnitTest], outcomes: Outcomes,
                 reason: str, voting: dict) -> dict:
    alive_after: dict[str, list[str]] = {}
    dropped: set[str] = set()
    for e in state.trace:
        if e.component == "pipeline":
            continue
        if e.kind == "dropped" and "candidate" in e.data:
            dropped.add(e.data["candidate"])
        # (layer 0: a component run on its own, outside a pipeline)
        alive_after[e.component] = [c.id for c in state.candidates
                                    if (c.layer <= e.layer or e.layer == 0) and c.id not in dropped]
    separated: dict[str, dict] = {}
    if groups:
        pick = groups[0]
        for g in groups[1:]:
            diff = [k for k, (x, y) in enumerate(zip(g.sigs, pick.sigs)) if x != y and judged(x) and judged(y)]
            first = [{"test": tests[k].id, "origin": tests[k].origin,
                      "this": g.sigs[k] if failed(g.sigs[k]) else "output",
                      "pick": pick.sigs[k] if failed(pick.sigs[k]) else "output"} for k in diff[:3]]
            for c in g.members:
                separated[c.id] = {"inputs": len(diff), "by_origin": dict(Counter(tests[k].origin for k in diff)),
                                   "first": first}
    return {
        "reason": reason,
        "alive_after": alive_after,
        "tests_by_origin": dict(Counter(t.origin for t in tests)),
        "separated": separated,
        "voting": voting,
    }
