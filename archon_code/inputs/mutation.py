"""Input mutation: new test inputs from the public ones, by guarded single-token edits.

It works the way CodeContests' own generated tests were made: each public input is
split into lines of whitespace-separated tokens, and every new input differs from a public
one by a seeded edit of one token (``max_edits`` allows a few) — flip a bit of a 0/1 token,
add or subtract 1 from an integer, swap or change characters of a string. The line and token
structure never changes, and guards keep the result plausible:

* an integer that counts what follows (the tokens after it on its line, the tokens of the
  next line, the length of the next line's only token, or a run of same-shaped lines after
  it) is never touched, so ``n`` still matches the ``n`` values that follow;
* an integer stays at or above the smallest value seen at its position across the public
  inputs (1-based indices stay 1-based, sizes stay positive);
* where every public line of that shape keeps a column at most (or below) its right-hand
  neighbour (``l r`` pairs, sorted arrays), the mutated value keeps that order;
* a string character only changes into a character seen at that position in the public
  inputs (a ``#.`` grid stays a ``#.`` grid).

Everything here is a plain function of its arguments and a seed, bounded in input size and
time.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

MAX_INPUT_CHARS = 100_000  # larger public inputs are not mutated (each copy costs its size)
MUTATION_BUDGET_S = 5.0
WIDE_LINE = 4  # lines with more tokens are arrays, whose tokens share one position

_INT = re.compile(r"[+-]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_BITS = re.compile(r"[01]+")

Lines = list[list[str]]
Position = tuple


def tokenise(text: str) -> Lines:
    """Lines of whitespace-separated tokens; trailing empty lines are dropped, inner ones kept."""
    lines = [line.split() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def render(lines: Lines) -> str:
    """The input text of ``lines``: single spaces, one newline after every line."""
    return "".join(" ".join(tokens) + "\n" for tokens in lines)


def is_int(token: str) -> bool:
    return _INT.fullmatch(token) is not None


def is_float(token: str) -> bool:
    return _FLOAT.fullmatch(token) is not None


@dataclass(frozen=True)
class Structure:
    """What an input's layout says: which integers count what follows, and which lines are
    arrays (their length announced by a count, or wider than ``WIDE_LINE``)."""

    counts: frozenset[tuple[int, int]]
    arrays: frozenset[int]


def structure(lines: Lines) -> Structure:
    """Find the counts and the arrays of one input.

    A count sits on a short line and matches what comes next: the tokens of the next line
    (``n`` then ``n`` values, or ``n - 1`` parents), the length of the next line's only
    token (``n`` then a string of length ``n``), a block of same-shaped lines starting after
    it (``m`` then ``m`` edges), or, in its first column, the tokens after it on its line
    (``k a1 .. ak``). A lone integer on the first line of a longer input counts test cases.
    A line inside a block of same-shaped lines is not the header of that block."""
    counts: set[tuple[int, int]] = set()
    arrays = {i for i, line in enumerate(lines) if len(line) > WIDE_LINE}
    blocks = _blocks(lines)  # (start, length) of maximal runs of same-shaped lines
    block_at = dict(blocks)
    # Per block: every line starts with the number of tokens after it (`k a1 .. ak`).
    prefixed_block = {start: all(lines[k] and lines[k][0] == str(len(lines[k]) - 1)
                                 for k in range(start, start + length)) for start, length in blocks}
    block_start = {k: start for start, length in blocks for k in range(start, start + length)}
    later: set[int] = set()  # lengths of the blocks starting after the current line
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        short = len(line) <= WIDE_LINE
        header = short and nxt is not None and (i == 0 or len(nxt) != len(line))
        next_block = block_at.get(i + 1)
        prefixed = prefixed_block[block_start[i]]
        for j, tok in enumerate(line):
            if not is_int(tok):
                continue
            v = int(tok)
            after = len(line) - j - 1
            announces_next = header and v in (len(nxt), len(nxt) + 1)  # type: ignore[arg-type]
            announces_block = header and next_block is not None and v in (next_block, next_block + 1)
            # `3` then three lines of three values: the count of a block, not an array's length.
            if announces_next and len(nxt) >= 2 and not (announces_block and next_block >= 2):  # type: ignore[arg-type, operator]
                arrays.add(i + 1)
            if (
                announces_next
                or (short and nxt is not None and len(nxt) == 1 and not is_int(nxt[0]) and v == len(nxt[0]))
                or announces_block
                or (short and v >= 2 and (v in later or v - 1 in later))
                or (j == 0 and after and prefixed)
                or (i == 0 and len(line) == 1 and len(lines) > 1)  # the number of test cases
            ):
                counts.add((i, j))
        if i in block_at:
            later.add(block_at[i])
    return Structure(frozenset(counts), frozenset(arrays))


def count_tokens(lines: Lines) -> set[tuple[int, int]]:
    """(line, column) of every integer that looks like a count of what follows it."""
    return set(structure(lines).counts)


def _blocks(lines: Lines) -> list[tuple[int, int]]:
    """Maximal runs of lines with equal token counts; the first line is a block of its own
    (a header shaped like the lines it announces, as in ``n m`` then ``m`` edges)."""
    if not lines:
        return []
    blocks = [(0, 1)]
    i = 1
    while i < len(lines):
        k = i
        while k + 1 < len(lines) and len(lines[k + 1]) == len(lines[i]):
            k += 1
        blocks.append((i, k - i + 1))
        i = k + 1
    return blocks


def positions(lines: Lines, shape: Structure | None = None) -> list[list[Position]]:
    """Where each token sits, as far as guards are concerned.

    The first line is a header whose every column means something different; the tokens of
    an array line all share one position; other lines are grouped by shape (token count)
    and column, so that ``u v w`` edges share a position per column."""
    arrays = (shape or structure(lines)).arrays
    out: list[list[Position]] = []
    for i, line in enumerate(lines):
        if i == 0:
            out.append([("head", j) for j in range(len(line))])
        elif i in arrays:
            out.append([("row",)] * len(line))
        else:
            out.append([("line", len(line), j) for j in range(len(line))])
    return out


@dataclass
class InputProfile:
    """What the public inputs say about each position."""

    minimum: dict[Position, int] = field(default_factory=dict)
    # position -> True while every observation was <= (or <) its integer right neighbour
    le_next: dict[Position, bool] = field(default_factory=dict)
    lt_next: dict[Position, bool] = field(default_factory=dict)
    alphabet: dict[Position, set[str]] = field(default_factory=dict)
    bits: set[Position] = field(default_factory=set)
    # Characters that occur once in a public input's strings (the `S` and `E` of a grid):
    # markers, which a change would duplicate or remove; they may move but never change.
    markers: set[str] = field(default_factory=set)


def profile_inputs(parsed: Iterable[Lines]) -> InputProfile:
    """Gather minimums, neighbour order, string alphabets and 0/1 positions."""
    prof = InputProfile()
    tokens_at: dict[Position, list[str]] = {}
    for lines in parsed:
        chars: dict[str, int] = {}
        for line in lines:
            for tok in line:
                if len(tok) >= 2 and not is_int(tok) and not is_float(tok):
                    for ch in tok:
                        chars[ch] = chars.get(ch, 0) + 1
        prof.markers.update(ch for ch, n in chars.items() if n == 1)
        for line, where in zip(lines, positions(lines)):
            for j, (tok, pos) in enumerate(zip(line, where)):
                tokens_at.setdefault(pos, []).append(tok)
                if is_int(tok):
                    v = int(tok)
                    prof.minimum[pos] = min(prof.minimum.get(pos, v), v)
                    if j + 1 < len(line) and is_int(line[j + 1]):
                        right = int(line[j + 1])
                        prof.le_next[pos] = prof.le_next.get(pos, True) and v <= right
                        prof.lt_next[pos] = prof.lt_next.get(pos, True) and v < right
                    elif j + 1 < len(line):
                        prof.le_next[pos] = prof.lt_next[pos] = False
                elif not is_float(tok):
                    prof.alphabet.setdefault(pos, set()).update(tok)
    for pos, toks in tokens_at.items():
        if _is_bits_position(toks):
            prof.bits.add(pos)
    return prof


def _is_bits_position(tokens: Sequence[str]) -> bool:
    """Whether the 0/1 tokens seen at a position are flags or binary strings rather than
    numbers: flags when all are single digits and both values occur, binary strings when
    one has a leading zero or is a long 0/1 string that is not a round number (10, 100)."""
    bits = [t for t in tokens if _BITS.fullmatch(t)]
    if not bits:
        return False
    if all(len(t) == 1 for t in bits):
        return len(bits) == len(tokens) and {"0", "1"} <= set(bits)
    return any(len(t) >= 2 and (t[0] == "0" or (len(t) >= 3 and t.strip("0") != "1")) for t in bits)


@dataclass(frozen=True)
class Site:
    line: int
    col: int
    kind: str  # "int", "bits", "str"
    pos: Position
    left: Position | None  # the position of the token to its left, if any


def mutation_sites(lines: Lines, prof: InputProfile) -> list[Site]:
    """Tokens a mutation may touch in this input (counts and floats excluded)."""
    shape = structure(lines)
    sites = []
    for i, (line, where) in enumerate(zip(lines, positions(lines, shape))):
        # A line of three or more 0/1 digits holding both values is an array of flags.
        flags = len(line) >= 3 and set(line) == {"0", "1"}
        for j, (tok, pos) in enumerate(zip(line, where)):
            if (i, j) in shape.counts:
                continue
            site = Site(i, j, "", pos, where[j - 1] if j else None)
            if flags or (pos in prof.bits and _BITS.fullmatch(tok)):
                sites.append(replace(site, kind="bits"))
            elif is_int(tok):
                sites.append(replace(site, kind="int"))
            elif is_float(tok):
                continue
            elif len(set(tok)) >= 2 or len(prof.alphabet.get(pos, set()) | set(tok)) >= 2:
                sites.append(replace(site, kind="str"))
    return sites


def _int_allowed(lines: Lines, site: Site, new: int, prof: InputProfile) -> bool:
    line = lines[site.line]
    if site.pos in prof.minimum and new < prof.minimum[site.pos]:
        return False
    if site.col + 1 < len(line) and is_int(line[site.col + 1]):
        right = int(line[site.col + 1])
        if prof.lt_next.get(site.pos) and not new < right:
            return False
        if prof.le_next.get(site.pos) and not new <= right:
            return False
    if site.left is not None and is_int(line[site.col - 1]):
        left = int(line[site.col - 1])
        if prof.lt_next.get(site.left) and not left < new:
            return False
        if prof.le_next.get(site.left) and not left <= new:
            return False
    return True


def apply_mutation(lines: Lines, site: Site, prof: InputProfile, rng: random.Random) -> str | None:
    """Edit the token at ``site`` in place; returns what was done, or None if no edit fits."""
    line = lines[site.line]
    tok = line[site.col]
    where = f"line {site.line + 1} token {site.col + 1}"
    if site.kind == "bits":
        k = rng.randrange(len(tok))
        new = tok[:k] + ("1" if tok[k] == "0" else "0") + tok[k + 1:]
        line[site.col] = new
        return f"{where}: flip bit {k + 1} ({tok} -> {new})"
    if site.kind == "int":
        v = int(tok)
        deltas = [1, -1] if rng.random() < 0.5 else [-1, 1]
        for d in deltas:
            if _int_allowed(lines, site, v + d, prof):
                line[site.col] = str(v + d)
                return f"{where}: {tok} -> {v + d}"
        return None
    # A string: swap two characters, or change one into another character seen here.
    alphabet = sorted(prof.alphabet.get(site.pos, set()) | set(tok))
    if len(tok) >= 2:
        alphabet = [c for c in alphabet if c not in prof.markers]
    changeable = [k for k, c in enumerate(tok) if c in alphabet]
    ops = []
    if len(set(tok)) >= 2:
        ops.append("swap")
    if changeable and len(alphabet) >= 2:
        ops.append("change")
    if not ops:
        return None
    if rng.choice(ops) == "swap":
        for _ in range(8):
            a, b = rng.sample(range(len(tok)), 2)
            if tok[a] != tok[b]:
                chars = list(tok)
                chars[a], chars[b] = chars[b], chars[a]
                line[site.col] = "".join(chars)
                return f"{where}: swap characters {min(a, b) + 1} and {max(a, b) + 1}"
        return None
    k = rng.choice(changeable)
    choices = [c for c in alphabet if c != tok[k]]
    c = rng.choice(choices)
    line[site.col] = tok[:k] + c + tok[k + 1:]
    return f"{where}: character {k + 1} {tok[k]!r} -> {c!r}"


@dataclass(frozen=True)
class MutatedInput:
    text: str
    parent: int  # index of the public input it came from
    edits: tuple[str, ...]


def mutate_inputs(
    inputs: Sequence[str],
    count: int = 200,
    seed: int = 0,
    *,
    max_edits: int = 1,
    max_input_chars: int = MAX_INPUT_CHARS,
    attempts_per_input: int = 20,
    budget_s: float = MUTATION_BUDGET_S,
) -> list[MutatedInput]:
    """Up to ``count`` distinct new inputs, each one to ``max_edits`` guarded edits away
    from a public input. Deterministic for a given seed (unless ``budget_s``, CPU seconds of
    this thread, runs out first); never returns a public input."""
    if count < 0 or max_edits < 1:
        raise ValueError("count must be >= 0 and max_edits >= 1")
    parsed = {k: tokenise(t) for k, t in enumerate(inputs) if len(t) <= max_input_chars}
    prof = profile_inputs(parsed.values())
    sources = [(k, lines, mutation_sites(lines, prof)) for k, lines in parsed.items()]
    sources = [s for s in sources if s[2]]
    seen = set(inputs) | {render(lines) for lines in parsed.values()}
    out: list[MutatedInput] = []
    rng = random.Random(seed)
    tried: set[tuple[int, tuple[str, ...]]] = set()
    deadline = time.thread_time() + budget_s
    attempts = 0
    while sources and len(out) < count and attempts < count * attempts_per_input:
        attempts += 1
        if attempts % 64 == 0 and time.thread_time() > deadline:
            break
        parent, lines, sites = rng.choice(sources)
        work = list(lines)  # lines are copied only when edited
        edits = []
        for _ in range(rng.randint(1, max_edits)):
            site = rng.choice(sites)
            work[site.line] = list(work[site.line])
            done = apply_mutation(work, site, prof, rng)
            if done is not None:
                edits.append(done)
        # The same edits of the same input give the same text: skip it before rendering.
        if not edits or (parent, tuple(edits)) in tried:
            continue
        tried.add((parent, tuple(edits)))
        text = render(work)
        if text in seen:
            continue
        seen.add(text)
        out.append(MutatedInput(text, parent, tuple(edits)))
    return out
