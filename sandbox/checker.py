"""Deciding whether a program's output matches the expected output.

Two rules are offered, named in ``CHECKERS``:

``codecontests`` (the default) is DeepMind's CodeContests rule, so that Pass@1 measured
here is comparable with published CodeContests numbers:

* both outputs are split on whitespace and every token is lower-cased, so spacing, line
  breaks and the case of words such as ``YES``/``yes`` never matter;
* the two outputs must have the same number of tokens;
* two tokens that are both integers (ASCII digits with an optional leading sign) must be
  equal as integers, exactly and at any size: ``007`` equals ``7`` and ``-0`` equals ``0``,
  but two 30-digit numbers differing in the last digit do not;
* otherwise, two tokens that both parse as finite floats must satisfy
  ``abs(a - b) <= 1e-5`` on their double values. This includes an integer against a float
  (``1`` against ``1.000000``). The tolerance is absolute only, and applies to the doubles,
  so a difference written as exactly ``0.00001`` in decimal may land either side of it;
* anything else (words, ``nan``, ``inf``, numbers too large for a double) must be equal as
  lower-cased strings.

Many problems print floats with a fixed number of decimals and accept any answer close
enough, and many accept ``Yes``/``YES`` alike; a judge that compared bytes would count
correct programs as wrong and make every architecture look worse than it is.

``strict`` compares the texts exactly after normalising only what no reader would call a
difference: ``\\r\\n`` line endings, trailing whitespace on each line, and trailing empty
lines. It is for problems whose format is part of the answer, and for measuring how much
the lenient rule changes a result.

Outputs can be megabytes, and almost all of them are either identical to the expected
text or equal token for token, so both rules try a whole-string comparison first and only
parse the tokens that differ.
"""

from __future__ import annotations

CHECKERS = ("codecontests", "strict")

FLOAT_TOLERANCE = 1e-5

_SIGNS = ("+", "-")


def check(expected: str, actual: str, mode: str = "codecontests") -> bool:
    """Return whether ``actual`` is an accepted output for ``expected`` under ``mode``."""
    if mode == "codecontests":
        return codecontests_equal(expected, actual)
    if mode == "strict":
        return strict_equal(expected, actual)
    raise ValueError(f"unknown checker mode {mode!r}; expected one of {', '.join(CHECKERS)}")


def codecontests_equal(expected: str, actual: str) -> bool:
    """DeepMind CodeContests comparison: tokens, case-insensitive, floats within 1e-5."""
    if expected == actual:
        return True
    # Lower-casing whole texts before splitting costs one pass each instead of one call per
    # token; lower() never produces whitespace, so the tokens are the same either way.
    expected_tokens = expected.lower().split()
    actual_tokens = actual.lower().split()
    if len(expected_tokens) != len(actual_tokens):
        return False
    if expected_tokens == actual_tokens:
        return True
    for want, got in zip(expected_tokens, actual_tokens):
        if want != got and not _tokens_equal(want, got):
            return False
    return True


def strict_equal(expected: str, actual: str) -> bool:
    """Exact comparison up to line endings, trailing whitespace and trailing empty lines."""
    if expected == actual:
        return True
    return _strict_normal_form(expected) == _strict_normal_form(actual)


def _strict_normal_form(text: str) -> str:
    # Split on "\n" only: splitlines() would also break on form feeds, lone "\r" and other
    # separators inside a line, which are real differences in the strict rule.
    lines = text.replace("\r\n", "\n").split("\n")
    # Once every line lost its trailing whitespace, the only whitespace left at the end of
    # the joined text is the newlines of trailing empty lines.
    return "\n".join([line.rstrip() for line in lines]).rstrip("\n")


def _tokens_equal(want: str, got: str) -> bool:
    want_int = _integer_key(want)
    if want_int is not None:
        got_int = _integer_key(got)
        if got_int is not None:
            return want_int == got_int
    want_float = _as_float(want)
    if want_float is not None:
        got_float = _as_float(got)
        if got_float is not None:
            return abs(want_float - got_float) <= FLOAT_TOLERANCE
    return want == got


def _integer_key(token: str) -> tuple[bool, str] | None:
    """A canonical (negative, digits) form of an integer token, or None if it is not one.

    Compared as text rather than through int(): Python refuses to convert strings of more
    than a few thousand digits, and outputs may legitimately contain bigger numbers.
    """
    negative = token[0] == "-"
    digits = token[1:] if token[0] in _SIGNS else token
    if not (digits.isascii() and digits.isdigit()):
        return None
    digits = digits.lstrip("0")
    # "-0", "+0" and "000" are all zero.
    return (negative and digits != "", digits)


def _as_float(token: str) -> float | None:
    # float() also accepts underscores ("1_0") and non-ASCII digits, which no judge reads
    # as numbers. It accepts nan and inf too, and those need no special case: tokens that
    # reach here differ as strings, and any difference involving nan or inf is nan or inf,
    # never within the tolerance, so they fail exactly as unequal words would.
    if not token.isascii() or "_" in token:
        return None
    try:
        return float(token)
    except ValueError:
        return None
