"""What flows from layer to layer: one problem's State.

Every component is `State -> State` (see archon_code.components). The State carries the
problem, the candidate programs (alive or dropped, with where they came from), critiques,
generated unit tests, scores and a trace of every layer's events; execution results live in
the shared Executor so that each (program, input) pair runs once per problem.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from problems import Problem
from sandbox import languages
from sandbox.types import Program

from archon_code.llm import Usage


@dataclass
class Candidate:
    id: str
    source: str | None  # None when no code could be extracted from the model's answer
    language: str | None
    origin: str  # the component that produced it, e.g. "L1.generator[0]"
    layer: int
    raw: str = ""  # the model's answer it came from ("" for non-LLM sources)
    note: str = ""  # why extraction failed, or why it was dropped
    parents: list[str] = field(default_factory=list)  # ids a fuser combined
    alive: bool = True
    score: float | None = None
    cost_usd: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def program(self) -> Program | None:
        if self.source is None or self.language not in languages.LANGUAGES:
            return None
        return Program(self.source, self.language)

    @property
    def runnable(self) -> bool:
        return self.program is not None

    def to_dict(self, with_raw: bool = False) -> dict:
        d = {
            "id": self.id,
            "language": self.language,
            "origin": self.origin,
            "layer": self.layer,
            "alive": self.alive,
            "score": self.score,
            "note": self.note,
            "parents": self.parents,
            "cost_usd": round(self.cost_usd, 6),
            "source": self.source,
        }
        if self.meta:
            d["meta"] = self.meta
        if with_raw:
            d["raw"] = self.raw
        return d


@dataclass
class UnitTest:
    input: str
    output: str | None  # None: an input with no known answer (mutation, input generators)
    origin: str  # "public", "llm", "mutation", "input_generator", ...
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = input_id(self.input)

    def to_dict(self) -> dict:
        return {"id": self.id, "origin": self.origin, "input": self.input[:2000],
                "output": None if self.output is None else self.output[:2000]}


def input_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class TraceEvent:
    layer: int
    component: str
    kind: str  # "start", "end", "produced", "dropped", "scored", "error", "note"
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    t: float = field(default_factory=time.time)

    def to_dict(self) -> dict:
        return {"layer": self.layer, "component": self.component, "kind": self.kind,
                "message": self.message, "data": self.data, "t": round(self.t, 3)}


@dataclass
class State:
    problem: Problem
    candidates: list[Candidate] = field(default_factory=list)
    unit_tests: list[UnitTest] = field(default_factory=list)
    critiques: dict[str, str] = field(default_factory=dict)  # candidate id -> critique
    trace: list[TraceEvent] = field(default_factory=list)
    usage: dict[str, Usage] = field(default_factory=dict)  # component label -> usage
    layer: int = 0
    errors: list[str] = field(default_factory=list)

    def alive(self, runnable_only: bool = True) -> list[Candidate]:
        return [c for c in self.candidates if c.alive and (c.runnable or not runnable_only)]

    def by_id(self, cid: str) -> Candidate:
        for c in self.candidates:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def add_candidate(self, c: Candidate) -> Candidate:
        self.candidates.append(c)
        return c

    def next_id(self, prefix: str) -> str:
        n = sum(1 for c in self.candidates if c.id.startswith(prefix + "."))
        return f"{prefix}.{n}"

    def drop(self, c: Candidate, why: str, component: str) -> None:
        if c.alive:
            c.alive = False
            c.note = why
            self.log(component, "dropped", f"{c.id}: {why}", candidate=c.id)

    def add_tests(self, tests: list[UnitTest], cap: int | None = None) -> int:
        """Add tests not already present (by input); returns how many were added."""
        seen = {t.id for t in self.unit_tests}
        added = 0
        for t in tests:
            if t.id in seen:
                continue
            if cap is not None and added >= cap:
                break
            self.unit_tests.append(t)
            seen.add(t.id)
            added += 1
        return added

    def log(self, component: str, kind: str, message: str, **data: Any) -> None:
        self.trace.append(TraceEvent(self.layer, component, kind, message, data))

    def usage_for(self, component: str) -> Usage:
        return self.usage.setdefault(component, Usage())

    @property
    def cost_usd(self) -> float:
        return sum(u.cost_usd for u in self.usage.values())

    @property
    def tokens(self) -> int:
        return sum(u.total_tokens for u in self.usage.values())
