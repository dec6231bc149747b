"""Screening generated inputs (no expected output) after the alive candidates ran on them.

An input on which most candidates crash is taken to be invalid and dropped; one on which all
agree is dropped (it cannot separate anyone). Inputs run in rounds, and the
rest is skipped once rounds stop telling programs apart. A large input (``large``: an input
at the problem's maximum sizes) is judged differently: timing out there is what a slow program
does, not a sign of a bad input, so only crashes count against it, it is kept even when
every candidate agrees (its CPU times still rank them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from archon_code.components.outcomes import TIMEOUT, Outcomes, failed, judged
from archon_code.config import InputScreeningOptions
from archon_code.context import Context
from archon_code.state import State, UnitTest
from sandbox.normalise import run_key

SOURCE_KEYS = ("generated", "invalid", "unanimous", "unjudged", "skipped", "kept")


@dataclass
class ScreenStats:
    generated: int = 0
    invalid: int = 0
    unanimous: int = 0
    unjudged: int = 0
    skipped: int = 0  # not run: the rounds before them told no alive programs apart
    kept: int = 0
    agreement_sum: float = 0.0
    valid: int = 0
    dropped_timeouts: int = 0
    rounds: list[int] = field(default_factory=list)  # inputs per round, in order
    cpu_s: float = 0.0  # the candidates' CPU time on the inputs run here (each program once)
    by_source: dict[str, Counter] = field(default_factory=dict)

    def count(self, source: str, key: str) -> None:
        self.by_source.setdefault(source, Counter())[key] += 1

    def to_dict(self) -> dict:
        return {
            "generated": self.generated,
            "invalid": self.invalid,
            "unanimous": self.unanimous,
            "unjudged": self.unjudged,
            "skipped": self.skipped,
            "kept": self.kept,
            "mean_agreement": round(self.agreement_sum / self.valid, 4) if self.valid else None,
            "dropped_timeouts": self.dropped_timeouts,
            "rounds": list(self.rounds),
            "cpu_s": round(self.cpu_s, 3),
            "by_source": {s: {k: c[k] for k in SOURCE_KEYS} for s, c in self.by_source.items()},
        }


async def screen_inputs(state: State, ctx: Context, tests: Sequence[UnitTest], cfg: InputScreeningOptions,
                        component: str, large: Collection[str] = frozenset()) -> tuple[list[UnitTest], ScreenStats]:
    """Run the alive candidates on ``tests`` and keep the inputs that look valid and separate
    candidates (see :class:`archon_code.config.InputScreeningOptions`). ``large``: ids of the
    tests at maximum sizes, which run last, all of them (they are few, and the only evidence
    on time).

    The other inputs run in rounds of ``cfg.round_size``, their sources taken in turn. After
    ``cfg.patience`` rounds in a row that split no group of alive programs printing the same
    outputs so far (and dropped no program), the rest is skipped: more inputs of the kind
    that told nobody apart are unlikely to, and they cost a run per alive program each.
    Rounds are halved (down to one input) while the inputs run so far say that a round
    would cost the alive programs more than ``cfg.round_cpu_s`` of CPU time: where every
    input takes the programs long (large values, not large files), the patience is spent on
    fewer of them.

    One job per candidate per round; the Executor stops a program after a few failures, so
    one that loops everywhere costs a few time limits, not one per input."""
    outcomes = Outcomes(ctx.executor)
    stats = ScreenStats(generated=len(tests))
    for t in tests:
        stats.count(t.origin, "generated")
    rest = _interleave([t for t in tests if t.id not in large])
    big = [t for t in tests if t.id in large]
    seen = [t for t in state.unit_tests if t.output is None]  # generated inputs kept before
    kept: list[UnitTest] = []
    full = cfg.round_size or max(len(rest), 1)
    quiet = 0
    alive = state.alive()
    groups = _classes(alive, seen, outcomes)
    start = 0
    while start < len(rest):
        if cfg.patience is not None and quiet >= cfg.patience:
            for t in rest[start:]:
                stats.skipped += 1
                stats.count(t.origin, "skipped")
            break
        size = _round_size(full, cfg.round_cpu_s, stats)
        batch = rest[start:start + size]
        start += len(batch)
        stats.rounds.append(len(batch))
        await ctx.executor.run(alive, batch)
        stats.cpu_s += _cost(alive, batch, ctx)
        for t in batch:
            if _judge(t, state, alive, outcomes, cfg, component, stats, large=False):
                kept.append(t)
        now = state.alive()
        after = _classes(now, seen + kept, outcomes)
        quiet = 0 if len(now) < len(alive) or after > groups else quiet + 1
        alive, groups = now, after
    if big:
        alive = state.alive()
        await ctx.executor.run(alive, big)
        stats.cpu_s += _cost(alive, big, ctx)
        for t in big:
            if _judge(t, state, alive, outcomes, cfg, component, stats, large=True):
                kept.append(t)
    stats.kept = len(kept)
    for t in kept:
        stats.count(t.origin, "kept")
    return kept, stats


def _round_size(full: int, round_cpu_s: float | None, stats: ScreenStats) -> int:
    """``full`` halved while the inputs run so far (their mean CPU time per alive program)
    say that a round of that many would cost more than ``round_cpu_s``."""
    ran = sum(stats.rounds)
    if round_cpu_s is None or not ran:
        return full
    per_input = stats.cpu_s / ran
    size = full
    while size > 1 and per_input * size > round_cpu_s:
        size //= 2
    return size


def _cost(alive: Sequence, tests: Sequence[UnitTest], ctx: Context) -> float:
    """CPU seconds the alive programs spent on ``tests`` (a program shared by several
    candidates counted once)."""
    programs = {run_key(c.program): c.program for c in alive if c.program is not None}
    return sum(run.cpu_s for p in programs.values() for t in tests
               if (run := ctx.executor.run_of(p, t)) is not None)


def _interleave(tests: Sequence[UnitTest]) -> list[UnitTest]:
    """The tests with their sources taken in turn (each source in its own order)."""
    queues: dict[str, list[UnitTest]] = {}
    for t in tests:
        queues.setdefault(t.origin, []).append(t)
    out: list[UnitTest] = []
    lists = [list(reversed(q)) for q in queues.values()]
    while any(lists):
        for q in lists:
            if q:
                out.append(q.pop())
    return out


def _classes(alive: Sequence, tests: Sequence[UnitTest], outcomes: Outcomes) -> int:
    """How many groups the alive programs form by what they did on ``tests``."""
    return len({tuple(outcomes.sig(c, t) for t in tests) for c in alive})


def _judge(t: UnitTest, state: State, alive: list, outcomes: Outcomes, cfg: InputScreeningOptions,
           component: str, stats: ScreenStats, large: bool) -> bool:
    sigs = {c.id: outcomes.sig(c, t) for c in alive}
    seen = [s for s in sigs.values() if judged(s)]
    if not seen:
        stats.unjudged += 1
        stats.count(t.origin, "unjudged")
        return False
    n_failed = sum(failed(s) for s in seen)
    n_crashed = sum(failed(s) and s != TIMEOUT for s in seen)
    bad = n_crashed if large else n_failed
    if bad / len(seen) > cfg.invalid_share or (large and n_failed == len(seen)):
        stats.invalid += 1
        stats.count(t.origin, "invalid")
        return False
    counts = Counter(seen)
    stats.valid += 1
    stats.agreement_sum += max(counts.values()) / len(seen)
    if not large and cfg.drop_timeouts and (len(seen) - n_failed) / len(seen) > 0.5:
        for c in alive:
            if c.alive and sigs[c.id] == TIMEOUT:
                state.drop(c, f"time limit exceeded on generated input {t.id}, which most "
                              "candidates run cleanly", component)
                stats.dropped_timeouts += 1
    if len(counts) == 1 and not cfg.keep_unanimous and not large:
        stats.unanimous += 1
        stats.count(t.origin, "unanimous")
        return False
    return True


def fresh(state: State, tests: Sequence[UnitTest]) -> list[UnitTest]:
    """``tests`` without those the state already has, and without repeats."""
    have = {t.id for t in state.unit_tests}
    out, seen = [], set()
    for t in tests:
        if t.id not in have and t.id not in seen:
            out.append(t)
            seen.add(t.id)
    return out
