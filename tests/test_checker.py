from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.checker import CHECKERS, check, codecontests_equal, strict_equal

# --- the mode switch ------------------------------------------------------------------


def test_checkers_lists_both_modes_and_check_dispatches_to_them() -> None:
    assert CHECKERS == ("codecontests", "strict")
    # A pair the two rules disagree on shows which rule each mode name runs.
    assert check("a b", "a  b") is True
    assert check("a b", "a  b", mode="codecontests") is True
    assert check("a b", "a  b", mode="strict") is False


def test_unknown_mode_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'exact'"):
        check("1", "1", mode="exact")


# --- codecontests: whitespace and case ------------------------------------------------

CODECONTESTS_CASES = [
    # whitespace never matters
    ("1 2 3\n", "1 2 3", True),
    ("1 2 3\n", "1 2 3   \n\n\n", True),
    ("1 2\n3\n", "1\r\n2\r\n3\r\n", True),
    ("1 2 3", "  1\t2\n\n3  ", True),
    ("a b", "ab", False),
    # case never matters
    ("YES\n", "yes\n", True),
    ("Yes", "yEs", True),
    ("YES", "NO", False),
    # token counts must match
    ("1 2 3", "1 2", False),
    ("1 2", "1 2 3", False),
    ("1", "1 0", False),
    # empty outputs
    ("", "", True),
    ("", " \n\t\r\n", True),
    ("\n", "", True),
    ("", "0", False),
    ("0", "", False),
    # integers are exact, whatever their spelling
    ("7", "007", True),
    ("0", "-0", True),
    ("0", "+0", True),
    ("-0", "000", True),
    ("5", "+5", True),
    ("-12", "-00012", True),
    ("5", "-5", False),
    ("5", "6", False),
    # far beyond double precision: equal as doubles, different as integers
    ("100000000000000000000", "100000000000000000001", False),
    ("123456789012345678901234567890", "123456789012345678901234567890", True),
    ("123456789012345678901234567890", "0123456789012345678901234567890", True),
    ("-123456789012345678901234567890", "-123456789012345678901234567891", False),
    # floats within 1e-5 absolute
    ("0", "0.00001", True),
    ("0", "0.00002", False),
    ("0", "-0.00001", True),
    ("-0.000005", "0.000005", True),
    ("1.5", "1.500009", True),
    ("1.5", "1.50002", False),
    ("0.333333", "0.3333333333", True),
    ("1000000.5", "1000000.500001", True),
    ("1000000.5", "1000000.50002", False),
    # an integer against a float is a float comparison
    ("1", "1.000000", True),
    ("1.000000", "1", True),
    ("1", "1.000001", True),
    ("1", "1.0001", False),
    ("100000", "1e5", True),
    ("100000", "1E5", True),
    ("-0.0", "0", True),
    ("2", "2.", True),
    ("0.5", ".5", True),
    # nan and inf compare as words
    ("nan", "nan", True),
    ("NaN", "nan", True),
    ("nan", "0", False),
    ("nan", "nan0", False),
    ("inf", "inf", True),
    ("-inf", "-INF", True),
    ("inf", "infinity", False),
    ("inf", "1e400", False),
    ("1e400", "2e400", False),
    ("1e400", "1E400", True),
    # spellings float() accepts but no judge reads as a number
    ("1000", "1_000", False),
    ("10.5", "1_0.5", False),
    ("1", "\uff11", False),  # fullwidth digit one
    ("12", "\u0661\u0662", False),  # Arabic-Indic digits
    # non-ASCII digits are words, so a sign in front makes a different word
    ("\u0661", "+\u0661", False),
    ("\u00b2", "+\u00b2", False),  # superscript two, which str.isdigit() accepts
    # words are compared as words
    ("abc", "abd", False),
    ("0x10", "16", False),
    ("1/2", "0.5", False),
    ("-", "+", False),
    ("+", "+", True),
]


@pytest.mark.parametrize(("expected", "actual", "accepted"), CODECONTESTS_CASES)
def test_codecontests_rule(expected: str, actual: str, accepted: bool) -> None:
    assert codecontests_equal(expected, actual) is accepted
    assert check(expected, actual, mode="codecontests") is accepted


def test_integers_longer_than_python_int_conversion_limit_stay_exact() -> None:
    # Python refuses int() on strings of more than 4300 digits by default.
    big = "9" * 5000
    assert codecontests_equal(big, "000" + big)
    assert codecontests_equal("-" + big, "-0" + big)
    assert not codecontests_equal(big, big[:-1] + "8")
    assert not codecontests_equal(big, "-" + big)


def test_only_the_differing_token_decides_in_a_large_output() -> None:
    lines = [f"{i} {i * 0.5:.6f}" for i in range(1_000_000)]
    expected = "\n".join(lines) + "\n"
    assert codecontests_equal(expected, "\r\n".join(lines))
    assert strict_equal(expected, "\r\n".join(lines))

    nudged = list(lines)
    nudged[-1] = "999999 499999.500004"
    assert codecontests_equal(expected, "\n".join(nudged))
    assert not strict_equal(expected, "\n".join(nudged))

    wrong = list(lines)
    wrong[-1] = "1000000 499999.500000"
    assert not codecontests_equal(expected, "\n".join(wrong))


# --- strict ---------------------------------------------------------------------------

STRICT_CASES = [
    ("1 2\n", "1 2\n", True),
    ("1 2\n", "1 2", True),
    ("1 2", "1 2\n\n\n", True),
    ("1 2\n3\n", "1 2\r\n3\r\n", True),
    ("1 2\n3", "1 2   \n3\t\n", True),
    ("1 2\n", "1 2 \n  \n\t\n", True),
    ("", "\n\n", True),
    ("", "", True),
    # differences that codecontests forgives and strict does not
    ("1 2", "1  2", False),
    ("1 2", "1\t2", False),
    ("1 2", " 1 2", False),
    ("1 2", "1\n2", False),
    ("1\n2", "1\n\n2", False),
    ("YES", "yes", False),
    ("7", "007", False),
    ("1.5", "1.500001", False),
    ("1\n2", "1\r2", False),
    ("", "0", False),
]


@pytest.mark.parametrize(("expected", "actual", "accepted"), STRICT_CASES)
def test_strict_rule(expected: str, actual: str, accepted: bool) -> None:
    assert strict_equal(expected, actual) is accepted
    assert check(expected, actual, mode="strict") is accepted


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("1 2", "1  2"),
        ("1 2", "1\t2"),
        ("1 2", " 1 2"),
        ("1 2", "1\n2"),
        ("1\n2", "1\n\n2"),
        ("1\n2", "1\r2"),
        ("YES", "yes"),
        ("7", "007"),
        ("1.5", "1.500001"),
    ],
)
def test_strict_rejects_what_codecontests_forgives(expected: str, actual: str) -> None:
    assert not strict_equal(expected, actual)
    assert codecontests_equal(expected, actual)


# --- properties -----------------------------------------------------------------------

WHITESPACE = " \t\n\r\x0b\x0c"
LINE_WHITESPACE = " \t\r\x0b\x0c"

words = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,5}", fullmatch=True)
integers = st.integers(min_value=-(10**30), max_value=10**30).map(str)
floats = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6).map(
    lambda x: f"{x:.6f}"
)
tokens = st.one_of(
    words,
    integers,
    floats,
    st.sampled_from(["YES", "no", "nan", "inf", "-0", "007", "1e5", "1.0"]),
)
separators = st.text(alphabet=WHITESPACE, min_size=1, max_size=4)


@st.composite
def outputs(draw: st.DrawFn) -> str:
    """Token texts laid out with arbitrary whitespace, leading and trailing too."""
    parts = draw(st.lists(tokens, max_size=12))
    gaps = draw(st.lists(separators, min_size=len(parts) + 1, max_size=len(parts) + 1))
    lead = draw(st.booleans())
    text = gaps[0] if lead else ""
    for token, gap in zip(parts, gaps[1:]):
        text += token + gap
    return text


@st.composite
def relaid(draw: st.DrawFn, text: str) -> str:
    """The same tokens as ``text`` joined with freshly drawn whitespace."""
    parts = text.split()
    gaps = draw(st.lists(separators, min_size=len(parts) + 1, max_size=len(parts) + 1))
    return gaps[0] + "".join(token + gap for token, gap in zip(parts, gaps[1:]))


@given(st.text())
def test_any_text_matches_itself_in_every_mode(text: str) -> None:
    for mode in CHECKERS:
        assert check(text, text, mode=mode)


@given(st.text(), st.data())
def test_any_text_matches_its_own_tokens_relaid(text: str, data: st.DataObject) -> None:
    assert codecontests_equal(text, data.draw(relaid(text)))


@given(outputs(), outputs(), st.data())
def test_codecontests_ignores_how_tokens_are_laid_out(
    expected: str, actual: str, data: st.DataObject
) -> None:
    verdict = codecontests_equal(expected, actual)
    assert codecontests_equal(data.draw(relaid(expected)), data.draw(relaid(actual))) is verdict


@given(outputs(), outputs())
def test_codecontests_is_symmetric(expected: str, actual: str) -> None:
    assert codecontests_equal(expected, actual) is codecontests_equal(actual, expected)


@given(outputs(), st.data())
def test_codecontests_ignores_ascii_case(text: str, data: st.DataObject) -> None:
    assert codecontests_equal(text, text.swapcase())
    assert codecontests_equal(text.upper(), data.draw(relaid(text.lower())))


@given(outputs(), tokens)
def test_an_extra_token_is_always_wrong(text: str, extra: str) -> None:
    assert not codecontests_equal(text, text + " " + extra)
    assert not codecontests_equal(extra + "\n" + text, text)


@given(st.integers(), st.integers())
def test_integers_compare_exactly(a: int, b: int) -> None:
    assert codecontests_equal(str(a), str(b)) is (a == b)


@given(st.integers(), st.integers(min_value=1, max_value=5))
def test_leading_zeros_do_not_change_an_integer(a: int, zeros: int) -> None:
    sign = "-" if a < 0 else ""
    assert codecontests_equal(str(a), sign + "0" * zeros + str(abs(a)))


@given(st.lists(st.integers(min_value=0, max_value=9), min_size=17, max_size=60), st.data())
def test_long_integers_differing_in_one_digit_are_wrong(
    digits: list[int], data: st.DataObject
) -> None:
    number = "1" + "".join(map(str, digits))
    position = data.draw(st.integers(min_value=0, max_value=len(number) - 1))
    replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != number[position]]))
    other = number[:position] + replacement + number[position + 1 :]
    assert not codecontests_equal(number, other)
    assert not codecontests_equal(f"0 {number} 0", f"0 {other} 0")


@given(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
)
def test_floats_pass_exactly_when_within_tolerance(a: float, b: float) -> None:
    # repr() round-trips and always contains "." or "e", so these are float tokens.
    assert codecontests_equal(repr(a), repr(b)) is (abs(a - b) <= 1e-5)


@given(st.floats(min_value=-1e6, max_value=1e6), st.floats(min_value=-9e-6, max_value=9e-6))
def test_small_float_errors_pass_and_large_ones_fail(value: float, error: float) -> None:
    assert codecontests_equal(f"{value:.6f}", repr(float(f"{value:.6f}") + error))
    assert not codecontests_equal(f"{value:.6f}", repr(float(f"{value:.6f}") + 2e-5 + abs(error)))


@st.composite
def strict_variants(draw: st.DrawFn, text: str) -> str:
    """``text`` with line endings, trailing whitespace and trailing blank lines changed."""
    lines = text.replace("\r\n", "\n").split("\n")
    padded = [line + draw(st.text(alphabet=LINE_WHITESPACE, max_size=3)) for line in lines]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    tail = draw(st.lists(st.text(alphabet=LINE_WHITESPACE, max_size=2), max_size=3))
    return newline.join(padded + tail)


@given(st.text(), st.data())
def test_strict_forgives_line_endings_and_trailing_whitespace(
    text: str, data: st.DataObject
) -> None:
    variant = data.draw(strict_variants(text))
    assert strict_equal(text, variant)
    assert strict_equal(variant, text)


@given(st.text(), st.data())
def test_strict_acceptance_implies_codecontests_acceptance(
    text: str, data: st.DataObject
) -> None:
    # Strict normalisation only removes whitespace, so it never changes the tokens.
    variant = data.draw(strict_variants(text))
    assert strict_equal(text, variant)
    assert codecontests_equal(text, variant)

