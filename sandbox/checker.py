"""Deciding whether a program's output matches the expected output.

Three rules are offered, named in ``CHECKERS``:

``codecontests`` (the default) is DeepMind's CodeContests rule exactly as its C++ applies it
(``OutputsMatch`` in ``execution/tester_sandboxer.cc`` of google-deepmind/code_contests, with
abseil 20211102 underneath), quirks included, because published CodeContests numbers were
computed with it:

* both outputs are split on space, ``\\n``, ``\\t``, ``\\r`` and ``\\v`` only (a form feed,
  NBSP, U+2003, U+3000, U+2028, U+0085 or ``\\x1c``-``\\x1f`` is part of a token), empty
  pieces dropped, and every token lower-cased in ASCII only (``É`` is not ``é``);
* equal token lists match; otherwise different counts fail; otherwise every pair must match;
* a pair matches when both tokens are strings equal byte for byte; a token is a string when
  abseil's ``SimpleAtod`` refuses it (``SimpleAtoi`` accepts a subset of what ``SimpleAtod``
  accepts, so it never decides anything, and the reference's integer-equality branch is
  unreachable); when both parse, they match iff ``abs(a - b) < 1e-5`` on their doubles.

What ``SimpleAtod`` accepts (``absl::from_chars`` plus its own wrapping): surrounding ASCII
whitespace (only a form feed can reach it here), one optional ``+`` (``+-1`` is refused),
then ``-``, decimal ``1``, ``1.``, ``.5``, ``1e5``, ``1E+05`` (not ``.``, ``1e``, ``1_0`` or
non-ASCII digits), ``0x`` hexadecimal floats ``0x10``, ``0x1.8p3``, ``0x.8``, and, in any
case, ``inf``, ``infinity``, ``nan`` and ``nan(chars)`` with chars in ``[A-Za-z0-9_]``.
Out-of-range values parse (overflow gives +-inf, underflow +-0); a run of 50,000,000 or more
significant decimal digits (12,500,000 hexadecimal) is refused.

Consequences worth knowing: two integers beyond 2^53 that round to the same double match; an
integer answer printed as a float matches; tokens exactly 1e-5 apart (as doubles) do not;
and since inf - inf and anything - nan are NaN, a token that parses to inf or nan (``inf``,
``nan``, ``1e400``, a 400-digit integer) matches nothing, not even itself, unless the whole
token lists are equal.

``codecontests-strict`` reads the same tokens, but an integer answer (``[+-]digits``) needs
an integer equal to it at any size (compared as text, so no size limit applies), so a
wrong 64-bit answer printed as a float is caught; other numbers match within ``< 1e-5`` as
above, and equal tokens always match.

``exact`` compares the texts exactly after normalising only what no reader would call a
difference: ``\\r\\n`` line endings, trailing spaces, tabs, ``\\r`` and ``\\v`` on each line,
and trailing empty lines.

Outputs are bytes in the reference, and here: ``bytes`` are compared as they are; ``str``
is taken as its UTF-8 encoding (``surrogateescape`` characters turn back into the raw bytes
they stand for), so a program's raw bytes decide whenever they reach the checker. The
sandbox pools hand over text decoded with U+FFFD for invalid bytes; that changes a verdict
only where the expected output itself contains U+FFFD.

Outputs can be megabytes, and almost all of them are identical to the expected text or
equal token for token, so every rule tries a whole-text comparison, then a token-list
comparison, and only then looks at single tokens.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

CHECKERS = ("codecontests", "codecontests-strict", "exact")

FLOAT_TOLERANCE = 1e-5

Text = str | bytes

# The reference splits on exactly these; bytes.split() also splits on a form feed.
_SEPARATORS = re.compile(rb"[ \n\t\r\v]+")

# absl::from_chars' grammar, possessive so that a long token that fails to match costs
# linear time. Tokens are lower-cased before they get here; IGNORECASE keeps the functions
# right for any caller.
_DECIMAL = re.compile(rb"-?+(?:[0-9]++(?:\.[0-9]*+)?+|\.[0-9]++)(?:e[+-]?+[0-9]++)?+", re.IGNORECASE)
_HEX = re.compile(rb"-?+0x(?:[0-9a-f]++(?:\.[0-9a-f]*+)?+|\.[0-9a-f]++)(?:p[+-]?+[0-9]++)?+", re.IGNORECASE)
_SPECIAL = re.compile(rb"(-?+)(?:(inf(?:inity)?+)|nan(?:\([0-9a-z_]*+\))?+)", re.IGNORECASE)
_INTEGER = re.compile(rb"[+-]?+[0-9]++")

# absl's ParseFloat refuses a run of this many significant digits (a guard against exponent
# overflow), so such a token is a string.
_DECIMAL_DIGIT_LIMIT = 50_000_000
_HEX_DIGIT_LIMIT = _DECIMAL_DIGIT_LIMIT // 4

# An identical pair fails only when its token parses to inf or nan. With no "inf" or "nan" in
# the text, that takes an exponent of three or more digits, or a token of at least this many
# bytes (a two-digit exponent needs 210 decimal or 233 hexadecimal digits to overflow).
_LONGEST_FINITE = 200
# Separators to b" ", every other byte to b"t": a long token shows up as a run of b"t".
_TOKEN_BYTES = bytes(0x20 if i in b" \n\t\r\v" else 0x74 for i in range(256))
_LONG_RUN = b"t" * _LONGEST_FINITE
# Digits to b"d", exponent marks to b"e", signs to b"s", everything else to b".": an exponent
# of three digits shows up as b"eddd" or b"esddd".
_EXPONENT_BYTES = bytes(
    0x64 if chr(i).isdigit() and i < 128 else 0x65 if i in b"epEP" else 0x73 if i in b"+-" else 0x2E
    for i in range(256))

_SHOWN = 40  # characters of a token shown in an explanation


def check(expected: Text, actual: Text, mode: str = "codecontests") -> bool:
    """Return whether ``actual`` is an accepted output for ``expected`` under ``mode``."""
    return _RULES[_known(mode)](expected, actual)


def explain_mismatch(expected: Text, actual: Text, mode: str = "codecontests") -> str:
    """One short line saying why ``actual`` is rejected; ``"outputs match"`` when it is not."""
    mode = _known(mode)
    if mode == "exact":
        return _explain_exact(_as_bytes(expected), _as_bytes(actual))
    return _explain_tokens(expected, actual, mode)


def _known(mode: str) -> str:
    if mode not in _RULES:
        raise ValueError(f"unknown checker {mode!r}; expected one of {', '.join(CHECKERS)}")
    return mode


# -- the token rules ---------------------------------------------------------------------------


def codecontests_equal(expected: Text, actual: Text) -> bool:
    """DeepMind's OutputsMatch."""
    return _token_rule(expected, actual, values_match, identical_can_fail=True)


def codecontests_strict_equal(expected: Text, actual: Text) -> bool:
    """The same tokens; integer answers exact at any size, other numbers within 1e-5."""
    return _token_rule(expected, actual, strict_values_match, identical_can_fail=False)


def tokens(text: Text) -> list[bytes]:
    """SplitAndLowercase: the tokens the token rules compare."""
    return _split(_as_bytes(text).lower())


def simple_atod(token: bytes) -> float | None:
    """abseil's SimpleAtod: the token's double, or None when it does not read as one."""
    s = token.strip()  # bytes.strip() strips exactly absl::ascii_isspace
    if s[:1] == b"+":
        s = s[1:]
        if s[:1] == b"-":
            return None
    if _DECIMAL.fullmatch(s):
        if len(s) >= _DECIMAL_DIGIT_LIMIT and _too_many_digits(s, b"e", _DECIMAL_DIGIT_LIMIT):
            return None
        return float(s)
    if _HEX.fullmatch(s):
        if len(s) >= _HEX_DIGIT_LIMIT and _too_many_digits(s.lower().split(b"x", 1)[1], b"p", _HEX_DIGIT_LIMIT):
            return None
        try:
            return float.fromhex(s.decode("ascii"))
        except OverflowError:
            return -math.inf if s[:1] == b"-" else math.inf
    special = _SPECIAL.fullmatch(s)
    if special is None:
        return None
    value = math.inf if special.group(2) else math.nan
    return -value if special.group(1) else value


def values_match(a: bytes, b: bytes) -> bool:
    """DeepMind's ValuesMatch on two lower-cased tokens."""
    a_value, b_value = simple_atod(a), simple_atod(b)
    if a_value is None or b_value is None:
        return a == b
    return abs(a_value - b_value) < FLOAT_TOLERANCE


def strict_values_match(expected: bytes, actual: bytes) -> bool:
    """codecontests-strict on two lower-cased tokens (expected first)."""
    if expected == actual:
        return True
    want = _integer_key(expected)
    if want is not None:
        return _integer_key(actual) == want
    want_value, got_value = simple_atod(expected), simple_atod(actual)
    if want_value is None or got_value is None:
        return False
    return abs(want_value - got_value) < FLOAT_TOLERANCE


def _token_rule(expected: Text, actual: Text, pair: Callable[[bytes, bytes], bool],
                identical_can_fail: bool) -> bool:
    if type(expected) is type(actual) and expected == actual:
        return True
    lowered = _as_bytes(expected).lower()
    want, got = _split(lowered), tokens(actual)
    if want == got:
        return True
    if len(want) != len(got):
        return False
    # When no expected token can parse to inf or nan, identical pairs match unparsed (the
    # common case, kept at C speed).
    careful = identical_can_fail and _may_hold_non_finite(lowered)
    identical: dict[bytes, bool] = {}  # outputs repeat their words: parse each once
    for w, g in zip(want, got):
        if w == g:
            if careful:
                matched = identical.get(w)
                if matched is None:
                    matched = identical[w] = pair(w, g)
                if not matched:
                    return False
        elif not pair(w, g):
            return False
    return True


def _may_hold_non_finite(lowered: bytes) -> bool:
    """Whether some token of this text may parse to inf or nan. When none can, identical
    pairs match without being parsed, which keeps the common case at C speed."""
    if b"inf" in lowered or b"nan" in lowered:
        return True
    if _LONG_RUN in lowered.translate(_TOKEN_BYTES):
        return True
    if b"e" not in lowered and b"p" not in lowered:
        return False
    classes = lowered.translate(_EXPONENT_BYTES)
    return b"eddd" in classes or b"esddd" in classes


def _split(data: bytes) -> list[bytes]:
    # Callers lower-case whole texts first: one pass instead of one per token, and it never
    # makes a separator.
    if b"\f" not in data:
        return data.split()
    return [t for t in _SEPARATORS.split(data) if t]


def _as_bytes(text: Text) -> bytes:
    if isinstance(text, bytes):
        return text
    if isinstance(text, (bytearray, memoryview)):
        return bytes(text)
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that no decoding produced
        return text.encode("utf-8", "surrogatepass")


def _too_many_digits(number: bytes, exponent_mark: bytes, limit: int) -> bool:
    """absl's refusal of pathological mantissas: ``limit`` or more significant digits before
    the point, leading zeros after it, or digits after it."""
    mantissa = number.lstrip(b"-").lower().split(exponent_mark, 1)[0]
    whole, _, fraction = mantissa.partition(b".")
    significant = whole.lstrip(b"0")
    if len(significant) >= limit:
        return True
    if significant:
        return len(fraction) >= limit
    rest = fraction.lstrip(b"0")
    return len(fraction) - len(rest) >= limit or len(rest) >= limit


def _integer_key(token: bytes) -> tuple[bool, bytes] | None:
    """(negative, digits without leading zeros) for an integer token, else None. Compared as
    text: int() refuses strings of more than a few thousand digits."""
    token = token.strip()
    if not _INTEGER.fullmatch(token):
        return None
    digits = token.lstrip(b"+-").lstrip(b"0")
    return (token[:1] == b"-" and digits != b"", digits)


# -- exact ---------------------------------------------------------------------------------------


def exact_equal(expected: Text, actual: Text) -> bool:
    """Exact comparison up to line endings, trailing whitespace and trailing empty lines."""
    if type(expected) is type(actual) and expected == actual:
        return True
    return _exact_lines(_as_bytes(expected)) == _exact_lines(_as_bytes(actual))


def _exact_lines(data: bytes) -> list[bytes]:
    # Split on "\n" only: a lone "\r" inside a line is a real difference. Trailing
    # whitespace is what the token rules call a separator, so exact equality implies equal
    # token lists (a form feed is never whitespace here).
    lines = [line.rstrip(b" \t\r\v") for line in data.replace(b"\r\n", b"\n").split(b"\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


_RULES: dict[str, Callable[[Text, Text], bool]] = {
    "codecontests": codecontests_equal,
    "codecontests-strict": codecontests_strict_equal,
    "exact": exact_equal,
}


# -- explanations -------------------------------------------------------------------------------


def _shown(token: bytes) -> str:
    text = token.decode("utf-8", "backslashreplace")
    if len(text) > _SHOWN:
        text = text[:_SHOWN - 3] + "..."
    return repr(text)


def _explain_tokens(expected: Text, actual: Text, mode: str) -> str:
    if check(expected, actual, mode):
        return "outputs match"
    want, got = tokens(expected), tokens(actual)
    first = next((i for i, (w, g) in enumerate(zip(want, got)) if w != g), None)
    if len(want) != len(got):
        line = f"token count differs: {len(want)} vs {len(got)} (expected vs got)"
        if first is not None:
            line += f"; first differing token at index {first}: {_shown(want[first])} vs {_shown(got[first])}"
        elif len(got) > len(want):
            line += f"; extra token at index {len(want)}: {_shown(got[len(want)])}"
        else:
            line += f"; missing token at index {len(got)}: {_shown(want[len(got)])}"
        return line
    pair = values_match if mode == "codecontests" else strict_values_match
    index = next(i for i, (w, g) in enumerate(zip(want, got)) if not pair(w, g))
    w, g = want[index], got[index]
    if w == g:
        return (f"token at index {index}, {_shown(w)}, is not a finite number, so it matches "
                "only when the whole outputs are equal token for token")
    line = f"first differing token at index {index}: {_shown(w)} vs {_shown(g)}"
    if mode == "codecontests-strict" and _integer_key(w) is not None and simple_atod(g) is not None:
        return line + " (an integer answer needs an equal integer)"
    w_value, g_value = simple_atod(w), simple_atod(g)
    if w_value is not None and g_value is not None:
        difference = abs(w_value - g_value)
        if math.isnan(difference):
            return line + " (not finite numbers)"
        if difference < 1:  # a near miss: say by how much
            return line + f" (differ by {difference:.3g}; must be below {FLOAT_TOLERANCE:g})"
    return line


def _explain_exact(expected: bytes, actual: bytes) -> str:
    want, got = _exact_lines(expected), _exact_lines(actual)
    if want == got:
        return "outputs match"
    for number, (w, g) in enumerate(zip(want, got), 1):
        if w != g:
            return f"line {number} differs: {_shown(w)} vs {_shown(g)} (expected vs got)"
    if len(got) > len(want):
        return f"line count differs: {len(want)} vs {len(got)}; extra line {len(want) + 1}: {_shown(got[len(want)])}"
    return f"line count differs: {len(want)} vs {len(got)}; missing line {len(got) + 1}: {_shown(want[len(got)])}"
