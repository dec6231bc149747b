"""Random inputs that follow a problem's rules, at several sizes.

Sizes (``Profile``):

- ``tiny``: counts near their smallest, values near their bounds and from a small range (so
  that equal values, ties and boundaries occur); exhaustive over small values when the whole
  input is a few numbers;
- ``small`` and ``medium``: counts up to about 10 and 200, values over their whole range;
- ``small`` and ``medium``: the second input of each and every third after it draws every
  value (not the counts) from the top of its range (``values="high"``);
- ``max``: counts at their largest (``cases="many"``: as many test cases as allowed, each
  small; ``cases="few"``: one test case as large as allowed), the bytes kept under
  ``max_bytes`` first by shorter values (at most 6, 3, then 1 digit), then by scaling every
  count down until the input fits: the counts are where complexity and overflowing counters
  show, and values at the top of their ranges are what the ``high`` inputs are for.

Values come from the spec (archon_code.inputs.spec): statement bounds evaluated against the
values already chosen (``1 <= x <= n``), or the public inputs' range; permutations, distinct
or sorted arrays, parent arrays, ordered columns, sums over test cases, and graphs (trees,
connected graphs, no self-loops or repeated edges, acyclic orientations) are honoured. Each
input is parsed back with the layout before it is returned.

Everything is a function of the seed, bounded in bytes and in work (values printed, counted
in ``WORK`` per input and size, and ``TOTAL_WORK`` for the sizes below the maximum), never by
a clock: the same seed gives the
same inputs on a busy machine. A CPU-time budget remains as a safety net for what no bound
foresaw; when it stops the work, ``InputGenerator.cut`` says so.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import time
from dataclasses import dataclass

from archon_code.inputs.expr import evaluate
from archon_code.inputs.layout import Blank, Ref, Repeat, Row, Scalar, Vector, match, tokenise
from archon_code.inputs.spec import SlotSpec, Spec

MAX_BYTES = 1_000_000
CHECK_BYTES = 100_000  # inputs up to this size are parsed back with the layout
MAX_DECIMAL_TOKENS = 400_000  # tokens in one input, whatever its bytes
SOFT_BYTES = {"tiny": 20_000, "small": 100_000, "medium": 400_000}
COUNT_CAP = {"tiny": 4, "small": 10, "medium": 200}
CASES_CAP = {"tiny": 8, "small": 20, "medium": 50}
LENGTH_CAP = {"tiny": 6, "small": 20, "medium": 200}
WIDTHS = (6, 3, 1)  # digits of the values tried at the maximum size before smaller counts
NARROWEST = WIDTHS[-1]
# Work: one unit per value printed and per 16 bytes printed, over every attempt (failed ones
# too); about a million units per CPU second. A size stops after (count + 1) * WORK[size].
# A number drawn alone (its range computed for it) costs SCALAR_WORK more: about as much CPU
# as SCALAR_WORK numbers drawn in rows whose ranges stay the same.
WORK = {"tiny": 20_000, "small": 100_000, "medium": 400_000, "max": 1_200_000}  # per input
SCALAR_WORK = 8
TOTAL_WORK = 4_000_000  # per call of InputGenerator.many, for the sizes below the maximum


@dataclass(frozen=True)
class Profile:
    size: str  # tiny, small, medium, max
    cases: str = "some"  # for max: "many" small test cases or "few" large ones
    # "high": every value (not the counts) from the top of its range, so that sums and
    # products of large values occur together (overflow, precision) rather than beside the
    # small values a mixed draw always includes.
    values: str = "mixed"


@dataclass(frozen=True)
class Generated:
    text: str
    profile: Profile


class _TooBig(Exception):
    def __init__(self, need: float = 0.0) -> None:
        super().__init__()
        self.need = need  # the bytes it would have taken, at least (0: unknown)


class _OutOfWork(Exception):
    pass


class _Invalid(Exception):
    pass


class _SumSpent(Exception):
    """A sum over test cases left no room for another case."""


class _Cell:
    """A value printed in the input that a later choice may still change (a count of
    edges, once the graph turned out to allow fewer)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return str(self.value)


class _Ctx:
    def __init__(self, profile: Profile, max_bytes: int, scale: float, work: int,
                 width: int | None = None) -> None:
        self.profile = profile
        self.max_bytes = max_bytes
        self.scale = scale
        self.width = width  # values of at most this many digits (max size, to keep the counts)
        self.work_left = work  # units this attempt may still spend
        self.slots: dict[int, _Cell] = {}
        self.names: dict[str, float] = {}
        self.lines: list[list] = []
        self.bytes = 0
        self.tokens = 0
        self.caps: dict[str, float] = {}  # remaining sums over test cases
        self.words: dict[int, list[_Cell]] = {}  # the strings printed, by slot
        self.alphabets: dict[str, str] = {}  # tiny inputs: the letters words use, by alphabet
        self.last_word: dict[str, str] = {}  # the last free-length word printed, by alphabet
        self.weights: dict[str, list[float] | None] = {}  # letter frequencies, by alphabet

    def emit(self, line: list) -> None:
        self.lines.append(line)
        n = sum(len(str(t)) + 1 for t in line) + 1
        self._spend(len(line), n)

    def set(self, s: SlotSpec, value: object) -> _Cell:
        cell = _Cell(value)
        self.slots[s.slot.id] = cell
        if s.name is not None:
            if isinstance(value, (int, float)):
                self.names[s.name] = value
            elif isinstance(value, str):
                self.names[f"|{s.name}|"] = len(value)
        return cell

    def value(self, slot: int) -> int:
        cell = self.slots.get(slot)
        if cell is None or not isinstance(cell.value, int):
            raise _Invalid(f"count #{slot} unknown")
        return cell.value

    def emit_text(self, text: str, tokens: int) -> None:
        """A line already rendered (values that nothing refers to)."""
        self.lines.append(text)
        self._spend(tokens, len(text) + 1)

    def charge(self, units: int) -> None:
        """Work that prints nothing yet (placing a graph's edges)."""
        self.work_left -= units
        if self.work_left < 0:
            raise _OutOfWork

    def _spend(self, tokens: int, nbytes: int) -> None:
        self.tokens += tokens
        self.bytes += nbytes
        self.work_left -= tokens + nbytes // 16 + 1
        if self.bytes > self.max_bytes or self.tokens > MAX_DECIMAL_TOKENS:
            raise _TooBig
        if self.work_left < 0:
            raise _OutOfWork

    def render(self) -> str:
        return "".join((line if isinstance(line, str) else " ".join(str(t) for t in line)) + "\n"
                       for line in self.lines)


class InputGenerator:
    def __init__(self, spec: Spec, seed: int = 0, max_bytes: int = MAX_BYTES) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.max_bytes = max_bytes
        self.spent = 0  # work units, over every call
        self.cut = False  # the CPU-time safety net stopped the work

    def many(self, counts: dict[str, int], *, total_work: int = TOTAL_WORK,
             budget_s: float = 10.0) -> list[Generated]:
        """Distinct inputs, ``counts[size]`` of each size at most (``tiny`` starts with the
        exhaustive enumeration, when there is one). Each size stops after (count + 1) *
        ``WORK[size]`` units; the sizes below the maximum together after ``total_work``.
        ``budget_s`` CPU seconds is only a safety net (``cut``)."""
        has_cases = any(s.cases for s in self.spec.slots.values())
        deadline = time.thread_time() + budget_s
        seen: set[str] = set()
        out: list[Generated] = []
        for size in SIZES:
            want = counts.get(size, 0)
            if want <= 0:
                continue
            got = 0
            if size == "tiny":
                for text in self.enumerate_tiny(want):
                    if text not in seen:
                        seen.add(text)
                        out.append(Generated(text, Profile("tiny")))
                        got += 1
            misses = 0
            k = 0
            stop = self.spent + (want + 1) * WORK[size]
            if size != "max":  # the largest inputs (made last) are never starved by the others
                stop = min(stop, total_work)
            while got < want and misses < 3 * want + 5 and self.spent < stop:
                if time.thread_time() > deadline:
                    self.cut = True
                    return out
                # Not at the maximum size: there, values at the top of every range make inputs
                # slower than any the problem's own tests hold, and time is evidence at that size.
                values = "high" if size in ("small", "medium") and k % 3 == 1 else "mixed"
                cases = (("few", "many")[k % 2] if has_cases else "few") if size == "max" else "some"
                profile = Profile(size, cases, values)
                k += 1
                text = self.generate(profile, work=min(WORK[size], stop - self.spent))
                if text is None or text in seen:
                    misses += 1
                    continue
                seen.add(text)
                out.append(Generated(text, profile))
                got += 1
        return out

    # -- public --------------------------------------------------------------------------------

    def generate(self, profile: Profile, work: int | None = None) -> str | None:
        """One input of this size, or None when none could be made within ``work`` units
        (default ``WORK[size]``)."""
        left = WORK[profile.size] if work is None else work
        limit = self.max_bytes if profile.size == "max" else min(self.max_bytes, SOFT_BYTES[profile.size])
        scale, width = 1.0, None
        for _ in range(12):
            if left <= 0:
                return None
            ctx = _Ctx(profile, limit, scale, left, width)
            # "the sum of n over all test cases does not exceed ...": a budget for the input
            for name, bound in self.spec.statement.sum_bounds.items():
                v = evaluate(bound, {})
                if v is not None:
                    ctx.caps[name] = v
            failed = self._attempt(ctx)
            spent = left - ctx.work_left + 1  # a refused attempt costs a unit
            left -= spent
            self.spent += spent
            if isinstance(failed, _TooBig):
                # At the maximum size the counts are what matters most (complexity, counts
                # that overflow): values get shorter before the counts get smaller; then the
                # counts shrink by what the estimate says is needed, at least by 2.5.
                if profile.size == "max" and width != NARROWEST:
                    width = WIDTHS[0] if width is None else WIDTHS[WIDTHS.index(width) + 1]
                else:
                    scale *= min(1 / 2.5, 0.9 * limit / failed.need) if failed.need > 0 else 1 / 2.5
                continue
            if failed is not None:
                return None
            text = ctx.render()
            # A check of the generator itself, where it is cheap.
            if len(text) <= CHECK_BYTES and match(self.spec.layout, tokenise(text)) is None:
                return None
            return text
        return None

    def _attempt(self, ctx: _Ctx) -> Exception | None:
        """Print the whole input into ``ctx``; the reason it could not, or None."""
        try:
            self._items(self.spec.layout.items, ctx)
            self._place_markers(ctx)
        except (_TooBig, _OutOfWork, _Invalid, ValueError, IndexError, OverflowError, RecursionError) as e:
            return e
        return None

    def enumerate_tiny(self, limit: int) -> list[str]:
        """Every combination of small values, when the whole input is a few numbers on a few
        lines: the exhaustive part of the tiny inputs."""
        items = self.spec.layout.items
        if not items or not all(isinstance(it, Row) and all(isinstance(s, Scalar) for s in it.segments) for it in items):
            return []
        segs = [s for it in items for s in it.segments]  # type: ignore[union-attr]
        specs = [self.spec.slots[s.slot] for s in segs]
        if len(specs) > 3 or any(s.slot.kind != "int" for s in specs):
            return []
        per = max(3, int(limit ** (1 / len(specs))))
        choices = []
        for s in specs:
            lo, hi = self._static_range(s)
            if lo is None or hi is None or lo > hi:
                return []
            lo, hi = int(lo), int(hi)
            # the smallest values, then the largest two
            vals = list(range(lo, min(hi, lo + per - 3) + 1))
            vals += [v for v in (hi - 1, hi) if v >= lo and v not in vals]
            choices.append(vals)
        out = []
        for combo in itertools.product(*choices):
            ctx = _Ctx(Profile("tiny"), 10_000, 1.0, WORK["tiny"])
            ok = True
            for s, v in zip(specs, combo):
                lo, hi = self._range(s, ctx)
                if lo is None or hi is None or not lo <= v <= hi:
                    ok = False
                    break
                ctx.set(s, v)
            if not ok:
                continue
            k = 0
            lines = []
            for it in items:
                lines.append(" ".join(str(v) for v in combo[k:k + len(it.segments)]))  # type: ignore[union-attr]
                k += len(it.segments)  # type: ignore[union-attr]
            out.append("\n".join(lines) + "\n")
            if len(out) >= limit:
                break
        return out

    # -- items -----------------------------------------------------------------------------------

    def _items(self, items: list, ctx: _Ctx) -> None:
        for it in items:
            if isinstance(it, Blank):
                ctx.emit([])
            elif isinstance(it, Row):
                self._row(it, ctx)
            else:
                self._repeat(it, ctx)

    def _count(self, ref: Ref, ctx: _Ctx) -> int:
        n = ref.count(ctx.value(ref.slot))
        if n < 0:
            raise _Invalid("negative count")
        return n

    def _digits(self, slot: int, ctx: _Ctx) -> int:
        """About how many bytes one value of this slot takes, with its separator."""
        s = self.spec.slots[slot]
        if s.slot.kind == "word":
            return max(s.len_lo, 1) + 1
        lo, hi = self._range(s, ctx)
        far = max(abs(lo or 0), abs(hi or 0), 1)
        return min(20, len(str(int(far)))) + 1 + (s.decimals + 1 if s.slot.kind == "float" else 0)

    def _ensure_room(self, n: int, per_unit: int, ctx: _Ctx) -> None:
        # Too large already by a cheap estimate: give up before generating it.
        if ctx.bytes + n * per_unit > ctx.max_bytes:
            raise _TooBig(ctx.bytes + n * per_unit)

    def _repeat(self, it: Repeat, ctx: _Ctx) -> None:
        n = self._count(it.count, ctx)
        if len(it.body) == 1 and isinstance(it.body[0], Row):
            segs = it.body[0].segments
            if all(isinstance(x, Scalar) for x in segs):
                # vertices of an edge list take about as many digits as the number of edges
                per = sum(len(str(n)) + 1 if self.spec.slots[x.slot].vertex_of is not None
                          else self._digits(x.slot, ctx) for x in segs)
                self._ensure_room(n, per + 1, ctx)
        graph = self.spec.graphs.get(id(it))
        if graph is not None:
            self._graph(it, graph, n, ctx)
            return
        if self._plain_rows(it, n, ctx):
            return
        done = 0
        for _ in range(n):
            mark = (len(ctx.lines), ctx.bytes, ctx.tokens, dict(ctx.caps))
            try:
                self._items(it.body, ctx)
            except _SumSpent:
                if not done:
                    raise _Invalid("a sum over test cases leaves no room") from None
                # this repetition does not fit: drop what it printed, and stop here
                del ctx.lines[mark[0]:]
                ctx.bytes, ctx.tokens, ctx.caps = mark[1], mark[2], mark[3]
                break
            done += 1
        if done != n:
            self._recount(it.count, done, ctx)

    def _plain_rows(self, it: Repeat, n: int, ctx: _Ctx) -> bool:
        """Rows of numbers whose ranges stay fixed (see ``_fixed_draws``), drawn with each
        range computed once. False when the rows are not of that kind."""
        if len(it.body) != 1 or not isinstance(it.body[0], Row) or n <= 0:
            return False
        if not all(isinstance(x, Scalar) for x in it.body[0].segments):
            return False
        specs = [self.spec.slots[x.slot] for x in it.body[0].segments]
        draw = self._fixed_draws(specs, specs, ctx)
        if draw is None:
            return False
        row: list = []
        for _ in range(n):
            row = [f() for f in draw]
            ctx.emit_text(" ".join(map(str, row)), len(row))
        for x, v in zip(specs, row):
            ctx.set(x, v)  # later bounds read the last row's values, as after ``_row``
        return True

    def _fixed_draws(self, columns: list[SlotSpec], row: list[SlotSpec], ctx: _Ctx) -> list | None:
        """One draw per column of ``row`` whose range does not change from row to row (no
        column's bound reads a value of the row; none is a count, a size, a vertex or ordered
        against its neighbour, or spends a sum): each range computed once, each value drawn as
        ``_row`` would draw it. None when some column is not of that kind."""
        own = {f"#{x.slot.id}" for x in row} | {x.name for x in row if x.name}
        for x in columns:
            if (x.slot.kind not in ("int", "float") or x.count or x.size or x.order_next is not None
                    or x.vertex_of is not None or x.name in ctx.caps
                    or (x.bounds is not None and x.bounds.names() & own)):
                return None
        ranges = [self._range(x, ctx) for x in columns]
        if any(lo is None or hi is None or lo > hi for lo, hi in ranges):
            raise _Invalid("no range for a row's values")
        size, values = ctx.profile.size, ctx.profile.values
        return [(lambda x=x, lo=lo, hi=hi: self._float(x, lo, hi)) if x.slot.kind == "float"
                else (lambda lo=int(lo), hi=int(hi): self._int(lo, hi, size, values))  # type: ignore[arg-type]
                for x, (lo, hi) in zip(columns, ranges)]

    def _recount(self, ref: Ref, n: int, ctx: _Ctx) -> None:
        """Make the printed count say ``n`` (when the count can say it)."""
        if (n - ref.add) % ref.mul:
            raise _Invalid("count cannot be adjusted")
        cell = ctx.slots[ref.slot]
        value = (n - ref.add) // ref.mul
        s = self.spec.slots[ref.slot]
        lo, hi = self._range(s, ctx)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise _Invalid("the count this needs is out of its bounds")
        cell.value = value
        if s.name:
            ctx.names[s.name] = cell.value  # type: ignore[assignment]

    def _row(self, row: Row, ctx: _Ctx, fixed: dict[int, object] | None = None) -> None:
        line: list = []
        left: tuple[SlotSpec, object] | None = None
        for seg in row.segments:
            s = self.spec.slots[seg.slot]
            if isinstance(seg, Scalar):
                ctx.charge(SCALAR_WORK)
                if fixed and seg.slot in fixed:
                    v = fixed[seg.slot]
                else:
                    v = self._scalar(s, ctx, left)
                line.append(ctx.set(s, v))
                left = (s, v)
            elif isinstance(seg, Vector):
                n = self._count(seg.length, ctx) if isinstance(seg.length, Ref) else seg.length
                if n > 1000:
                    self._ensure_room(n, self._digits(seg.slot, ctx) if not (s.permutation or s.parent) else 2, ctx)
                line.extend(self._vector(s, n, ctx))
                left = None
            else:
                if seg.length is not None:
                    word = self._word(s, self._count(seg.length, ctx), ctx)
                else:
                    word = self._free_word(s, ctx)
                cell = ctx.set(s, word)
                ctx.words.setdefault(seg.slot, []).append(cell)
                line.append(cell)
                left = None
        ctx.emit(line)

    # -- values ----------------------------------------------------------------------------------

    def _static_range(self, s: SlotSpec) -> tuple[float | None, float | None]:
        return self._range(s, _Ctx(Profile("tiny"), 1, 1.0, 0))

    def _range(self, s: SlotSpec, ctx: _Ctx, narrow: bool = True) -> tuple[float | None, float | None]:
        """The values this slot may take here (``narrow``: within the input's value width,
        when it has one)."""
        integer = s.slot.kind == "int"
        lo = hi = None
        if s.bounds is not None:
            lo = s.bounds.low(ctx.names, integer)
            hi = s.bounds.high(ctx.names, integer)
        if lo is None:
            lo = s.lo
        if hi is None:
            hi = s.hi
        if lo is None or hi is None:
            return lo, hi
        if s.name in ctx.caps:
            hi = min(hi, ctx.caps[s.name])  # type: ignore[index]
        if s.count or s.size:
            lo = max(lo, 0)
        elif narrow and ctx.width is not None and s.slot.kind == "int" and s.vertex_of is None:
            lo, hi = _narrow(lo, hi, ctx.width)
        return lo, hi

    def _scalar(self, s: SlotSpec, ctx: _Ctx, left: tuple[SlotSpec, object] | None) -> object:
        if s.slot.kind == "word":
            return self._free_word(s, ctx)
        lo, hi = self._range(s, ctx)
        if lo is None or hi is None:
            raise _Invalid(f"no range for #{s.slot.id}")
        if left is not None and left[0].order_next in ("le", "lt") and isinstance(left[1], (int, float)):
            lo = max(lo, left[1] + (1 if left[0].order_next == "lt" and s.slot.kind == "int" else 0))
        if lo > hi:
            if s.name in ctx.caps:
                raise _SumSpent
            raise _Invalid(f"empty range for #{s.slot.id}")
        if s.slot.kind == "float":
            return self._float(s, lo, hi)
        lo, hi = int(lo), int(hi)
        if s.count or s.size:
            v = self._count_value(s, lo, hi, ctx)
        else:
            v = self._int(lo, hi, ctx.profile.size, ctx.profile.values)
        if left is not None and left[0].order_next == "ne" and v == left[1] and hi > lo:
            for _ in range(8):
                v = self._int(lo, hi, ctx.profile.size, ctx.profile.values)
                if v != left[1]:
                    break
        if s.name in ctx.caps:
            ctx.caps[s.name] -= v  # type: ignore[index, operator]
        return v

    def _count_value(self, s: SlotSpec, lo: int, hi: int, ctx: _Ctx) -> int:
        p = ctx.profile
        rng = self.rng
        if p.size == "max":
            big = s.cases if p.cases == "many" else not s.cases
            if not big:
                return rng.randint(lo, min(hi, lo + 3))
            top = lo + int((hi - lo) * ctx.scale)
            return rng.randint(max(lo, top - max(0, (top - lo) // 20)), top)
        cap = (CASES_CAP if s.cases else COUNT_CAP)[p.size]
        top = min(hi, max(lo, cap))
        if p.size == "medium" and not s.cases:
            return rng.randint(max(lo, top // 4), top)
        return rng.randint(lo, top)

    @staticmethod
    def _window(lo: int, hi: int) -> tuple[int, int]:
        """Small values: around zero when the range holds it, else at its low end."""
        if lo <= 0 <= hi:
            return max(lo, -4), min(hi, 5)
        return lo, min(hi, lo + 9)

    @staticmethod
    def _top(lo: int, hi: int) -> tuple[int, int]:
        """The top of a range: its last twentieth, at least 11 values."""
        return max(lo, hi - max(10, (hi - lo) // 20)), hi

    def _int(self, lo: int, hi: int, size: str, values: str = "mixed") -> int:
        rng = self.rng
        if hi - lo <= 10:
            return rng.randint(lo, hi)
        if values == "high":
            return rng.randint(*self._top(lo, hi))
        r = rng.random()
        if size == "tiny":
            if r < 0.7:
                return rng.randint(*self._window(lo, hi))
            if r < 0.85:
                return rng.randint(max(lo, hi - 2), hi)
            return rng.randint(lo, hi)
        if r < 0.35:
            return rng.randint(lo, hi)
        if r < 0.65:
            return min(hi, lo + int(math.exp(rng.uniform(0, math.log(hi - lo + 1)))) - 1)
        if r < 0.85:
            return rng.randint(max(lo, hi - 10), hi)
        return rng.randint(lo, min(hi, lo + 10))

    def _float(self, s: SlotSpec, lo: float, hi: float) -> str:
        d = s.decimals
        step = 10 ** -d
        r = self.rng.random()
        if r < 0.1:
            x = lo
        elif r < 0.2:
            x = hi
        else:
            x = self.rng.uniform(lo, hi)
        x = min(max(round(x / step) * step, lo), hi)
        return f"{x:.{d}f}"

    @staticmethod
    def _length_bounds(s: SlotSpec, ctx: _Ctx) -> tuple[int, int]:
        """The lengths a word of this slot may have: the statement's bounds, else those seen."""
        lo, hi = max(1, s.len_lo), max(1, s.len_hi)
        if s.length is not None:
            b_lo, b_hi = s.length.low(ctx.names), s.length.high(ctx.names)
            lo = int(b_lo) if b_lo is not None else lo
            hi = int(b_hi) if b_hi is not None else hi
        return max(lo, 1), hi

    def _length(self, s: SlotSpec, ctx: _Ctx) -> int:
        lo, hi = self._length_bounds(s, ctx)
        cap = f"|{s.name}|" if s.name else None
        if cap in ctx.caps:
            hi = min(hi, int(ctx.caps[cap]))  # type: ignore[index]
            if lo > hi:
                raise _SumSpent
        if lo > hi:
            raise _Invalid("empty length range")
        p = ctx.profile
        if p.size == "max":
            n = max(lo, lo + int((hi - lo) * ctx.scale))
        else:
            n = self.rng.randint(lo, max(lo, min(hi, LENGTH_CAP[p.size])))
        if cap in ctx.caps:
            ctx.caps[cap] -= n  # type: ignore[index]
        return n

    def _free_word(self, s: SlotSpec, ctx: _Ctx) -> str:
        """A word whose length only its bounds fix. In tiny and small inputs, half of the
        time it is made from the word printed just before it with the same letters: a copy,
        a copy with every letter repeated 1 to 3 times, a copy with one letter changed,
        inserted or removed, or the copy reversed. Problems about two strings (is one a
        subsequence, a stretch, an anagram, a rotation of the other) answer the same for
        almost every pair of random words, and the same for every program."""
        word = self._word(s, self._length(s, ctx), ctx)
        if ctx.profile.size in ("tiny", "small") and not s.markers:
            related = self._related(s, word, ctx)
            if related is not None:
                cap = f"|{s.name}|" if s.name else None
                if cap in ctx.caps:
                    ctx.caps[cap] += len(word) - len(related)  # type: ignore[index]
                word = related
            ctx.last_word[s.alphabet] = word
        return word

    def _related(self, s: SlotSpec, word: str, ctx: _Ctx) -> str | None:
        rng = self.rng
        source = ctx.last_word.get(s.alphabet)
        if not source or rng.random() < 0.5:
            return None
        letters = sorted(set(source)) or list(s.alphabet)
        how = rng.randrange(4)
        if how == 0:
            new = source
        elif how == 1:
            new = "".join(ch * rng.randint(1, 3) for ch in source)
        elif how == 2:
            k = rng.randrange(len(source) + 1)
            edit = rng.randrange(3)
            if edit == 0 and k < len(source):
                new = source[:k] + rng.choice(letters) + source[k + 1:]
            elif edit == 1:
                new = source[:k] + rng.choice(letters) + source[k:]
            else:
                new = source[:k] + source[k + 1:]
        else:
            new = source[::-1]
        lo, hi = self._length_bounds(s, ctx)
        hi = min(hi, 3 * LENGTH_CAP[ctx.profile.size])  # a tiny input stays small
        cap = f"|{s.name}|" if s.name else None
        room = ctx.caps[cap] + len(word) if cap in ctx.caps else None  # type: ignore[operator]
        if not (lo <= len(new) <= hi) or (room is not None and len(new) > room):
            return None
        if any(ch not in s.alphabet for ch in new):
            return None
        return new

    def _place_markers(self, ctx: _Ctx) -> None:
        """Characters that occur exactly once in every public input (a grid's S and E) occur
        exactly once here too, each in a cell of its own."""
        for sid, cells in ctx.words.items():
            markers = self.spec.slots[sid].markers
            if not markers:
                continue
            ends = list(itertools.accumulate(len(str(cell.value)) for cell in cells))
            if not ends or ends[-1] < len(markers):
                raise _Invalid("no room for the markers")
            for ch, at in zip(markers, self.rng.sample(range(ends[-1]), len(markers))):
                k = bisect.bisect_right(ends, at)  # the word holding character ``at``
                j = at - (ends[k - 1] if k else 0)
                word = str(cells[k].value)
                cells[k].value = word[:j] + ch + word[j + 1:]

    def _word(self, s: SlotSpec, n: int, ctx: _Ctx) -> str:
        alphabet = "".join(ch for ch in s.alphabet if ch not in s.markers) or s.alphabet or "ab"
        if ctx.profile.size == "tiny" and len(alphabet) > 2:
            # One small alphabet per input, shared by every word drawn from the same letters:
            # words that can equal, contain or stretch one another (s and t of one test case)
            # are what tells programs apart, and independent letters almost never give them.
            small = ctx.alphabets.get(alphabet)
            if small is None:
                small = alphabet
                if self.rng.random() < 0.7:
                    seen = sorted({ch for v in s.slot.values() for ch in v} & set(alphabet)) or list(alphabet)
                    small = "".join(self.rng.sample(seen, min(len(seen), self.rng.choice((1, 2, 2, 3)))))
                ctx.alphabets[alphabet] = small
            alphabet = small
        if ctx.bytes + n > ctx.max_bytes:
            raise _TooBig(ctx.bytes + n)  # before drawing its letters
        ctx.charge(n // 16)
        # One letter frequency per input and alphabet, even a third of the time, else skewed: a
        # grid of '.' and '#' is then sometimes mostly open and sometimes mostly rock (at even
        # odds, start and exit of a large grid are almost never connected), and strings get
        # long runs of one letter.
        if alphabet not in ctx.weights:
            ctx.weights[alphabet] = (None if len(alphabet) < 2 or self.rng.random() < 1 / 3
                                     else [self.rng.expovariate(1.0) + 0.02 for _ in alphabet])
        return "".join(self.rng.choices(alphabet, weights=ctx.weights[alphabet], k=n))

    def _vector(self, s: SlotSpec, n: int, ctx: _Ctx) -> list:
        rng = self.rng
        if s.slot.kind == "word":
            return [self._word(s, self._length(s, ctx), ctx) for _ in range(n)]
        if s.permutation:
            vals = list(range(0 if s.zero_based else 1, n + (0 if s.zero_based else 1)))
            rng.shuffle(vals)
            return vals
        if s.parent:
            return [rng.randint(1, k + 1) for k in range(n)]
        lo, hi = self._range(s, ctx)
        if lo is None or hi is None or lo > hi:
            raise _Invalid(f"no range for #{s.slot.id}")
        if s.slot.kind == "float":
            return [self._float(s, lo, hi) for _ in range(n)]
        lo, hi = int(lo), int(hi)
        size = ctx.profile.size
        unique = s.distinct or s.sorted == "lt"
        if size == "tiny" and hi - lo > 10 and rng.random() < 0.6 and not unique:
            w_lo, w_hi = self._window(lo, hi)
            lo, hi = w_lo, min(w_hi, w_lo + rng.choice((1, 2, 5, 9)))
        if unique:
            if hi - lo + 1 < n and ctx.width is not None:
                # shorter values, but as many distinct ones as needed
                full_lo, full_hi = self._range(s, ctx, narrow=False)
                if full_lo is not None and full_hi is not None:
                    lo = int(max(full_lo, min(lo, full_hi - n + 1)))
                    hi = int(min(full_hi, lo + n - 1))
            if hi - lo + 1 < n:
                raise _Invalid("not enough distinct values")
            if ctx.profile.values == "high":
                lo = max(lo, min(self._top(lo, hi)[0], hi - 2 * n + 1))
            vals = rng.sample(range(lo, hi + 1), n)
        else:
            vals = [self._int(lo, hi, size, ctx.profile.values) for _ in range(n)]
        if s.sorted:
            vals.sort()
        return vals

    # -- graphs ----------------------------------------------------------------------------------

    def _graph(self, it: Repeat, g: dict, m: int, ctx: _Ctx) -> None:
        rng = self.rng
        n_val = evaluate(g["n"], {**ctx.names, **{f"#{k}": c.value for k, c in ctx.slots.items()
                                                  if isinstance(c.value, int)}})
        if n_val is None:
            raise _Invalid("unknown number of vertices")
        n = int(n_val)
        base = g["base"]
        if n < 1:
            raise _Invalid("no vertices")
        pairs_max = n * (n - 1) // 2 if not g["loops"] else n * (n + 1) // 2
        if m > pairs_max:
            m = pairs_max
            self._recount(it.count, m, ctx)
        ctx.charge(n)
        labels = list(range(base, base + n))
        edges: list[tuple[int, int]] = []
        tree = g["tree"] and m == n - 1
        if tree or (g["connected"] and m >= n - 1):
            edges = self._tree(labels, g["rooted"] and tree, ctx)
        elif g["connected"] and m < n - 1 and n > 1:
            # a connected graph needs n - 1 edges: say so in the count
            m = n - 1
            self._recount(it.count, m, ctx)
            edges = self._tree(labels, False, ctx)
        have = {frozenset(e) for e in edges}
        tries = 0
        if m - len(edges) > pairs_max // 2:
            ctx.charge(pairs_max)
            rest = [(u, v) for u, v in itertools.combinations(labels, 2) if frozenset((u, v)) not in have]
            rng.shuffle(rest)
            edges += rest[: m - len(edges)]
        else:
            while len(edges) < m and tries < 20 * m + 100:
                tries += 1
                u, v = rng.choice(labels), rng.choice(labels)
                if u == v and not g["loops"]:
                    continue
                key = frozenset((u, v))
                if key in have:
                    continue
                have.add(key)
                edges.append((u, v))
        ctx.charge(tries)
        if len(edges) != m:
            raise _Invalid("could not place the edges")
        if g["acyclic"]:
            rank = {v: k for k, v in enumerate(rng.sample(labels, n))}
            edges = [(u, v) if rank[u] < rank[v] else (v, u) for u, v in edges]
        elif g["ordered"]:
            edges = [(min(u, v), max(u, v)) for u, v in edges]
        elif not (g["rooted"] and tree):
            edges = [(u, v) if rng.random() < 0.5 else (v, u) for u, v in edges]
        rng.shuffle(edges)
        body = it.body[0]
        segs = body.segments
        specs = [self.spec.slots[x.slot] for x in segs]
        draw = self._fixed_draws(specs[2:], specs, ctx)  # weights: one range per column
        if draw is not None:
            for u, v in edges:
                ctx.emit_text(" ".join([str(u), str(v), *(str(f()) for f in draw)]), 2 + len(draw))
            return
        for u, v in edges:
            self._row(body, ctx, fixed={segs[0].slot: u, segs[1].slot: v})

    def _tree(self, labels: list[int], rooted: bool, ctx: _Ctx) -> list[tuple[int, int]]:
        """Edges (parent, child) of a random tree: shallow, deep (path-like) or a star."""
        rng = self.rng
        order = labels[:]
        rng.shuffle(order)
        if rooted:
            order.remove(labels[0])
            order.insert(0, labels[0])
        shape = rng.choice(("random", "random", "deep", "star" if ctx.profile.size != "tiny" else "random"))
        edges = []
        for i in range(1, len(order)):
            if shape == "deep":
                j = max(0, i - rng.randint(1, 2))
            elif shape == "star":
                j = 0 if rng.random() < 0.8 else rng.randrange(i)
            else:
                j = rng.randrange(i)
            edges.append((order[j], order[i]))
        return edges


def _narrow(lo: float, hi: float, width: int) -> tuple[float, float]:
    """The part of [lo, hi] printed with about ``width`` digits: around zero when the range
    holds it, else at its low end (values far from zero cannot be made shorter)."""
    span = 10 ** width
    new_lo = lo if lo >= 0 else max(lo, -(span - 1))
    return new_lo, min(hi, max(new_lo, 0) + span - 1)


SIZES = ("tiny", "small", "medium", "max")
