"""Metering a search trial's work: what one problem's pipeline used, counted as if nothing
were cached, so that trials are compared fairly although later ones reuse earlier ones' LLM
samples and sandbox runs. The money actually spent is counted apart.

A :class:`MeteredPipeline` sets the problem's :class:`Work` for the duration of its solve;
the :class:`MeteredCache` and the shared sandbox runs charge what passes through them to it
(see :func:`current_work`).
"""

from __future__ import annotations

import contextvars
import dataclasses
from dataclasses import dataclass, field
from typing import Any

from archon_code.cache import CachedResponse, ResponseCache
from archon_code.pipeline import Pipeline
from problems import Problem

__all__ = ["MeteredCache", "MeteredPipeline", "Work", "current_work", "record_work"]


@dataclass
class Work:
    list_cost_usd: float = 0.0  # fresh cost plus cached samples at their original price
    spent_usd: float = 0.0  # fresh cost only: the money this run paid
    llm_s: float = 0.0  # seconds of LLM requests (cached ones at their original latency)
    sandbox_s: float = 0.0  # seconds of sandbox runs (shared ones at their original time)
    llm_fresh: int = 0
    llm_cached: int = 0
    runs_fresh: int = 0
    runs_reused: int = 0
    _last_latency: float | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 6) if isinstance(v, float) else v)
                for k, v in dataclasses.asdict(self).items() if not k.startswith("_")}


# Set for the duration of one problem's solve; tasks the pipeline starts inherit it, so LLM
# calls and sandbox runs are charged to the problem they belong to. Judging the pick on the
# hidden tests happens outside it and is not charged.
_WORK: contextvars.ContextVar[Work | None] = contextvars.ContextVar("archon_code_search_work", default=None)


def current_work() -> Work | None:
    """The work of the problem being solved in this task, if one is being metered."""
    return _WORK.get()


class MeteredCache(ResponseCache):
    """The LLM response cache, charging what passes through it to the current problem."""

    def get_many(self, keys):
        found = super().get_many(keys)
        work = _WORK.get()
        if work is not None and found:
            work.llm_cached += len(found)
            work.list_cost_usd += sum(r.cost_usd for r in found.values())
            # Samples of one request share its latency exactly: count each request once.
            work.llm_s += sum({r.latency_s for r in found.values()})
        return found

    def put(self, key: str, response: CachedResponse, *, model: str, sample_index: int) -> None:
        super().put(key, response, model=model, sample_index=sample_index)
        work = _WORK.get()
        if work is not None:
            work.llm_fresh += 1
            work.list_cost_usd += response.cost_usd
            work.spent_usd += response.cost_usd
            if response.latency_s != work._last_latency:  # a request's samples arrive together
                work.llm_s += response.latency_s
                work._last_latency = response.latency_s


class MeteredPipeline(Pipeline):
    """A pipeline that records, per problem, the work it did, in the problem's trace (so the
    numbers are stored with the record and survive a resumed run)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.work: list[Work] = []

    async def solve(self, problem: Problem):
        work = Work()
        self.work.append(work)
        token = _WORK.set(work)
        try:
            solution = await super().solve(problem)
        finally:
            _WORK.reset(token)
        solution.state.log("search", "work", "work done, cached work at its original cost",
                           **work.to_dict())
        return solution


def record_work(record: dict) -> dict[str, float]:
    """The work a record's trace carries; records without it (a crash before the pipeline
    finished) fall back to what the record itself says."""
    for event in reversed(record.get("trace") or []):
        if event.get("component") == "search" and event.get("kind") == "work":
            return event.get("data") or {}
    return {"list_cost_usd": record.get("cost_usd", 0.0), "spent_usd": record.get("cost_usd", 0.0),
            "llm_s": 0.0, "sandbox_s": 0.0}
