"""The output checkers. ``codecontests`` must give what DeepMind's OutputsMatch gives
(``execution/tester_sandboxer.cc``, abseil 20211102): every table row below says which step
of the reference decides it and why."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sandbox.checker import (
    CHECKERS,
    check,
    codecontests_equal,
    codecontests_strict_equal,
    exact_equal,
    explain_mismatch,
    simple_atod,
    tokens,
)

# --- the mode switch ------------------------------------------------------------------


def test_checkers_and_dispatch() -> None:
    assert CHECKERS == ("codecontests", "codecontests-strict", "exact")
    # A pair the three rules disagree on shows which rule each name runs.
    assert check("7", "7.0") is True
    assert check("7", "7.0", "codecontests") is True
    assert check("7", "7.0", "codecontests-strict") is False
    assert check("7 8", "7  8", "codecontests-strict") is True
    assert check("7 8", "7  8", "exact") is False


@pytest.mark.parametrize("mode", ["strict", "CodeContests", ""])
def test_unknown_checker_names_the_choices(mode: str) -> None:
    with pytest.raises(ValueError, match="expected one of codecontests, codecontests-strict, exact"):
        check("1", "1", mode)
    with pytest.raises(ValueError, match=repr(mode)):
        explain_mismatch("1", "2", mode)


# --- codecontests: values derived from the reference ---------------------------------------

# (expected, actual, accepted, why the reference gives that)
CODECONTESTS_TABLE = [
    # SplitAndLowercase: ByAnyChar(" \n\t\r\v"), SkipEmpty
    ("1 2 3\n", "  1\t2\r\n\x0b3  \n\n", True, "only space, \\n, \\t, \\r, \\v separate; empty pieces skipped"),
    ("a b", "a\x0cb", False, "a form feed is not a separator: 'a\\x0cb' is one token, so counts differ"),
    ("a b", "a\u00a0b", False, "NBSP is part of the token"),
    ("a b", "a\u2003b", False, "EM SPACE is part of the token"),
    ("a b", "a\u3000b", False, "IDEOGRAPHIC SPACE is part of the token"),
    ("a b", "a\u2028b", False, "LINE SEPARATOR is part of the token"),
    ("a b", "a\x85b", False, "NEL is part of the token"),
    ("a b", "a\x1cb", False, "\\x1c (a str.split() separator) is part of the token"),
    ("", " \n\t\r\x0b", True, "no tokens on either side: equal (empty) lists"),
    ("", "0", False, "0 vs 1 tokens"),
    # AsciiStrToLower
    ("YES", "yes", True, "ASCII letters are lower-cased"),
    ("\u00c9T\u00c9", "\u00e9t\u00e9", False, "'\u00c9' is not ASCII, so it stays upper-case: strings differ"),
    ("\u03a3", "\u03c3", False, "Greek capital sigma is not lower-cased"),
    # OutputsMatch: equal lists match before any ValuesMatch
    ("inf", "INF", True, "lower-cased lists are equal, so ValuesMatch never runs"),
    ("nan 1e400", "NaN 1E400", True, "equal lists, so nan and inf never reach a subtraction"),
    ("1 2 3", "1 2", False, "different counts fail"),
    # ValuesMatch: strings compare as strings
    ("abc", "abd", False, "neither parses: string comparison"),
    ("abc", "5", False, "one string: string comparison"),
    ("1_000", "1000", False, "absl refuses '_': '1_000' is a string"),
    ("\uff11", "1", False, "a fullwidth digit is not ASCII: a string"),
    ("+-5", "-5", False, "SimpleAtod refuses '+' followed by '-': a string"),
    ("1e", "1", False, "from_chars stops before a bare 'e': not fully consumed, a string"),
    (".", "0", False, "a bare '.' is no mantissa: a string"),
    ("0x", "0", False, "'0x' with no hex digit matches only '0': not fully consumed, a string"),
    ("0xinf", "inf", False, "'0xinf' reads as '0' then stops: a string"),
    ("nan(a-b)", "nan", False, "'-' is not a NaN payload character: only 'nan' consumed, a string"),
    ("infin", "inf", False, "'inf' consumed, 'in' left over: a string"),
    # ValuesMatch: numbers compare as doubles, |a - b| < 1e-5
    ("1", "1.000000", True, "an integer answer printed as a float matches"),
    ("7", "007", True, "both 7.0"),
    ("0", "-0", True, "0.0 and -0.0 differ by 0"),
    ("+5", "5", True, "SimpleAtod skips one leading '+'"),
    ("5", "5.", True, "'5.' is a valid mantissa"),
    ("0.5", ".5", True, "'.5' is a valid mantissa"),
    ("100000", "1E5", True, "exponents parse (lower-cased first)"),
    ("16", "0x10", True, "from_chars reads a 0x hexadecimal float: 16.0"),
    ("8", "0x1p3", True, "a hex float with a binary exponent: 8.0"),
    ("0.5", "0x.8", True, "a hex fraction: 0.5"),
    ("1", "\x0c1\x0c", True, "a form feed stays in the token, but SimpleAtod strips ASCII whitespace"),
    ("9007199254740993", "9007199254740992", True, "beyond 2^53 both round to 9007199254740992.0"),
    ("123456789012345678901", "123456789012345678902", True, "both round to the same double"),
    ("0", "0.00001", False, "1e-5 apart is not strictly less than 1e-5"),
    ("0", "0.0000099", True, "9.9e-6 < 1e-5"),
    ("1.5", "1.500009", True, "differ by 9e-6"),
    ("1000000.5", "1000000.50002", False, "absolute tolerance only"),
    ("0", "1e-400", True, "underflow parses as 0.0"),
    # inf and nan: NaN is never < 1e-5
    ("inf 1", "inf 1.0", False, "lists differ, so inf meets inf in ValuesMatch: inf - inf is NaN"),
    ("nan 1", "nan 1.0", False, "nan - nan is NaN"),
    ("inf", "infinity", False, "both +inf, but lists differ: NaN"),
    ("1e400", "2e400", False, "overflow gives +inf on both sides: NaN"),
    ("1" * 400 + " 1", "1" * 400 + " 1.0", False, "a 400-digit integer overflows to inf: NaN"),
    ("nan(x_1) 2", "nan(x_1) 2.0", False, "nan(chars) parses as NaN"),
    ("-inf", "-1e400", False, "both -inf, lists differ: NaN"),
    ("inf", "nan", False, "inf - nan is NaN"),
]


@pytest.mark.parametrize(("expected", "actual", "accepted", "why"), CODECONTESTS_TABLE,
                         ids=[row[3][:50] for row in CODECONTESTS_TABLE])
def test_codecontests_matches_the_reference(expected: str, actual: str, accepted: bool, why: str) -> None:
    assert codecontests_equal(expected, actual) is accepted
    assert check(expected.encode(), actual.encode(), "codecontests") is accepted
    # OutputsMatch and ValuesMatch are symmetric.
    assert codecontests_equal(actual, expected) is accepted


# (token, SimpleAtod's value or None for a string); derived from abseil's numbers.cc and
# charconv_parse.cc.
SIMPLE_ATOD_TABLE = [
    (b"0", 0.0), (b"-0", -0.0), (b"+0", 0.0), (b"12", 12.0), (b"-12.5", -12.5),
    (b"5.", 5.0), (b".5", 0.5), (b"-.5", -0.5), (b"+.5", 0.5), (b"1e5", 1e5), (b"1e+05", 1e5),
    (b"2.5e-3", 2.5e-3), (b"1e0000000000000000005", 1e5),  # extra exponent digits: leading zeros
    (b"0x10", 16.0), (b"-0x1.8p1", -3.0), (b"0x.8", 0.5), (b"+0x10", 16.0), (b"0x1e5", 485.0),
    (b"1e400", math.inf), (b"-1e400", -math.inf), (b"0x1p99999", math.inf), (b"1e-400", 0.0),
    (b"inf", math.inf), (b"infinity", math.inf), (b"-inf", -math.inf), (b"+infinity", math.inf),
    (b"\x0c7\x0c", 7.0), (b"\x0b7", 7.0),
    (b"", None), (b"+", None), (b"-", None), (b".", None), (b"1e", None), (b"1e+", None),
    (b".e5", None), (b"+-1", None), (b"--1", None), (b"1_0", None), (b"1.2.3", None),
    (b"0x", None), (b"0x.", None), (b"0xg", None), (b"0x1p", None), (b"0xinf", None),
    (b"infin", None), (b"infinityy", None), (b"nan(", None), (b"nan(a-b)", None), (b"+-nan", None),
    (b"1,5", None), (b"\xd9\xa1", None), (b"1\x00", None), (b"e5", None), (b"abc", None),
]


@pytest.mark.parametrize(("token", "value"), SIMPLE_ATOD_TABLE, ids=[repr(t) for t, _ in SIMPLE_ATOD_TABLE])
def test_simple_atod(token: bytes, value: float | None) -> None:
    got = simple_atod(token)
    if value is None:
        assert got is None
    else:
        assert got == value and math.copysign(1, got) == math.copysign(1, value)


@pytest.mark.parametrize("token", [b"nan", b"NaN", b"-nan", b"+nan", b"nan()", b"nan(0x1F_a)"])
def test_simple_atod_nan(token: bytes) -> None:
    assert math.isnan(simple_atod(token))


def test_pathological_digit_runs_are_strings() -> None:
    # absl's ParseFloat refuses 50,000,000 significant digits; one fewer is a number (inf).
    limit = 50_000_000
    assert simple_atod(b"1" * limit) is None
    assert simple_atod(b"1" * (limit - 1)) == math.inf
    assert simple_atod(b"0x" + b"1" * (limit // 4)) is None
    # As a string the refused token equals itself; as inf it would not.
    huge = "1" * limit
    assert codecontests_equal("1.0 " + huge, "1 " + huge)
    assert not codecontests_equal("1.0 " + huge[:-1], "1 " + huge[:-1])


def test_tokens_split_and_lower_case_bytes() -> None:
    assert tokens("A\x0cB  C\n\u00c9") == [b"a\x0cb", b"c", "\u00c9".encode()]
    assert tokens(b"\xffX \xfe") == [b"\xffx", b"\xfe"]


def test_raw_bytes_decide() -> None:
    # Invalid UTF-8 is compared byte for byte; a str from surrogateescape is the same bytes.
    assert check(b"\xff", b"\xff")
    assert not check(b"\xff", b"\xfe")
    assert check(b"\xff 1", b"\xff 1.0")
    assert check(b"\xff".decode("utf-8", "surrogateescape"), b"\xff")
    assert not check(b"\xff".decode("utf-8", "surrogateescape"), b"\xfe")
    assert check("\u00e9", "\u00e9".encode())


def test_large_outputs_only_the_differing_tokens_decide() -> None:
    lines = [f"{i} {i * 0.5:.6f}" for i in range(300_000)]
    expected = "\n".join(lines) + "\n"
    assert check(expected, "\r\n".join(lines))
    nudged = lines[:-1] + ["299999 149999.500004"]
    assert check(expected, "\n".join(nudged))
    assert not check(expected, "\n".join(nudged), "exact")
    wrong = lines[:-1] + ["300000 149999.500000"]
    assert not check(expected, "\n".join(wrong))
    # One inf anywhere makes every identical pair count: it alone fails.
    assert not check(expected + "inf\n", "\n".join(nudged) + "\ninf")
    assert check(expected + "inf\n", "\n".join(lines) + "\ninf")


# --- codecontests-strict -----------------------------------------------------------------

STRICT_TABLE = [
    ("7", "7", True), ("7", "007", True), ("-0", "0", True), ("+5", "5", True),
    ("7", "7.0", False), ("7", "7e0", False), ("7", "0x7", False),
    ("9007199254740993", "9007199254740992", False),
    ("9" * 5000, "0" + "9" * 5000, True), ("9" * 5000, "9" * 4999 + "8", False),
    ("1.5", "1.500009", True), ("1.5", "1.50002", False), ("1.0", "1", True),
    ("YES", "yes", True), ("a b", "a  b", True), ("inf 1", "inf 1", True),
    ("inf 1.0", "inf 1.00", True), ("nan 2.0", "nan 2.00", True), ("abc", "abd", False),
]


@pytest.mark.parametrize(("expected", "actual", "accepted"), STRICT_TABLE)
def test_codecontests_strict(expected: str, actual: str, accepted: bool) -> None:
    assert codecontests_strict_equal(expected, actual) is accepted
    assert check(expected, actual, "codecontests-strict") is accepted


# --- exact ------------------------------------------------------------------------------------

EXACT_TABLE = [
    ("1 2\n", "1 2", True), ("1 2\n3\n", "1 2\r\n3\r\n", True), ("1 2\n", "1 2 \t\n\n \n", True),
    ("", "\n\n", True), ("1 2", "1  2", False), ("1 2", " 1 2", False), ("1\n2", "1\n\n2", False),
    ("YES", "yes", False), ("7", "007", False), ("1\n2", "1\r2", False), ("1", "1\x0c", False),
]


@pytest.mark.parametrize(("expected", "actual", "accepted"), EXACT_TABLE)
def test_exact(expected: str, actual: str, accepted: bool) -> None:
    assert exact_equal(expected, actual) is accepted
    assert check(expected, actual, "exact") is accepted


# --- explanations -------------------------------------------------------------------------------

EXPLAIN_TABLE = [
    ("1 2 3", "1 2", "codecontests", "token count differs: 3 vs 2 (expected vs got); missing token at index 2: '3'"),
    ("1 2", "1 2 3", "codecontests", "token count differs: 2 vs 3 (expected vs got); extra token at index 2: '3'"),
    ("1 2 3", "1 5", "codecontests",
     "token count differs: 3 vs 2 (expected vs got); first differing token at index 1: '2' vs '5'"),
    ("YES 4", "yes 5", "codecontests", "first differing token at index 1: '4' vs '5'"),
    ("0.5", "0.50002", "codecontests", "first differing token at index 0: '0.5' vs '0.50002' (differ by 2e-05; must be below 1e-05)"),
    ("a b", "a c", "codecontests", "first differing token at index 1: 'b' vs 'c'"),
    ("inf 1", "inf 1.0", "codecontests",
     "token at index 0, 'inf', is not a finite number, so it matches only when the whole outputs are "
     "equal token for token"),
    ("7", "7.0", "codecontests-strict", "first differing token at index 0: '7' vs '7.0' (an integer answer needs an equal integer)"),
    ("1\n2\n", "1\n3\n", "exact", "line 2 differs: '2' vs '3' (expected vs got)"),
    ("1\n", "1\n2\n", "exact", "line count differs: 1 vs 2; extra line 2: '2'"),
    ("1 2", "1 2.0", "codecontests", "outputs match"),
]


@pytest.mark.parametrize(("expected", "actual", "mode", "line"), EXPLAIN_TABLE)
def test_explain_mismatch(expected: str, actual: str, mode: str, line: str) -> None:
    assert explain_mismatch(expected, actual, mode) == line


def test_explanations_are_one_short_line() -> None:
    line = explain_mismatch("x" * 10_000 + "\n1", "y" * 10_000 + "\n1")
    assert "\n" not in line and len(line) < 150
    # Control bytes are shown escaped, so the line stays one line.
    assert explain_mismatch("a\x0cb", "a\x0cc") == "first differing token at index 0: 'a\\x0cb' vs 'a\\x0cc'"


# --- properties ---------------------------------------------------------------------------------

SEPARATORS = " \n\t\r\x0b"
NOT_SEPARATORS = ["\x0c", "\u00a0", "\u2003", "\u3000", "\u2028", "\x85", "\x1c", "\x1f"]

words = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,5}", fullmatch=True)
integers = st.integers(min_value=-(10**30), max_value=10**30).map(str)
fixed = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6).map(lambda x: f"{x:.6f}")
token_text = st.one_of(words, integers, fixed, st.sampled_from(["YES", "no", "-0", "007", "1e5", "1.0", "0x1f"]))
finite_token_text = token_text.filter(lambda t: math.isfinite(simple_atod(t.lower().encode()) or 0.0))
gaps = st.text(alphabet=SEPARATORS, min_size=1, max_size=4)


@st.composite
def laid_out(draw: st.DrawFn, parts: list[str]) -> str:
    between = draw(st.lists(gaps, min_size=len(parts) + 1, max_size=len(parts) + 1))
    lead = between[0] if draw(st.booleans()) else ""
    return lead + "".join(p + g for p, g in zip(parts, between[1:]))


@given(st.lists(token_text, max_size=10), st.data())
def test_only_the_five_separators_separate(parts: list[str], data: st.DataObject) -> None:
    assert check(" ".join(parts), data.draw(laid_out(parts)))


@given(st.lists(words, min_size=2, max_size=6), st.sampled_from(NOT_SEPARATORS))
def test_other_whitespace_joins_tokens(parts: list[str], glue: str) -> None:
    assert len(tokens(glue.join(parts))) == 1
    assert not check(" ".join(parts), glue.join(parts))


@given(st.text(), st.data())
def test_ascii_case_never_matters(text: str, data: st.DataObject) -> None:
    flipped = "".join(c.swapcase() if c.isascii() and data.draw(st.booleans()) else c for c in text)
    assert check(text, flipped)
    assert check(text, flipped, "codecontests-strict")


@given(st.sampled_from(["\u00c9", "\u00c0", "\u03a3", "\u0416", "\u00d1"]), words)
def test_non_ascii_case_always_matters(letter: str, word: str) -> None:
    assert not check(word + letter, word + letter.lower())


@given(st.text())
def test_any_text_matches_itself(text: str) -> None:
    for mode in CHECKERS:
        assert check(text, text, mode)
        assert check(text.encode("utf-8", "surrogatepass"), text.encode("utf-8", "surrogatepass"), mode)


@given(st.lists(token_text, max_size=8), token_text)
def test_a_different_token_count_always_fails(parts: list[str], extra: str) -> None:
    for mode in CHECKERS:
        assert not check(" ".join(parts), " ".join(parts + [extra]), mode)
        assert explain_mismatch(" ".join(parts), " ".join(parts + [extra]), mode) != "outputs match"


@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False))
def test_floats_match_iff_strictly_within_tolerance(a: float, b: float) -> None:
    assume(repr(a) != repr(b))
    assert check(repr(a), repr(b)) is (abs(a - b) < 1e-5)
    assert check(repr(a), repr(b), "codecontests-strict") is (abs(a - b) < 1e-5)


@given(st.integers(min_value=-(10**300), max_value=10**300), st.integers(min_value=-(10**300), max_value=10**300))
def test_integers_compare_as_doubles_in_codecontests_and_exactly_in_strict(a: int, b: int) -> None:
    assume(a != b)
    assert check(str(a), str(b)) is (abs(float(a) - float(b)) < 1e-5)
    assert check(str(a), str(b), "codecontests-strict") is False
    padded = ("-00" if a < 0 else "+00") + str(abs(a))
    assert check(str(a), padded, "codecontests-strict")


@given(st.integers(min_value=2**53, max_value=2**62))
def test_integers_beyond_2_53_that_round_together_match(a: int) -> None:
    b = a + 1
    assert check(str(a), str(b)) is (float(a) == float(b))
    assert not check(str(a), str(b), "codecontests-strict")


@given(st.integers(min_value=-(2**63), max_value=2**63))
def test_strict_catches_an_integer_answer_printed_as_a_float(a: int) -> None:
    assert check(str(a), f"{float(a):.1f}") is (abs(float(a) - float(f"{float(a):.1f}")) < 1e-5)
    assert not check(str(a), f"{float(a):.1f}", "codecontests-strict")


@given(st.sampled_from(["inf", "-inf", "nan", "infinity", "1e400", "nan(7)"]), st.lists(finite_token_text, max_size=5))
def test_non_finite_tokens_match_only_in_equal_lists(special: str, parts: list[str]) -> None:
    text = " ".join([special] + parts)
    assert check(text, text.upper())
    assert not check(text + " 1", text + " 1.0")


big_numbers = st.one_of(
    st.builds(lambda d, e, s: f"{d}e{s}{e}", st.from_regex(r"[1-9][0-9]{0,300}", fullmatch=True),
              st.integers(0, 400), st.sampled_from(["", "+", "-"])),
    st.from_regex(r"[1-9][0-9]{150,330}(\.[0-9]{0,5})?", fullmatch=True),
    st.from_regex(r"0x[1-9a-f][0-9a-f]{0,270}(p[0-9]{1,4})?", fullmatch=True),
)


@settings(max_examples=300)
@given(big_numbers, st.lists(finite_token_text, max_size=4))
def test_identical_numbers_match_iff_finite(number: str, parts: list[str]) -> None:
    # Lists that differ elsewhere send every identical pair through ValuesMatch; the ones
    # that overflow to inf fail, however long or however written.
    text = " ".join(parts + [number])
    assert check(text + " 1", text + " 1.0") is math.isfinite(simple_atod(number.encode()))


@given(st.lists(words, min_size=1, max_size=6), st.data())
def test_strings_compare_byte_for_byte(parts: list[str], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(parts) - 1))
    other = data.draw(words.filter(lambda w: w.lower() != parts[i].lower()))
    changed = parts[:i] + [other] + parts[i + 1:]
    assume(simple_atod(other.lower().encode()) is None and simple_atod(parts[i].lower().encode()) is None)
    assert not check(" ".join(parts), " ".join(changed))


decimal_numbers = st.from_regex(r"-?(?:[0-9]{1,25}(?:\.[0-9]{0,25})?|\.[0-9]{1,25})(?:[eE][+-]?[0-9]{1,3})?", fullmatch=True)


@given(decimal_numbers)
def test_simple_atod_reads_decimals_as_correctly_rounded_doubles(text: str) -> None:
    assert simple_atod(text.encode()) == float(text)


@given(st.floats(allow_nan=False))
def test_simple_atod_reads_hex_floats(value: float) -> None:
    assert simple_atod(value.hex().encode()) == value


@given(st.text(), st.text())
def test_str_and_bytes_agree(expected: str, actual: str) -> None:
    e, a = expected.encode("utf-8", "surrogatepass"), actual.encode("utf-8", "surrogatepass")
    for mode in CHECKERS:
        assert check(expected, actual, mode) is check(e, a, mode)


@settings(max_examples=300)
@given(st.lists(token_text, max_size=6), st.lists(token_text, max_size=6), st.sampled_from(CHECKERS))
def test_explanation_agrees_with_the_verdict(a: list[str], b: list[str], mode: str) -> None:
    expected, actual = " ".join(a), " ".join(b)
    line = explain_mismatch(expected, actual, mode)
    assert (line == "outputs match") is check(expected, actual, mode)
    assert "\n" not in line


@given(st.lists(finite_token_text, max_size=8), st.lists(finite_token_text, max_size=8))
def test_strict_acceptance_implies_codecontests_acceptance_for_finite_numbers(a: list[str], b: list[str]) -> None:
    if check(" ".join(a), " ".join(b), "codecontests-strict"):
        assert check(" ".join(a), " ".join(b))


@st.composite
def exact_variants(draw: st.DrawFn, text: str) -> str:
    lines = text.replace("\r\n", "\n").split("\n")
    padded = [line + draw(st.text(alphabet=" \t\r\x0b", max_size=3)) for line in lines]
    tail = draw(st.lists(st.text(alphabet=" \t\r\x0b", max_size=2), max_size=3))
    return draw(st.sampled_from(["\n", "\r\n"])).join(padded + tail)


@given(st.text(), st.data())
def test_exact_forgives_line_endings_and_trailing_whitespace_only(text: str, data: st.DataObject) -> None:
    variant = data.draw(exact_variants(text))
    assert check(text, variant, "exact") and check(variant, text, "exact")
    # Normalising removes separators only, so the token rules agree.
    assert check(text, variant) and check(text, variant, "codecontests-strict")
