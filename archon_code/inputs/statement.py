"""What a problem statement says about its input: bounds, lengths, alphabets, and guarantees.

CodeContests statements come in several spellings of the same thing: ``1 ≤ n ≤ 2·10^5``,
LaTeX ``1 \\le n \\le 2 \\cdot 10^5``, ``1 ≤ n ≤ 200 000``, and older Codeforces text whose
superscripts were lost (``1 ≤ n ≤ 105`` for 10^5, ``ai < 230`` for 2^30). Everything is
normalised first, then chains of comparisons are read token by token:

    2 ≤ n ≤ 3·10^5, n - 1 ≤ m ≤ min(n(n-1)/2, 3·10^5)   ->  n in [2, 300000], m in [n-1, ...]
    1 ≤ x, y ≤ n, x ≠ y                                   ->  x, y in [1, n]; x != y

Guarantees worth honouring when generating inputs are read as flags: a tree, a connected
graph, distinct values, a permutation, an acyclic graph, and bounds on a sum over test cases.

The statement is untrusted text: it is cut to ``MAX_STATEMENT_CHARS`` and every loop here
is linear in its length.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from archon_code.inputs.expr import Expr, Num, Op, Var, evaluate_bound

MAX_STATEMENT_CHARS = 60_000
MAX_SECTION_CHARS = 20_000  # an Input section is a few hundred words
MAX_TOKENS = 10_000
PARSE_STEPS = 20_000  # parser steps over the whole section (a real one needs under 1000)
MAX_CHAIN = 8  # terms in one chain of comparisons
MAX_LIST = 16  # names in one list (x, y, ...)

# -- normalisation -------------------------------------------------------------------------

_REPLACE = [
    ("≤", " <= "), ("⩽", " <= "), ("≦", " <= "), ("≥", " >= "), ("⩾", " >= "), ("≧", " >= "),
    ("≠", " != "), ("−", "-"), ("–", "-"), ("⋅", "*"), ("·", "*"), ("∙", "*"), ("×", "*"),
    ("…", " ... "), ("⋯", " ... "), ("∑", " sum "), ("\u00a0", " "), ("\u2009", " "),
    ("\u202f", " "), ("\u2002", " "), ("\u2003", " "), ("\u200b", ""),
]
_LATEX = [
    (r"\\leqslant\b", " <= "), (r"\\leq\b", " <= "), (r"\\le\b", " <= "),
    (r"\\geqslant\b", " >= "), (r"\\geq\b", " >= "), (r"\\ge\b", " >= "),
    (r"\\neq\b", " != "), (r"\\ne\b", " != "), (r"\\lt\b", " < "), (r"\\gt\b", " > "),
    (r"\\cdot\b", "*"), (r"\\times\b", "*"), (r"\\ldots\b", " ... "), (r"\\dots\b", " ... "),
    (r"\\cdots\b", " ... "), (r"\\sum\b", " sum "), (r"\\min\b", "min"), (r"\\max\b", "max"),
    (r"\\lvert\b", "|"), (r"\\rvert\b", "|"), (r"\\left\b", ""), (r"\\right\b", ""),
    (r"\\mid\b", "|"), (r"\\vert\b", "|"), (r"\\[,;:! ]", " "), (r"\\mathrm\b", ""),
    (r"\\text\b", ""), (r"\\mathit\b", ""), (r"\\operatorname\b", ""),
]
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]{1,80})\}\s*\{([^{}]{1,80})\}")


def normalise(text: str) -> str:
    """One spelling for comparisons, products, powers and ellipses; no TeX, no dollars."""
    text = text[:MAX_STATEMENT_CHARS]
    for a, b in _REPLACE:
        text = text.replace(a, b)
    text = text.replace("$", " ")
    text = _FRAC.sub(r"((\1)/(\2))", text)
    for pattern, repl in _LATEX:
        text = re.sub(pattern, repl, text)
    text = text.replace("\\{", "(").replace("\\}", ")").replace("~", " ")
    # ^{...} and _{...}: keep the content, drop the braces
    text = re.sub(r"\^\s*\{([^{}]{0,40})\}", r"^(\1)", text)
    text = re.sub(r"_\s*\{([^{}]{0,40})\}", r"_\1", text)
    text = text.replace("{", " ").replace("}", " ")
    return text


def input_section(description: str) -> str:
    """The statement's Input section (between a line "Input" and a line "Output"), or the
    whole statement when it has none."""
    text = description[:MAX_STATEMENT_CHARS]
    m = re.search(r"^\s*(?:#+\s*)?Input(?: format)?\s*:?\s*$", text, re.MULTILINE | re.IGNORECASE)
    if not m:
        return text
    rest = text[m.end():]
    end = re.search(r"^\s*(?:#+\s*)?Output(?: format)?\s*:?\s*$", rest, re.MULTILINE | re.IGNORECASE)
    return rest[: end.start()] if end else rest


# -- tokens --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tok:
    kind: str  # num name op cmp comma ell bar lp rp sep
    text: str
    space: bool  # whitespace before it
    value: int | float | None = None


_TOKEN = re.compile(
    r"(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+|\[[A-Za-z0-9+\- ]{1,8}\])?)"
    r"|(?P<cmp><=|>=|!=|<|>|=)"
    r"|(?P<ell>\.\.\.)"
    r"|(?P<op>[-+*/^])"
    r"|(?P<comma>,)"
    r"|(?P<bar>\|)"
    r"|(?P<lp>\()"
    r"|(?P<rp>\))"
    r"|(?P<space>\s+)"
    r"|(?P<sep>.)",
    re.DOTALL,
)
_GROUP = re.compile(r"\d{3}(?!\d)")


def tokenize(text: str, superscripts_lost: bool) -> list[Tok]:
    toks: list[Tok] = []
    space = True
    pos = 0
    while pos < len(text) and len(toks) < MAX_TOKENS:
        m = _TOKEN.match(text, pos)
        if m is None:  # pragma: no cover - the last alternative matches any character
            break
        kind = m.lastgroup or "sep"
        tok = m.group()
        pos = m.end()
        if kind == "space":
            space = True
            continue
        if kind == "num":
            # "200 000" and "1 000 000": digit groups written with spaces
            if "." not in tok and "e" not in tok.lower() and len(tok) <= 3:
                while True:
                    g = re.match(r"[ \t]?(\d{3})(?!\d)", text[pos:pos + 5])
                    if not g:
                        break
                    tok += g.group(1)
                    pos += g.end()
            toks.append(Tok("num", tok, space, _number(tok, superscripts_lost)))
        else:
            toks.append(Tok(kind, tok, space))
        space = False
    return toks


_POWERS_OF_TWO = {"230": 2**30, "231": 2**31, "232": 2**32, "260": 2**60, "262": 2**62,
                  "263": 2**63, "264": 2**64}


def _number(tok: str, superscripts_lost: bool) -> int | float:
    if re.fullmatch(r"\d+", tok):
        if superscripts_lost:
            # "105" was 10^5 and "1018" was 10^18 before the superscript was lost
            if tok.startswith("10") and len(tok) in (3, 4) and 3 <= int(tok[2:]) <= 18 and tok[2] != "0":
                return 10 ** int(tok[2:])
            if tok in _POWERS_OF_TWO:
                return _POWERS_OF_TWO[tok]
        return int(tok)
    return float(tok)


# -- names ---------------------------------------------------------------------------------

_STOPWORDS = {
    "is", "at", "of", "to", "in", "on", "be", "it", "or", "if", "by", "as", "an", "no", "up",
    "we", "do", "so", "he", "me", "my", "us", "am", "and", "the", "are", "mod",
}
_INDEX = {"i", "j", "k", "t", "ij", "n", "m", "q", "1", "2"}


def var_name(text: str) -> str | None:
    """A variable's canonical name (``a_i`` and ``ai`` -> ``a``, ``d_1`` kept), or None for a
    word that is not a variable."""
    m = re.fullmatch(r"([A-Za-z]+)([0-9]*)(?:_([A-Za-z0-9]+)|\[([A-Za-z0-9+\- ]+)\])?", text)
    if not m:
        return None
    letters, digits, sub, bracket = m.groups()
    if letters.lower() in _STOPWORDS or len(letters) > 3 or letters in FUNCTIONS_TEXT:
        return None
    if bracket is not None:
        return letters
    if sub is not None:
        if sub in ("i", "j", "k", "ij", "{i}", "n", "m") and not digits:
            return letters
        if sub.isdigit() and not digits:
            return f"{letters}_{sub}"
        return f"{letters}{digits}_{sub}"
    if len(letters) == 2 and letters[1] == "i" and not digits:
        # "ai", "xi": a subscript that lost its formatting
        return letters[0]
    if len(letters) == 3 and letters.endswith("ij"):
        return letters[0]
    if len(letters) > 2:
        return None
    return letters + digits


FUNCTIONS_TEXT = ("min", "max", "abs", "sum", "gcd", "lcm", "log")


# -- constraints ---------------------------------------------------------------------------


@dataclass
class Bounds:
    lower: list[tuple[Expr, bool]] = field(default_factory=list)  # (bound, strict)
    upper: list[tuple[Expr, bool]] = field(default_factory=list)

    def low(self, env: dict[str, float], integer: bool = True) -> float | None:
        """The greatest lower bound that evaluates under ``env`` (None when none does)."""
        vals = []
        for e, strict in self.lower:
            v = evaluate_bound(e, env, upper=False)
            if v is None:
                continue
            if strict:
                v = (int(v) + 1 if float(v).is_integer() else _ceil(v)) if integer else v + 1e-9
            elif integer:
                v = _ceil(v)
            vals.append(v)
        return max(vals) if vals else None

    def high(self, env: dict[str, float], integer: bool = True) -> float | None:
        vals = []
        for e, strict in self.upper:
            v = evaluate_bound(e, env, upper=True)
            if v is None:
                continue
            if strict:
                v = (int(v) - 1 if float(v).is_integer() else _floor(v)) if integer else v - 1e-9
            elif integer:
                v = _floor(v)
            vals.append(v)
        return min(vals) if vals else None

    def names(self) -> set[str]:
        out: set[str] = set()
        for e, _ in self.lower + self.upper:
            out |= e.names()
        return out


def _ceil(v: float) -> int:
    i = int(v)
    return i if i >= v else i + 1


def _floor(v: float) -> int:
    i = int(v)
    return i if i <= v else i - 1


@dataclass
class Statement:
    """What the Input section says. ``order`` lists variables in order of first mention."""

    bounds: dict[str, Bounds] = field(default_factory=dict)
    lengths: dict[str, Bounds] = field(default_factory=dict)  # |s| for a string s
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # (a, op, b)
    order: list[str] = field(default_factory=list)
    free_lengths: list[Bounds] = field(default_factory=list)  # "length from 1 to 10^6"
    alphabets: list[str] = field(default_factory=list)  # candidate alphabets, smallest first
    sum_bounds: dict[str, Expr] = field(default_factory=dict)  # name -> bound over all cases
    tree: bool = False
    connected: bool = False
    acyclic: bool = False
    permutation: bool = False
    distinct: set[str] = field(default_factory=set)  # names said to be distinct
    distinct_rows: bool = False
    text: str = ""

    def bound_of(self, name: str) -> Bounds | None:
        return self.bounds.get(name)

    def describe(self) -> dict:
        return {
            "bounds": {k: {"lower": [str(e) + ("<" if s else "") for e, s in b.lower],
                           "upper": [("<" if s else "") + str(e) for e, s in b.upper]}
                       for k, b in self.bounds.items()},
            "lengths": {k: {"lower": [str(e) for e, _ in b.lower], "upper": [str(e) for e, _ in b.upper]}
                        for k, b in self.lengths.items()},
            "flags": [f for f in ("tree", "connected", "acyclic", "permutation", "distinct_rows")
                      if getattr(self, f)],
            "sum_bounds": {k: str(v) for k, v in self.sum_bounds.items()},
        }


def parse_statement(description: str) -> Statement:
    """Read the bounds and guarantees of a problem's input from its statement."""
    section = input_section(description)[:MAX_SECTION_CHARS]
    text = normalise(section)
    lost = "^" not in text and re.search(r"(?<![\d.])10(?:[3-9]|1[0-8])(?!\d|\.\d)", text) is not None
    st = Statement(text=text)
    toks = tokenize(text, lost)
    _read_chains(toks, st)
    _transitive(st)
    _read_flags(text, st)
    _read_lengths(text, lost, st)
    st.alphabets = _alphabets(text)
    return st


class _Exhausted(Exception):
    """The parser's step budget is spent."""


class _Parser:
    MAX_DEPTH = 30  # nested parentheses and signs: deeper means the text is not a bound

    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.depth = 0
        self.steps = PARSE_STEPS

    def spend(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise _Exhausted

    def at(self, p: int, kind: str, text: str | None = None) -> bool:
        return p < len(self.toks) and self.toks[p].kind == kind and (text is None or self.toks[p].text == text)

    def expr(self, p: int) -> tuple[Expr, int] | None:
        if self.depth >= self.MAX_DEPTH:
            return None
        self.depth += 1
        try:
            return self.add(p)
        finally:
            self.depth -= 1

    def add(self, p: int) -> tuple[Expr, int] | None:
        r = self.mul(p)
        if r is None:
            return None
        e, p = r
        while self.at(p, "op", "+") or self.at(p, "op", "-"):
            r2 = self.mul(p + 1)
            if r2 is None:
                break
            e, p = Op(self.toks[p].text, (e, r2[0])), r2[1]
        return e, p

    def mul(self, p: int) -> tuple[Expr, int] | None:
        r = self.power(p)
        if r is None:
            return None
        e, p = r
        while True:
            if self.at(p, "op", "*") or self.at(p, "op", "/"):
                r2 = self.power(p + 1)
                if r2 is None:
                    break
                e, p = Op(self.toks[p].text, (e, r2[0])), r2[1]
            elif p < len(self.toks) and not self.toks[p].space and (
                    self.at(p, "lp") or (self.at(p, "name") and var_name(self.toks[p].text))):
                r2 = self.power(p)  # implicit product: 2k, n(n-1)
                if r2 is None:
                    break
                e, p = Op("*", (e, r2[0])), r2[1]
            else:
                break
        return e, p

    def power(self, p: int) -> tuple[Expr, int] | None:
        r = self.unary(p)
        if r is None:
            return None
        e, p = r
        if self.at(p, "op", "^"):
            r2 = self.unary(p + 1)
            if r2 is not None:
                return Op("^", (e, r2[0])), r2[1]
        return e, p

    def unary(self, p: int) -> tuple[Expr, int] | None:
        if self.depth >= self.MAX_DEPTH:
            return None
        if self.at(p, "op", "-") or self.at(p, "op", "+"):
            self.depth += 1
            try:
                r = self.unary(p + 1)
            finally:
                self.depth -= 1
            if r is None or self.toks[p].text == "+":
                return r
            return Op("neg", (r[0],)), r[1]
        return self.atom(p)

    def atom(self, p: int) -> tuple[Expr, int] | None:
        self.spend()
        if p >= len(self.toks):
            return None
        t = self.toks[p]
        if t.kind == "num":
            return Num(t.value), p + 1  # type: ignore[arg-type]
        if t.kind == "lp":
            r = self.expr(p + 1)
            if r is None or not self.at(r[1], "rp"):
                return None
            return r[0], r[1] + 1
        if t.kind == "bar" and self.at(p + 1, "name") and self.at(p + 2, "bar"):
            return Var(f"|{_plain(self.toks[p + 1].text)}|"), p + 3
        if t.kind == "name":
            if t.text in ("min", "max", "abs") and self.at(p + 1, "lp"):
                args = []
                q = p + 2
                while True:
                    r = self.expr(q)
                    if r is None:
                        return None
                    args.append(r[0])
                    q = r[1]
                    if self.at(q, "comma"):
                        q += 1
                        continue
                    if self.at(q, "rp"):
                        return Op(t.text, tuple(args)), q + 1
                    return None
            name = var_name(t.text)
            if name is None:
                return None
            return Var(name), p + 1
        return None

    def names(self, p: int) -> tuple[list[str], int, bool] | None:
        """``x, y`` or ``a_1, a_2, ..., a_n`` or ``|s|``: a list of variables."""
        out: list[str] = []
        ellipsis = False
        q = p
        while len(out) < MAX_LIST:
            self.spend()
            if self.at(q, "bar") and self.at(q + 1, "name") and self.at(q + 2, "bar"):
                out.append(f"|{_plain(self.toks[q + 1].text)}|")
                q += 3
            elif self.at(q, "name") and var_name(self.toks[q].text) and not self.at(q + 1, "lp") \
                    and not self.at(q + 1, "op"):
                out.append(var_name(self.toks[q].text))  # type: ignore[arg-type]
                q += 1
            else:
                break
            if self.at(q, "comma") and (self.at(q + 1, "name") or self.at(q + 1, "bar") or self.at(q + 1, "ell")):
                q += 1
                if self.at(q, "ell"):
                    ellipsis = True
                    q += 1
                    if self.at(q, "comma"):
                        q += 1
                continue
            break
        if not out:
            return None
        if ellipsis:
            out = [re.sub(r"_\w+$", "", out[0])]
        return out, q, ellipsis


def _plain(text: str) -> str:
    return var_name(text) or text


def _read_chains(toks: list[Tok], st: Statement) -> None:
    try:
        _chains(_Parser(toks), st)
    except _Exhausted:
        pass  # what was read so far stands (the order of names included)


def _chains(parser: _Parser, st: Statement) -> None:
    toks = parser.toks
    first: dict[str, int] = {}  # name -> token index of its first mention
    sentence = 0  # where the current sentence starts

    def mention(names: list[str], at: int) -> None:
        for n in names:
            if n in first:
                continue
            # "contains n and k (1 <= k <= n)": n is named before k in the sentence
            bare = n.strip("|")
            earlier = next((i for i in range(sentence, at) if toks[i].kind == "name"
                            and var_name(toks[i].text) == bare), at)
            first[n] = earlier

    p = 0
    try:
        while p < len(toks):
            if toks[p].kind == "sep" and toks[p].text in ".;:":
                sentence = p + 1
            start = _term(parser, p, allow_list=True)
            if start is None or not parser.at(start[1], "cmp"):
                p += 1
                continue
            terms = [start[0]]
            ops: list[str] = []
            q = start[1]
            lists = int(isinstance(start[0], list))
            while parser.at(q, "cmp") and len(terms) < MAX_CHAIN:
                op = toks[q].text
                nxt = _term(parser, q + 1, allow_list=lists == 0 and len(terms) < 2)
                if nxt is None:
                    break
                ops.append(op)
                terms.append(nxt[0])
                lists += isinstance(nxt[0], list)
                q = nxt[1]
            for term in terms:
                if isinstance(term, list):
                    mention(term, p)
                elif isinstance(term, Var):
                    mention([term.name], p)
            for (a, op, b) in zip(terms, ops, terms[1:]):
                _relate(st, a, op, b)
            p = max(q, p + 1)
    finally:
        st.order = sorted(first, key=lambda n: first[n])


def _term(parser: _Parser, p: int, allow_list: bool):
    """A list of names (returned as a list) or one expression."""
    if allow_list:
        r = parser.names(p)
        if r is not None and (len(r[0]) > 1 or r[2]):
            names, q, _ = r
            if parser.at(q, "cmp") or len(names) == 1:
                return names, q
            # "x, y" not followed by a comparison: only the first name belongs here
    r = parser.expr(p)
    if r is None:
        return None
    return r


def _relate(st: Statement, a, op: str, b) -> None:
    if op in (">", ">="):
        a, b = b, a
        op = "<" if op == ">" else "<="
    if op == "=":
        return
    strict = op == "<"
    a_names = a if isinstance(a, list) else ([a.name] if isinstance(a, Var) else None)
    b_names = b if isinstance(b, list) else ([b.name] if isinstance(b, Var) else None)
    if op == "!=":
        for x in a_names or []:
            for y in b_names or []:
                st.relations.append((x, "!=", y))
        return
    if a_names and b_names and not isinstance(a, list) and not isinstance(b, list):
        st.relations.append((a_names[0], op, b_names[0]))
    if b_names and (isinstance(b, list) or isinstance(b, Var)):
        lower = a if not isinstance(a, list) else None
        if lower is not None:
            for name in b_names:
                _bounds(st, name).lower.append((lower, strict))
    if a_names and (isinstance(a, list) or isinstance(a, Var)):
        upper = b if not isinstance(b, list) else None
        if upper is not None:
            for name in a_names:
                _bounds(st, name).upper.append((upper, strict))
    elif isinstance(a, list) is False and isinstance(b, list) is False and not a_names and not b_names:
        return


def _transitive(st: Statement) -> None:
    """``L <= R <= 10^18``: L's bound R may have no value yet when L is chosen, so L also
    gets R's own numeric bounds (the tighter bound wins whenever both evaluate)."""
    for b in st.bounds.values():
        for side in ("lower", "upper"):
            extra = []
            for e, strict in getattr(b, side):
                other = st.bounds.get(e.name) if isinstance(e, Var) else None
                if other is not None and other is not b:
                    extra += [(e2, strict or s2) for e2, s2 in getattr(other, side) if not e2.names()]
            getattr(b, side).extend(extra)


def _bounds(st: Statement, name: str) -> Bounds:
    if name.startswith("|") and name.endswith("|"):
        return st.lengths.setdefault(name[1:-1], Bounds())
    return st.bounds.setdefault(name, Bounds())


_SUM = re.compile(
    r"(?:sum|total)\s+(?:of\s+)?(?:the\s+)?(?:values\s+of\s+|lengths\s+of\s+|all\s+)?"
    r"([A-Za-z]\w{0,3})(?:\s*(?:and|,)\s*(?:the\s+sum\s+of\s+)?([A-Za-z]\w{0,3}))?\s+"
    r"(?:over|in|for|of)\s+(?:all|the)\s+[^.]{0,40}?"
    r"(?:does\s+not\s+exceed|do\s+not\s+exceed|doesn't\s+exceed|is\s+at\s+most|are\s+at\s+most|"
    r"is\s+not\s+greater\s+than|<=|is\s+less\s+than\s+or\s+equal\s+to|won't\s+exceed|will\s+not\s+exceed)"
    r"\s*([-\d*^() ]{1,30})",
    re.IGNORECASE,
)
_SUM_LENGTH = re.compile(
    r"(?:sum|total)\s+(?:of\s+(?:the\s+)?)?lengths?\s+of\s+(?:all\s+)?(?:the\s+)?(?:strings?\s+)?"
    r"([A-Za-z]\w{0,3})\s+[^.]{0,40}?"
    r"(?:does\s+not\s+exceed|do\s+not\s+exceed|doesn't\s+exceed|is\s+at\s+most|<=|won't\s+exceed|"
    r"will\s+not\s+exceed)\s*([-\d*^() ]{1,30})",
    re.IGNORECASE,
)
_SUM_ALL = re.compile(  # "the sum of all k_i does not exceed 10^5": no "over ..." needed
    r"(?:sum|total)\s+(?:of\s+)?all\s+(?:the\s+)?([A-Za-z]\w{0,3})\s+"
    r"(?:does\s+not\s+exceed|doesn't\s+exceed|is\s+at\s+most|is\s+not\s+greater\s+than|<=|won't\s+exceed|"
    r"will\s+not\s+exceed)\s*([-\d*^() ]{1,30})",
    re.IGNORECASE,
)
_SUM_SYMBOL = re.compile(r"\bsum\s*\(?\s*([A-Za-z]\w{0,3})\s*\)?\s*<=\s*([\d*^() ]{1,30})")


_UNREACHABLE = re.compile(r"\bnot (?:necessarily |always )?connected|\bdisconnected|\bunreachable|"
                          r"(?:cannot|can't|can not|could not|couldn't) (?:be )?reach|\bnot reachable|"
                          r"\bno (?:such )?(?:path|route|way) (?:exists|from|between)|impossible to (?:reach|get)")


def _read_flags(text: str, st: Statement) -> None:
    low = text.lower()
    st.tree = bool(re.search(r"\btree\b", low))
    # "connected" as a property of the graph ("the graph is connected"), not as a verb ("the
    # cities connected by a road"); a statement that asks what to print for an unreachable
    # vertex guarantees no connectivity, whatever else it says.
    st.connected = bool(re.search(r"\bconnected\b(?! by| to\b| with| via| through| directly)|reachable from any|"
                                  r"any (?:location|city|vertex|node|junction|town)s? (?:is )?reachable|"
                                  r"path between any|path from the capital to all|"
                                  r"can (?:somehow )?(?:reach|get to) (?:any|every)", low)) and not _UNREACHABLE.search(low)
    st.acyclic = bool(re.search(r"\bacyclic\b|no (?:circular|cyclic)|no cycles?\b|\bdag\b", low))
    st.permutation = "permutation" in low
    st.distinct_rows = bool(re.search(r"\bdistinct\b|coincide|pairwise different|are different", low))
    lost = "^" not in text
    for m in _SUM.finditer(text):
        bound = _expr_of(m.group(3), lost)
        if bound is not None:
            for g in (m.group(1), m.group(2)):
                name = g and var_name(g)
                if name:
                    st.sum_bounds[name] = bound
    for m in _SUM_LENGTH.finditer(text):
        bound = _expr_of(m.group(2), lost)
        name = var_name(m.group(1))
        if bound is not None and name:
            st.sum_bounds[f"|{name}|"] = bound
    for m in [*_SUM_ALL.finditer(text), *_SUM_SYMBOL.finditer(text)]:
        bound = _expr_of(m.group(2), lost)
        name = var_name(m.group(1))
        if bound is not None and name:
            st.sum_bounds.setdefault(name, bound)
    for sentence in re.split(r"(?<=[.;])\s+|\n+", text):
        s = sentence.lower()
        if re.search(r"\bdistinct\b|pairwise different|all different|are different", s):
            for tok in re.findall(r"[A-Za-z]\w*(?:_\w+)?", sentence):
                name = var_name(tok)
                if name and len(name) <= 3:
                    st.distinct.add(name)


def _expr_of(text: str, lost: bool) -> Expr | None:
    toks = tokenize(text.strip(), lost)
    r = _Parser(toks).expr(0)
    return None if r is None else r[0]


_LENGTH = re.compile(
    r"length[^.\n]{0,60}?(?:from\s+([\d*^ ]{1,20}?)\s+to\s+([\d*^() ]{1,20})|"
    r"(?:does\s*n[o']t\s+exceed|not\s+exceed|at\s+most|up\s+to|no\s+more\s+than|<=)\s+([\d*^() ]{1,20})|"
    r"between\s+([\d*^ ]{1,20}?)\s+and\s+([\d*^() ]{1,20}))",
    re.IGNORECASE,
)


def _read_lengths(text: str, lost: bool, st: Statement) -> None:
    for m in _LENGTH.finditer(text):
        b = Bounds()
        lo, hi = (m.group(1), m.group(2)) if m.group(2) else (m.group(4), m.group(5)) if m.group(5) else (None, m.group(3))
        hi_e = _expr_of(hi or "", lost)
        if hi_e is None:
            continue
        b.upper.append((hi_e, False))
        lo_e = _expr_of(lo, lost) if lo else None
        b.lower.append((lo_e or Num(1), False))
        st.free_lengths.append(b)


_QUOTED = re.compile(r"""['"«“‘`](.)['"»”’`]""")


def _alphabets(text: str) -> list[str]:
    """Alphabets the statement names, sentence by sentence (each the union of what one
    sentence allows), smallest first."""
    out: set[str] = set()
    for sentence in re.split(r"(?<=[.;])\s+|\n+", text):
        s = sentence.lower()
        chars = ""
        lower = re.search(r"lower[- ]?case|small (?:english |latin )?letters|lower case", s)
        upper = re.search(r"upper[- ]?case|capital (?:english |latin )?letters|large (?:english |latin )?letters", s)
        if lower:
            chars += string.ascii_lowercase
        if upper:
            chars += string.ascii_uppercase
        if not lower and not upper and re.search(r"\b(?:english|latin) letters\b", s):
            chars += string.ascii_letters
        if re.search(r"\bdigits?\b", s):
            chars += string.digits
        quoted = _QUOTED.findall(sentence)
        if quoted and re.search(r"charact|letter|symbol|consist|only|contain", s):
            chars += "".join(quoted)
        if chars:
            out.add("".join(sorted(set(chars))))
    return sorted(out, key=len)


def values_fit(bounds: Bounds | None, values: list[float], env: dict[str, float]) -> bool:
    """Whether observed ``values`` satisfy ``bounds`` (bounds that cannot be evaluated under
    ``env`` do not count against)."""
    if bounds is None:
        return True
    lo, hi = bounds.low(env, integer=False), bounds.high(env, integer=False)
    return all((lo is None or v >= lo - 1e-9) and (hi is None or v <= hi + 1e-9) for v in values)
