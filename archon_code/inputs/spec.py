"""A layout's slots tied to the statement's variables, and what each slot may hold.

The layout (archon_code.inputs.layout) knows where values go; the statement
(archon_code.inputs.statement) knows names and bounds. Slots and names are paired in order
of appearance, a name taken only when what the public inputs hold at that slot satisfies its
bounds. What the statement does not say is read off the public inputs instead: the range of
values seen, the characters of strings, sorted or distinct arrays, permutations, parent
arrays (``p_i < i``), the order of two columns (``l r`` with ``l <= r``), graphs given as
edge lists (vertex columns bounded by a count in scope).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from archon_code.inputs.expr import Expr, Num, Op, Var, evaluate
from archon_code.inputs.layout import Layout, Ref, Repeat, Row, Scalar, Slot, Vector, Word, plain_values, vectors
from archon_code.inputs.statement import Bounds, Statement

WINDOW = 4  # how far ahead in the statement's names a slot may look for its own


@dataclass
class SlotSpec:
    slot: Slot
    name: str | None = None
    bounds: Bounds | None = None
    lo: float | None = None  # what the public inputs hold
    hi: float | None = None
    decimals: int = 0
    alphabet: str = ""
    markers: str = ""  # characters found exactly once in each public input (a grid's S, E)
    length: Bounds | None = None  # strings: their length
    len_lo: int = 1
    len_hi: int = 1
    count: bool = False  # some Ref reads it
    cases: bool = False  # it counts test cases
    permutation: bool = False
    zero_based: bool = False
    distinct: bool = False
    sorted: str | None = None  # "le" or "lt" across a vector
    parent: bool = False  # element k holds a value in [1, k + 1]
    order_next: str | None = None  # "le" / "lt" / "ne" with the column to its right
    vertex_of: int | None = None  # slot id of the vertex count bounding it
    # The number of vertices of a graph or the length of a string, printed but not read as a
    # count by the layout: drawn like a count (small in small inputs, at the top at the
    # maximum size), never shortened like a value.
    size: bool = False


@dataclass
class Spec:
    layout: Layout
    statement: Statement
    slots: dict[int, SlotSpec] = field(default_factory=dict)
    graphs: dict[int, dict] = field(default_factory=dict)  # id(Repeat) -> graph options

    def describe(self) -> dict:
        return {
            "layout": self.layout.describe(),
            "bound": {s.name: f"#{sid}" for sid, s in self.slots.items() if s.name},
            "graphs": len(self.graphs),
        }


def _names(st: Statement) -> list[str]:
    return [n for n in st.order if n not in ("i", "j")]


def build_spec(layout: Layout, st: Statement) -> Spec:
    spec = Spec(layout, st)
    order = _slot_order(layout)
    for sid in order:
        spec.slots[sid] = _observe(layout.slots[sid])
    _mark_counts(layout, spec)
    _bind(spec, order)
    _strings(spec)
    _vectors(spec)
    _columns(spec)
    _graphs(spec)
    _mark_sizes(spec)
    return spec


def _mark_sizes(spec: Spec) -> None:
    names: set[str] = set()
    for g in spec.graphs.values():
        names |= g["n"].names()
    for s in spec.slots.values():
        if s.length is not None:
            names |= s.length.names()
    for sid, s in spec.slots.items():
        if s.slot.kind == "int" and s.slot.scalar and not s.count and (
                f"#{sid}" in names or (s.name is not None and s.name in names)):
            s.size = True


def _slot_order(layout: Layout) -> list[int]:
    out: list[int] = []
    for it, _ in layout.walk():
        if isinstance(it, Row):
            for seg in it.segments:
                if seg.slot not in out:
                    out.append(seg.slot)
    return out


def _observe(slot: Slot) -> SlotSpec:
    s = SlotSpec(slot)
    vals = plain_values(slot)
    if slot.kind in ("int", "float"):
        nums = []
        for v in vals:
            try:
                nums.append(int(v) if slot.kind == "int" else float(v))
            except ValueError:
                continue
            if slot.kind == "float" and "." in v:
                s.decimals = max(s.decimals, len(v.split(".")[1].rstrip()))
        if nums:
            s.lo, s.hi = min(nums), max(nums)
        if slot.kind == "float":
            s.decimals = min(max(s.decimals, 1), 9)
    else:
        s.alphabet = "".join(sorted({ch for v in vals for ch in v}))
        if vals:
            s.len_lo, s.len_hi = min(len(v) for v in vals), max(len(v) for v in vals)
        per_stream: dict[int, Counter] = {}
        for stream, v in slot.seen:
            per_stream.setdefault(stream, Counter()).update(v)
        if len(per_stream) >= 2:  # one input alone cannot tell a marker from chance
            once = set.intersection(*({ch for ch, n in c.items() if n == 1} for c in per_stream.values()))
            if len(once) <= 3 and set(s.alphabet) - once:
                s.markers = "".join(sorted(once))
    return s


def _mark_counts(layout: Layout, spec: Spec) -> None:
    for it, _ in layout.walk():
        if isinstance(it, Repeat):
            spec.slots[it.count.slot].count = True
            if len(it.body) > 1 or any(isinstance(b, Repeat) for b in it.body):
                spec.slots[it.count.slot].cases = True
        elif isinstance(it, Row):
            for seg in it.segments:
                length = getattr(seg, "length", None)
                if isinstance(length, Ref):
                    spec.slots[length.slot].count = True


def _bind(spec: Spec, order: list[int]) -> None:
    """Pair slots with the statement's names, in order, each name once."""
    st = spec.statement
    names = _names(st)
    p = 0
    for sid in order:
        s = spec.slots[sid]
        for k in range(p, min(p + WINDOW, len(names))):
            name = names[k]
            if _fits(s, name, st):
                s.name = name.strip("|")
                if name.startswith("|") and s.slot.kind != "word":
                    # |a_i| <= 10^9; but where no public value is negative, |a| may as well be
                    # the length of a string of digits: keep to what is surely allowed
                    s.bounds = _absolute(st.lengths[s.name], signed=s.lo is not None and s.lo < 0)
                elif name.startswith("|"):
                    s.length = st.lengths.get(s.name)
                else:
                    s.bounds = _consistent(st.bounds.get(name), s)
                p = k + 1
                break
    # Strings with no name of their own take the statement's "length ..." phrases in order.
    free = list(st.free_lengths)
    for sid in order:
        s = spec.slots[sid]
        if s.slot.kind == "word" and s.length is None and not _word_ref(spec.layout, sid) and free:
            s.length = free.pop(0)


def _fits(s: SlotSpec, name: str, st: Statement) -> bool:
    if name.startswith("|"):
        b = st.lengths.get(name.strip("|"))
        if s.slot.kind != "word":
            # |a_i| <= 10^9 of a number: its absolute value
            nums = [abs(x) for x in (_num(v, s.slot.kind) for v in plain_values(s.slot)) if x is not None]
            return b is not None and bool(b.upper) and _numeric_fit(b, nums)
        vals = [len(v) for v in plain_values(s.slot)]
        return b is None or _numeric_fit(b, vals)
    if s.slot.kind == "word":
        return False
    b = st.bounds.get(name)
    if b is None:
        return False
    nums = [x for x in (_num(v, s.slot.kind) for v in plain_values(s.slot)) if x is not None]
    return _numeric_fit(b, nums)


def _absolute(b: Bounds, signed: bool) -> Bounds:
    """Bounds on a value from bounds on its absolute value (``signed``: negative values too)."""
    out = Bounds(upper=list(b.upper))
    out.lower = [(Op("neg", (e,)), strict) for e, strict in b.upper] if signed else [(Num(0), False)]
    return out


def _num(v: str, kind: str) -> float | None:
    try:
        return int(v) if kind == "int" else float(v)
    except ValueError:
        return None


def _numeric_fit(b: Bounds, vals: list[float]) -> bool:
    """Observed values within the bounds that need no other variable."""
    lo = b.low({}, integer=False)
    hi = b.high({}, integer=False)
    return all((lo is None or v >= lo - 1e-9) and (hi is None or v <= hi + 1e-9) for v in vals)


def _consistent(b: Bounds | None, s: SlotSpec) -> Bounds | None:
    """Only the bound expressions the public inputs do not contradict (a statement's lost
    superscript can turn 2^30 into 230)."""
    if b is None:
        return None
    nums = [x for x in (_num(v, s.slot.kind) for v in plain_values(s.slot)) if x is not None]
    out = Bounds()
    for e, strict in b.lower:
        v = evaluate(e, {})
        if v is None or all(x > v or (not strict and x == v) for x in nums):
            out.lower.append((e, strict))
    for e, strict in b.upper:
        v = evaluate(e, {})
        if v is None or all(x < v or (not strict and x == v) for x in nums):
            out.upper.append((e, strict))
    return out


def _word_ref(layout: Layout, sid: int) -> bool:
    for it, _ in layout.walk():
        if isinstance(it, Row):
            for seg in it.segments:
                if isinstance(seg, Word) and seg.slot == sid and seg.length is not None:
                    return True
    return False


def _strings(spec: Spec) -> None:
    for s in spec.slots.values():
        if s.slot.kind != "word":
            continue
        seen = set(s.alphabet)
        for alpha in spec.statement.alphabets:
            if seen <= set(alpha):
                s.alphabet = alpha
                break
        if s.length is not None:
            lo = s.length.low({})
            hi = s.length.high({})
            if lo is not None and lo <= s.len_lo:
                s.len_lo = int(lo)
            if hi is not None and hi >= s.len_hi:
                s.len_hi = int(hi)


def _vectors(spec: Spec) -> None:
    st = spec.statement
    for it, _ in spec.layout.walk():
        if not isinstance(it, Row):
            continue
        for seg in it.segments:
            if not isinstance(seg, Vector) or spec.slots[seg.slot].slot.kind != "int":
                continue
            s = spec.slots[seg.slot]
            vecs = [[int(x) for x in v] for _, v in vectors(s.slot) if all(_num(x, "int") is not None for x in v)]
            long = [v for v in vecs if len(v) >= 3]
            if not long:
                continue
            named = s.name is not None and (s.name in st.distinct or f"{s.name}_i" in st.distinct)
            perm1 = all(sorted(v) == list(range(1, len(v) + 1)) for v in vecs)
            perm0 = all(sorted(v) == list(range(len(v))) for v in vecs)
            if (perm1 or perm0) and (st.permutation or named):
                s.permutation, s.zero_based = True, perm0 and not perm1
                continue
            if named and all(len(set(v)) == len(v) for v in vecs):
                s.distinct = True
            if all(all(v[k] <= v[k + 1] for k in range(len(v) - 1)) for v in vecs):
                s.sorted = "lt" if all(len(set(v)) == len(v) for v in vecs) else "le"
            if st.tree and all(1 <= v[k] <= k + 1 for v in vecs for k in range(len(v))):
                s.parent = True


def _columns(spec: Spec) -> None:
    """Order between neighbouring columns of a repeated row (``l r`` with ``l <= r``)."""
    st = spec.statement
    rel = {(a, b): op for a, op, b in st.relations}
    for it, _ in spec.layout.walk():
        if not isinstance(it, Repeat) or len(it.body) != 1 or not isinstance(it.body[0], Row):
            continue
        segs = [seg for seg in it.body[0].segments if isinstance(seg, Scalar)]
        for a, b in zip(segs, segs[1:]):
            sa, sb = spec.slots[a.slot], spec.slots[b.slot]
            if sa.slot.kind != "int" or sb.slot.kind != "int":
                continue
            named = rel.get((sa.name, sb.name)) if sa.name and sb.name else None
            if named in ("<", "<="):
                sa.order_next = "lt" if named == "<" else "le"
                continue
            pairs = list(zip(plain_values(sa.slot), plain_values(sb.slot)))
            nums = [(int(x), int(y)) for x, y in pairs if _num(x, "int") is not None and _num(y, "int") is not None]
            if len(nums) >= 3 and all(x <= y for x, y in nums):
                sa.order_next = "lt" if all(x < y for x, y in nums) else "le"
            elif named == "!=" or (len(nums) >= 3 and all(x != y for x, y in nums)):
                sa.order_next = "ne"


def _graphs(spec: Spec) -> None:
    """Edge lists: a block whose first two columns are vertices, bounded by a count in scope."""
    st = spec.statement
    scalars = {s.name: sid for sid, s in spec.slots.items() if s.name and s.slot.scalar}
    for it, _ in spec.layout.walk():
        if not isinstance(it, Repeat) or len(it.body) != 1 or not isinstance(it.body[0], Row):
            continue
        segs = it.body[0].segments
        if len(segs) < 2 or not all(isinstance(x, Scalar) for x in segs[:2]):
            continue
        a, b = spec.slots[segs[0].slot], spec.slots[segs[1].slot]
        if a.slot.kind != "int" or b.slot.kind != "int":
            continue
        inside = {seg.slot for seg in segs}
        outside = {name: sid for name, sid in scalars.items() if sid not in inside}  # counts in scope
        owner = _vertex_bound(a, outside) or _vertex_bound(b, outside)
        if owner is not None and not _vertices_fit(spec, owner[0], owner[1], a, b):
            owner = None
        if owner is None:
            found = _observed_vertex_bound(spec, it, a, b)
            if found is not None:
                owner = (Var(f"#{found[0]}"), found[1])
        if owner is None:
            continue
        n_expr, base = owner
        a.vertex_of = b.vertex_of = 1
        pairs = [(int(x), int(y)) for x, y in zip(plain_values(a.slot), plain_values(b.slot))]
        spec.graphs[id(it)] = {
            "n": n_expr,
            "base": base,
            "tree": st.tree,
            "connected": st.connected or st.tree,
            "acyclic": st.acyclic,
            "ordered": a.order_next in ("lt",),
            "loops": any(x == y for x, y in pairs),
            "rooted": _rooted(it, a, b, base),
        }


def _vertex_bound(s: SlotSpec, scalars: dict[str, int]) -> tuple[Expr, int] | None:
    """``1 <= u <= n`` (or ``0 <= u < n``, ``1 <= a_i <= 2k``): the number of vertices as an
    expression over counts in scope, and the first vertex's label."""
    if s.bounds is None:
        return None
    base = 0 if (s.lo is not None and s.lo == 0) else 1
    for lo_e, _ in s.bounds.lower:
        if isinstance(lo_e, Num) and lo_e.value in (0, 1):
            base = int(lo_e.value)
    for e, strict in s.bounds.upper:
        names = e.names()
        if names and names <= scalars.keys():
            # labels base .. base + n - 1
            if strict:
                return (e if base == 0 else Op("-", (e, Num(1)))), base
            return (e if base == 1 else Op("+", (e, Num(1)))), base
    return None


def _vertices_fit(spec: Spec, n_expr: Expr, base: int, a: SlotSpec, b: SlotSpec) -> bool:
    """Whether every public input's vertices lie in ``base .. base + n - 1`` (where ``n`` can
    be evaluated from the input's header values)."""
    env: dict[int, dict[str, float]] = {}
    for s in spec.slots.values():
        if s.name and s.slot.scalar and s.slot.kind == "int":
            per: dict[int, list[int]] = {}
            for stream, v in s.slot.seen:
                x = _num(v, "int")
                if x is not None:
                    per.setdefault(stream, []).append(int(x))
            for stream, vals in per.items():
                if len(vals) == 1:
                    env.setdefault(stream, {})[s.name] = vals[0]
    for stream, v in a.slot.seen + b.slot.seen:
        x = _num(v, "int")
        n = evaluate(n_expr, env.get(stream, {}))
        if x is None or n is None:
            continue
        if not base <= x <= base + n - 1:
            return False
    return True


def _observed_vertex_bound(spec: Spec, block: Repeat, a: SlotSpec, b: SlotSpec) -> tuple[int, int] | None:
    """Without a statement bound: the count whose value bounds both columns in every input,
    when both columns range from 1 (or 0) upwards."""
    if a.lo is None or b.lo is None or min(a.lo, b.lo) not in (0, 1):
        return None
    base = int(min(a.lo, b.lo))
    per_stream: dict[int, int] = {}
    for stream, v in a.slot.seen + b.slot.seen:
        n = _num(v, "int")
        if n is not None:
            per_stream[stream] = max(per_stream.get(stream, 0), int(n))
    best = None
    for sid, s in spec.slots.items():
        if not s.slot.scalar or s.slot.kind != "int" or sid == block.count.slot and block.count.add >= 0:
            continue
        vals: dict[int, list[int]] = {}
        for stream, v in s.slot.seen:
            n = _num(v, "int")
            if n is not None:
                vals.setdefault(stream, []).append(int(n))
        if all(stream in vals and len(vals[stream]) == 1 and per_stream[stream] <= vals[stream][0] - (1 - base)
               for stream in per_stream):
            if best is None or sum(vals[k][0] for k in per_stream) < best[1]:
                best = (sid, sum(vals[k][0] for k in per_stream))
    return None if best is None else (best[0], base)


def _rooted(block: Repeat, a: SlotSpec, b: SlotSpec, base: int) -> bool:
    """Whether every public tree lists each edge parent first, from root ``base``."""
    us = [(s, int(v)) for s, v in a.slot.seen if _num(v, "int") is not None]
    vs = [(s, int(v)) for s, v in b.slot.seen if _num(v, "int") is not None]
    if len(us) != len(vs) or len(us) < 2:
        return False
    by_stream: dict[int, list[tuple[int, int]]] = {}
    for (s, u), (_, v) in zip(us, vs):
        by_stream.setdefault(s, []).append((u, v))
    for edges in by_stream.values():
        children = [v for _, v in edges]  # each vertex but the root has one parent
        if len(set(children)) != len(children) or base in children:
            return False
    return True

