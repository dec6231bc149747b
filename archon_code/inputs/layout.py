"""The shape of a problem's input, inferred from its public inputs.

A layout is a list of items, each a line or a repetition of lines:

    Row([Scalar n, Scalar m])             "5 7"
    Row([Vector(len = n)])                "3 1 4 1 5"
    Row([Word(len = n)])                  "abcab"
    Row([Scalar k, Vector(len = k)])      "3 10 20 30"
    Repeat(m, [Row([Scalar u, Scalar v])])            m lines "u v"
    Repeat(t, [Row([Scalar n]), Row([Vector(n)])])    t test cases
    Blank()                               an empty line

Every public input is parsed in lockstep (and every test case inside one, once a repeated
body is found): a choice stands only if it explains all of them. Choices are tried in order
of preference (a count that explains what follows beats a new line of values), and the
search backtracks. Slots (the values a layout has a place for) collect what was seen in each
position across the public inputs, which later bounds the values a generator may choose.

The public inputs are untrusted text: their size is capped, and the search stops after a
fixed number of steps or when its time budget is spent.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

MAX_INPUT_CHARS = 200_000
MAX_LINES = 5_000
SEARCH_STEPS = 20_000
SEARCH_BUDGET_S = 2.0
MAX_BODY = 6  # items in one test case
WIDE = 12  # a row with more tokens than this is a vector, not separate values
TRANSFORMS: tuple[tuple[int, int], ...] = ((1, 0), (1, -1), (1, 1), (2, -1), (2, 0), (2, 1))

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")


def kind_of(token: str) -> str:
    if _INT.fullmatch(token):
        return "int"
    if _FLOAT.fullmatch(token):
        return "float"
    return "word"


def _join_kinds(a: str | None, b: str) -> str:
    if a is None or a == b:
        return b
    if {a, b} == {"int", "float"}:
        return "float"
    return "word"


# -- the layout -------------------------------------------------------------------------------


@dataclass
class Slot:
    """A place for values. ``seen`` holds (stream, value) pairs for every observation."""

    id: int
    kind: str
    seen: list[tuple[int, str]] = field(default_factory=list)
    name: str | None = None  # the statement's variable, once bound
    scalar: bool = True  # one value per scope (a header), not per element

    def values(self) -> list[str]:
        return [v for _, v in self.seen]

    def numbers(self) -> list[float]:
        out = []
        for v in self.values():
            try:
                out.append(int(v) if self.kind == "int" else float(v))
            except ValueError:
                pass
        return out


@dataclass(frozen=True)
class Ref:
    """A count taken from an earlier scalar: ``mul * value + add``."""

    slot: int
    mul: int = 1
    add: int = 0

    def count(self, value: int) -> int:
        return self.mul * value + self.add

    def __str__(self) -> str:
        s = f"{'' if self.mul == 1 else str(self.mul)}#{self.slot}"
        return s + (f"{self.add:+d}" if self.add else "")


@dataclass
class Scalar:
    slot: int


@dataclass
class Vector:
    slot: int
    length: Ref | int  # a count, or a fixed number of tokens


@dataclass
class Word:
    slot: int
    length: Ref | None


Segment = Scalar | Vector | Word


@dataclass
class Row:
    segments: list[Segment]


@dataclass
class Repeat:
    count: Ref
    body: list  # items


@dataclass
class Blank:
    pass


Item = Row | Repeat | Blank


@dataclass
class Layout:
    items: list[Item]
    slots: dict[int, Slot]
    examples: int  # public inputs it explains

    def describe(self) -> str:
        return _describe(self.items, self.slots)

    def walk(self) -> Iterator[tuple[Item, int]]:
        """Every item with its depth, in order."""
        def go(items: list[Item], depth: int) -> Iterator[tuple[Item, int]]:
            for it in items:
                yield it, depth
                if isinstance(it, Repeat):
                    yield from go(it.body, depth + 1)
        return go(self.items, 0)


def _describe(items: list[Item], slots: dict[int, Slot]) -> str:
    parts = []
    for it in items:
        if isinstance(it, Blank):
            parts.append("blank")
        elif isinstance(it, Repeat):
            parts.append(f"{it.count} x [{_describe(it.body, slots)}]")
        else:
            segs = []
            for s in it.segments:
                name = slots[s.slot].name or f"#{s.slot}"
                if isinstance(s, Scalar):
                    segs.append(f"{name}:{slots[s.slot].kind}")
                elif isinstance(s, Vector):
                    segs.append(f"{name}[{s.length}]:{slots[s.slot].kind}")
                else:
                    segs.append(f"{name}:word[{s.length if s.length is not None else '*'}]")
            parts.append("(" + " ".join(segs) + ")")
    return "; ".join(parts)


# -- search ------------------------------------------------------------------------------------


class _Budget:
    def __init__(self, steps: int, seconds: float) -> None:
        self.steps = steps
        self.deadline = time.thread_time() + seconds

    def spend(self) -> None:
        self.steps -= 1
        if self.steps < 0 or (self.steps % 256 == 0 and time.thread_time() > self.deadline):
            raise _OutOfBudget


class _OutOfBudget(Exception):
    pass


@dataclass(frozen=True)
class Cursor:
    """One stream being parsed: an input (or one test case of it) and the values in scope."""

    stream: int
    lines: tuple[tuple[str, ...], ...]
    pos: int
    env: tuple[tuple[int, int], ...]  # (slot id, value), most recent last

    @property
    def done(self) -> bool:
        return self.pos >= len(self.lines)

    @property
    def line(self) -> tuple[str, ...]:
        return self.lines[self.pos]

    def value(self, slot: int) -> int | None:
        for s, v in reversed(self.env):
            if s == slot:
                return v
        return None


class _Slots:
    """Slot ids handed out during the search; observations are recorded after it."""

    def __init__(self) -> None:
        self.next = 0
        self.kinds: dict[int, str] = {}
        self.scalar: dict[int, bool] = {}

    def new(self, kind: str, scalar: bool) -> int:
        self.next += 1
        self.kinds[self.next] = kind
        self.scalar[self.next] = scalar
        return self.next


def tokenise(text: str) -> tuple[tuple[str, ...], ...]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return tuple(tuple(line.split()) for line in lines)


def infer_layout(inputs: Sequence[str], *, steps: int = SEARCH_STEPS,
                 budget_s: float = SEARCH_BUDGET_S) -> Layout | None:
    """The preferred layout that explains every input; failing that, the one explaining the
    largest input and as many others as possible; None when nothing fits."""
    streams = [tokenise(t) for t in inputs if len(t) <= MAX_INPUT_CHARS]
    streams = [s for s in streams if 0 < len(s) <= MAX_LINES]
    if not streams:
        return None
    budget = _Budget(steps, budget_s)
    found = _search(streams, budget)
    if found is not None:
        return found
    # Some public input does not fit the others' shape: explain the largest one alone, then
    # keep as many others as it can parse.
    order = sorted(range(len(streams)), key=lambda k: -sum(len(line) for line in streams[k]))
    for k in order:
        alone = _search([streams[k]], _Budget(steps // 4, budget_s / 4))
        if alone is not None:
            parsed = [s for s in streams if s is streams[k] or match(alone, s) is not None]
            again = _search(parsed, _Budget(steps // 4, budget_s / 4)) if len(parsed) > 1 else None
            return again or alone
    return None


def _search(streams: list[tuple[tuple[str, ...], ...]], budget: _Budget, alternatives: int = 8) -> Layout | None:
    """The simplest (fewest items) of the first ``alternatives`` layouts that explain every
    stream: a coincidence in small examples can make a contrived layout parse too."""
    slots = _Slots()
    cursors = [Cursor(k, s, 0, ()) for k, s in enumerate(streams)]
    best: Layout | None = None
    found = 0
    steps0 = budget.steps
    try:
        for items, _ in _seq(cursors, slots, budget, body=False):
            layout = Layout(items, {}, len(streams))
            for sid, kind in slots.kinds.items():
                layout.slots[sid] = Slot(sid, kind, scalar=slots.scalar[sid])
            if not _observe(layout, streams):
                continue
            if best is None or _size(layout.items) < _size(best.items):
                best = layout
            found += 1
            if found == 1:
                # Look for simpler alternatives for about as long again as the first took.
                budget.steps = min(budget.steps, steps0 - budget.steps + 500)
            if found >= alternatives:
                break
    except (_OutOfBudget, RecursionError):
        pass
    if best is not None:
        _renumber(best)
    return best


def _renumber(layout: Layout) -> None:
    """Slots numbered 1, 2, ... in the order they appear; unused ones dropped."""
    order: list[int] = []
    for sid in _slot_ids(layout.items):
        if sid not in order:
            order.append(sid)
    new = {old: k + 1 for k, old in enumerate(order)}

    def ref(r: Ref | int | None) -> Ref | int | None:
        return Ref(new[r.slot], r.mul, r.add) if isinstance(r, Ref) else r

    def items(its: list[Item]) -> None:
        for it in its:
            if isinstance(it, Repeat):
                it.count = ref(it.count)  # type: ignore[assignment]
                items(it.body)
            elif isinstance(it, Row):
                for seg in it.segments:
                    seg.slot = new[seg.slot]
                    if isinstance(seg, (Vector, Word)):
                        seg.length = ref(seg.length)  # type: ignore[assignment]

    items(layout.items)
    slots = {}
    for old, sid in new.items():
        slot = layout.slots[old]
        slot.id = sid
        slots[sid] = slot
    layout.slots = slots


def _size(items: list[Item]) -> int:
    return sum(1 + (_size(it.body) if isinstance(it, Repeat) else 0) for it in items)


def _slot_ids(items: list[Item]) -> Iterator[int]:
    for it in items:
        if isinstance(it, Repeat):
            yield it.count.slot
            yield from _slot_ids(it.body)
        elif isinstance(it, Row):
            for seg in it.segments:
                yield seg.slot


def _seq(cursors: list[Cursor], slots: _Slots, budget: _Budget, body: bool,
         depth: int = 0, banned: frozenset[int] = frozenset(),
         limit: int | None = None) -> Iterator[tuple[list[Item], list[Cursor]]]:
    """Complete parses of the rest of every cursor: to the end of every stream (top level),
    or, for a repeated body, bodies of exactly ``limit`` items (the caller checks that the
    next iterations parse with them). ``banned``: counts of the enclosing repetitions,
    which their bodies never reuse."""
    budget.spend()
    if depth > 40:
        return
    if body:
        if limit == 0:
            yield [], cursors
            return
        if all(c.done for c in cursors):
            return
    elif all(c.done for c in cursors):
        yield [], cursors
        return
    for item, after in _choices(cursors, slots, budget, depth, banned):
        for rest, end in _seq(after, slots, budget, body, depth + 1, banned,
                              None if limit is None else limit - 1):
            yield [item] + rest, end


def _varied(counts: list[int]) -> bool:
    """Counts that a single line could not explain: one above 1, or different per stream."""
    return max(counts) >= 2 or len(set(counts)) > 1


def _choices(cursors: list[Cursor], slots: _Slots, budget: _Budget, depth: int,
             banned: frozenset[int]) -> Iterator[tuple[Item, list[Cursor]]]:
    refs = _refs(cursors, banned)
    if any(c.done for c in cursors):
        # Streams already at their end take only a block that is empty for them.
        yield from _blocks(cursors, refs, slots, banned)
        return
    lines = [c.line for c in cursors]
    # t test cases: a count alone on the input's first line, then t bodies (never inside
    # another repeated body: test cases do not nest, and the search would explode).
    first = all(c.pos == 1 for c in cursors) and not banned
    if first:
        yield from _cases(cursors, refs, slots, budget, depth, banned, whole=True)
    if all(not line for line in lines):
        yield Blank(), [_advance(c, 1) for c in cursors]
        return
    if any(not line for line in lines):
        return
    yield from _blocks(cursors, refs, slots, banned)
    # A line whose length a count announces: a vector or a string.
    for ref in refs:
        counts = [ref.count(c.value(ref.slot)) for c in cursors]  # type: ignore[arg-type]
        if min(counts) < 0 or not _varied(counts):
            continue
        if all(len(line) == n for line, n in zip(lines, counts)):
            kind = _column_kind([tok for line in lines for tok in line])
            if kind is not None:
                sid = slots.new(kind, scalar=False)
                yield Row([Vector(sid, ref)]), [_advance(c, 1) for c in cursors]
        if all(len(line) == 1 and kind_of(line[0]) == "word" and len(line[0]) == n
               for line, n in zip(lines, counts)):
            sid = slots.new("word", scalar=False)
            yield Row([Word(sid, ref)]), [_advance(c, 1) for c in cursors]
    if not first and not banned:
        yield from _cases(cursors, refs, slots, budget, depth, banned)
    # A line of its own values.
    for row in _header_row(lines, slots):
        yield row, [_advance(c, 1, _bind(row, c.line)) for c in cursors]


def _blocks(cursors: list[Cursor], refs: list[Ref], slots: _Slots,
            banned: frozenset[int]) -> Iterator[tuple[Item, list[Cursor]]]:
    """A block of lines whose number a count announces."""
    for ref in refs:
        counts = [ref.count(c.value(ref.slot)) for c in cursors]  # type: ignore[arg-type]
        if min(counts) < 0 or not _varied(counts) or any(c.pos + n > len(c.lines) for c, n in zip(cursors, counts)):
            continue
        block = [c.lines[c.pos:c.pos + n] for c, n in zip(cursors, counts)]
        if all(all(line for line in b) for b in block):
            row = _row_shape([line for b in block for line in b], [(c, b) for c, b in zip(cursors, block)],
                             slots, banned)
            if row is not None:
                yield Repeat(ref, [row]), [_advance(c, n) for c, n in zip(cursors, counts)]


def _cases(cursors: list[Cursor], refs: list[Ref], slots: _Slots, budget: _Budget, depth: int,
           banned: frozenset[int], whole: bool = False) -> Iterator[tuple[Item, list[Cursor]]]:
    """Repeated bodies of several lines (test cases), for a count alone on its line. With
    ``whole``, the cases must take up the rest of every input (as t test cases do)."""
    for ref in refs:
        if ref.mul != 1 or ref.add != 0 or not _alone(cursors, ref.slot):
            continue
        counts = [c.value(ref.slot) for c in cursors]
        if min(counts) < 1 or any(n > len(c.lines) for c, n in zip(cursors, counts)):  # type: ignore[operator]
            continue
        for item, after in _repeated_body(cursors, ref, counts, slots, budget, depth, banned):  # type: ignore[arg-type]
            if not whole or all(c.done for c in after):
                yield item, after


def _repeated_body(cursors: list[Cursor], ref: Ref, counts: list[int], slots: _Slots, budget: _Budget,
                   depth: int, banned: frozenset[int]) -> Iterator[tuple[Item, list[Cursor]]]:
    inner = banned | {ref.slot}
    # Shorter bodies first: a wrong early choice then costs little.
    bodies = (b for limit in range(1, MAX_BODY + 1)
              for b in _seq(cursors, slots, budget, body=True, depth=depth + 1, banned=inner, limit=limit))
    for body, ends in bodies:
        if all(isinstance(it, Blank) for it in body):
            continue
        # The remaining iterations must parse with this body exactly.
        after = []
        for c, end, n in zip(cursors, ends, counts):
            cur: Cursor | None = Cursor(c.stream, c.lines, end.pos, c.env)
            for _ in range(n - 1):
                budget.spend()
                cur = _match_items(body, cur)  # type: ignore[arg-type]
                if cur is None:
                    break
                cur = Cursor(c.stream, c.lines, cur.pos, c.env)
            if cur is None:
                break
            after.append(Cursor(c.stream, c.lines, cur.pos, c.env))
        if len(after) == len(cursors):
            yield Repeat(ref, body), after


def _alone(cursors: list[Cursor], slot: int) -> bool:
    """Whether the count was the only token of the line just before."""
    for c in cursors:
        if c.pos == 0 or len(c.lines[c.pos - 1]) != 1 or not c.env or c.env[-1][0] != slot:
            return False
    return True


def _refs(cursors: list[Cursor], banned: frozenset[int] = frozenset()) -> list[Ref]:
    """Counts in scope: the plain value of every scalar first (most recent first), then
    the transforms (``n - 1``, ``n + 1``, ``2k - 1``, ...)."""
    slots: list[int] = []
    for sid, _ in reversed(cursors[0].env):
        if sid in slots or sid in banned:
            continue
        values = [c.value(sid) for c in cursors]
        if all(v is not None and v >= 0 for v in values):
            slots.append(sid)
    return [Ref(sid, mul, add) for mul, add in TRANSFORMS for sid in slots]


def _advance(c: Cursor, n: int, env: tuple[tuple[int, int], ...] = ()) -> Cursor:
    return Cursor(c.stream, c.lines, c.pos + n, c.env + env)


def _column_kind(tokens: Sequence[str]) -> str | None:
    kind: str | None = None
    for tok in tokens:
        kind = _join_kinds(kind, kind_of(tok))
    return kind


def _header_row(lines: list[tuple[str, ...]], slots: _Slots) -> Iterator[Row]:
    """A line of values: separate scalars, or a count followed by that many values."""
    widths = {len(line) for line in lines}
    prefixed = all(kind_of(line[0]) == "int" and int(line[0]) == len(line) - 1 for line in lines) and \
        max(widths) >= 2
    if prefixed and len(widths) > 1:
        yield _prefixed(lines, slots)
    if len(widths) != 1:
        return
    width = next(iter(widths))
    if width > WIDE:
        kind = _column_kind([tok for line in lines for tok in line])
        yield Row([Vector(slots.new(kind or "word", scalar=False), width)])
        return
    segs: list[Segment] = []
    for j in range(width):
        kind = _column_kind([line[j] for line in lines])
        sid = slots.new(kind or "word", scalar=True)
        segs.append(Word(sid, None) if kind == "word" else Scalar(sid))
    yield Row(segs)
    if prefixed and width >= 3:
        yield _prefixed(lines, slots)


def _prefixed(lines: list[tuple[str, ...]], slots: _Slots) -> Row:
    k = slots.new("int", scalar=True)
    kind = _column_kind([tok for line in lines for tok in line[1:]]) or "int"
    return Row([Scalar(k), Vector(slots.new(kind, scalar=False), Ref(k))])


def _bind(row: Row, line: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    out = []
    for j, seg in enumerate(row.segments):
        if isinstance(seg, Scalar) and j < len(line) and kind_of(line[j]) == "int":
            v = int(line[j])
            if abs(v) <= 10**7:
                out.append((seg.slot, v))
    return tuple(out)


def _row_shape(lines: list[tuple[str, ...]], blocks: list[tuple[Cursor, tuple]], slots: _Slots,
               banned: frozenset[int] = frozenset()) -> Row | None:
    """The one shape every line of a block has."""
    widths = {len(line) for line in lines}
    if all(kind_of(line[0]) == "int" and int(line[0]) == len(line) - 1 for line in lines) and \
            (len(widths) > 1 or max(widths) >= 3):
        k = slots.new("int", scalar=True)
        kind = _column_kind([tok for line in lines for tok in line[1:]]) or "int"
        return Row([Scalar(k), Vector(slots.new(kind, scalar=False), Ref(k))])
    if len(widths) == 1 and widths == {1} and all(kind_of(line[0]) == "word" for line in lines):
        # strings of one length per input, announced by a count: a grid's rows
        for ref in _refs([c for c, _ in blocks], banned):
            if all(len(line[0]) == ref.count(cur.value(ref.slot)) for cur, b in blocks for line in b):  # type: ignore[arg-type]
                return Row([Word(slots.new("word", scalar=False), ref)])
        return Row([Word(slots.new("word", scalar=False), None)])
    # rows as long as a count in scope: a matrix
    cursors = [c for c, _ in blocks]
    for ref in _refs(cursors, banned):
        if all(len(line) == ref.count(cur.value(ref.slot)) for cur, b in blocks for line in b) and \
                max(widths) >= 2 and (len(widths) > 1 or max(widths) > 4):
            kind = _column_kind([tok for line in lines for tok in line])
            return Row([Vector(slots.new(kind or "word", scalar=False), ref)])
    if len(widths) != 1:
        return None
    width = widths.pop()
    if width > WIDE:
        kind = _column_kind([tok for line in lines for tok in line])
        return Row([Vector(slots.new(kind or "word", scalar=False), width)])
    segs: list[Segment] = []
    for j in range(width):
        kind = _column_kind([line[j] for line in lines])
        sid = slots.new(kind or "word", scalar=False)
        segs.append(Word(sid, None) if kind == "word" else Scalar(sid))
    return Row(segs)


# -- matching a known layout -------------------------------------------------------------------


def _match_items(items: list[Item], c: Cursor, record: dict | None = None) -> Cursor | None:
    for it in items:
        if c.done:
            if isinstance(it, Repeat) and c.value(it.count.slot) is not None and \
                    it.count.count(c.value(it.count.slot)) == 0:  # type: ignore[arg-type]
                continue
            return None
        if isinstance(it, Blank):
            if c.line:
                return None
            c = _advance(c, 1)
        elif isinstance(it, Row):
            r = _match_row(it, c, record)
            if r is None:
                return None
            c = r
        else:
            v = c.value(it.count.slot)
            if v is None:
                return None
            n = it.count.count(v)
            if n < 0:
                return None
            for _ in range(n):
                inner = Cursor(c.stream, c.lines, c.pos, c.env)
                inner = _match_items(it.body, inner, record)  # type: ignore[assignment]
                if inner is None:
                    return None
                c = Cursor(c.stream, c.lines, inner.pos, c.env)
    return c


def _match_row(row: Row, c: Cursor, record: dict | None) -> Cursor | None:
    line = c.line
    j = 0
    env: list[tuple[int, int]] = []
    cur = c
    for seg in row.segments:
        if isinstance(seg, Scalar):
            if j >= len(line):
                return None
            tok = line[j]
            j += 1
            if record is not None:
                record.setdefault(seg.slot, []).append((c.stream, tok))
            if kind_of(tok) == "int" and abs(int(tok)) <= 10**7:
                env.append((seg.slot, int(tok)))
                cur = _advance(c, 0, tuple(env))
        elif isinstance(seg, Vector):
            if isinstance(seg.length, Ref):
                v = cur.value(seg.length.slot)
                if v is None:
                    return None
                n = seg.length.count(v)
            else:
                n = seg.length
            if n < 0 or j + n > len(line):
                return None
            if record is not None:
                record.setdefault(seg.slot, []).append((c.stream, line[j:j + n]))
            j += n
        else:
            if j >= len(line):
                return None
            tok = line[j]
            if seg.length is not None:
                v = cur.value(seg.length.slot)
                if v is None or len(tok) != seg.length.count(v):
                    return None
            if record is not None:
                record.setdefault(seg.slot, []).append((c.stream, tok))
            j += 1
    if j != len(line):
        return None
    return Cursor(c.stream, c.lines, c.pos + 1, c.env + tuple(env))


def match(layout: Layout, lines: tuple[tuple[str, ...], ...], stream: int = 0,
          record: dict | None = None) -> Cursor | None:
    """Parse one tokenised input with ``layout``; the final cursor, or None if it does not fit."""
    end = _match_items(layout.items, Cursor(stream, lines, 0, ()), record)
    if end is None or not end.done:
        return None
    return end


def _observe(layout: Layout, streams: list[tuple[tuple[str, ...], ...]]) -> bool:
    """Record every slot's values across the inputs; False if some input does not parse."""
    record: dict[int, list] = {}
    for k, s in enumerate(streams):
        if match(layout, s, k, record) is None:
            return False
    for sid, seen in record.items():
        slot = layout.slots[sid]
        for stream, v in seen:
            if isinstance(v, tuple):
                slot.seen.extend((stream, tok) for tok in v)
                slot.seen.append((stream, "\0"))  # end of one vector
            else:
                slot.seen.append((stream, v))
    return True


def vectors(slot: Slot) -> list[tuple[int, list[str]]]:
    """The vectors a vector slot saw, one per occurrence, as (stream, tokens)."""
    out: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    for stream, v in slot.seen:
        if v == "\0":
            out.append((stream, cur))
            cur = []
        else:
            cur.append(v)
    return out


def plain_values(slot: Slot) -> list[str]:
    return [v for _, v in slot.seen if v != "\0"]
