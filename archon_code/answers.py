"""Parsers for what language models answer: rankings, critiques, verdicts, unit tests.

Model answers are untrusted text. Every parser reads a capped copy, line by line, with no
regular expression that can backtrack badly, and returns None for an answer it cannot read;
the caller decides what to do about it (ask again, note it in the trace).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

MAX_ANSWER_CHARS = 100_000  # parsers read at most this much of an answer
MAX_TEST_CHARS = 100_000  # a longer LLM-written test input or output is dropped
MAX_NL_TEST_CHARS = 1_000  # a longer natural-language unit test is dropped
MAX_NL_TESTS = 100  # natural-language unit tests read from one answer


def readable(text: str) -> str:
    """The part of an answer worth parsing: what follows a reasoning block, capped at the end
    (answers put their conclusion last)."""
    end = text.rfind("</think>")
    if end != -1 and text[end + len("</think>"):].strip():
        text = text[end + len("</think>"):]
    return text[-MAX_ANSWER_CHARS:]


_RANK_CHAIN = re.compile(r"\[\s{0,3}\d{1,4}\s{0,3}\](?:\s{0,8}(?:>>?|≻|→|,)\s{0,8}\[\s{0,3}\d{1,4}\s{0,3}\])+")
_RANK_LABEL = re.compile(r"(?:ranking|answer|order)(?:\s{1,3}is)?\s{0,3}[:=]?", re.IGNORECASE)
_RANK_SEPARATORS = re.compile(r"[\s,;>≻→]+")
_DIGITS = re.compile(r"\d{1,4}")
_MARKUP = "*_`#'\" "


def _ids(fragment: str) -> list[int] | None:
    """``[2] > [1] > [3]``, ``2, 1, 3``, ``2 > 1 > 3`` or a JSON list of integers."""
    fragment = fragment.strip().strip(_MARKUP).rstrip(".").strip(_MARKUP)
    if not fragment:
        return None
    if fragment.startswith("[") and fragment.endswith("]"):
        try:
            value = json.loads(fragment)
        except ValueError:
            value = None
        if isinstance(value, list) and value and all(type(v) is int for v in value):
            return value
    tokens = [t for t in _RANK_SEPARATORS.split(fragment.replace("[", " ").replace("]", " ")) if t]
    if tokens and all(t.isascii() and t.isdigit() and len(t) <= 4 for t in tokens):
        return [int(t) for t in tokens]
    return None


def _valid_ranking(ids: list[int] | None, count: int, minimum: int = 1) -> bool:
    return bool(ids) and len(ids) >= minimum and len(set(ids)) == len(ids) and all(1 <= i <= count for i in ids)


def _ranking_in_line(line: str, count: int, labelled_only: bool) -> list[int] | None:
    line = line.strip().strip(_MARKUP + ">").strip()
    if not line or len(line) > 2000:
        return None
    labels = list(_RANK_LABEL.finditer(line))
    if labels:
        ids = _ids(line[labels[-1].end():])
        if _valid_ranking(ids, count):
            return ids
    if labelled_only:
        return None
    chains = list(_RANK_CHAIN.finditer(line))
    if chains:
        ids = [int(d) for d in _DIGITS.findall(chains[-1].group())]
        if _valid_ranking(ids, count):
            return ids
    ids = _ids(line)
    if _valid_ranking(ids, count, minimum=min(2, count)):
        return ids
    return None


def parse_ranking(text: str, count: int) -> list[int] | None:
    """The order (0-based indices, best first, every index once) that an answer ranks
    ``count`` programs in, or None when it holds no ranking.

    The answer may explain before it ranks: a labelled line (``Ranking: ...``,
    ``Answer: ...``) wins, else the last line that is a ranking, else the last JSON list.
    Identifiers the ranking leaves out follow in their original order.
    """
    lines = readable(text).split("\n")
    found: list[int] | None = None
    for labelled_only in (True, False):
        for line in reversed(lines):
            found = _ranking_in_line(line, count, labelled_only)
            if found:
                break
        if found:
            break
    if not found:
        for value in reversed(list(json_values(readable(text)))):
            if (isinstance(value, list) and all(type(v) is int for v in value)
                    and _valid_ranking(value, count, minimum=min(2, count))):
                found = value
                break
    if not found:
        return None
    order = [i - 1 for i in found]
    return order + [i for i in range(count) if i not in order]


_HEAD_BRACKET = re.compile(r"\[(\d{1,3})\]")
_HEAD_WORD = re.compile(
    r"(?:program|solution|candidate|response|review)\s{0,3}#?\s{0,3}\[?(\d{1,3})\]?(?=$|[\s:.)*\-])",
    re.IGNORECASE,
)


def parse_critiques(text: str, count: int) -> dict[int, str] | None:
    """Critiques by program number (1-based) from an answer that starts each review with
    the program's identifier (``[2]``, ``**Program [2]**``, ``### Program 2:``)."""
    sections: dict[int, list[str]] = {}
    current: int | None = None
    for line in readable(text).split("\n"):
        head = line.strip().lstrip("#*_> ").strip()
        match = _HEAD_BRACKET.match(head) or _HEAD_WORD.match(head)
        if match is not None:
            number = int(match.group(1))
            if 1 <= number <= count and number not in sections:
                current = number
                rest = head[match.end():].strip(" *_:-")
                sections[current] = [rest] if rest else []
                continue
        if current is not None:
            sections[current].append(line)
    critiques = {k: "\n".join(v).strip() for k, v in sections.items()}
    critiques = {k: v for k, v in critiques.items() if v}
    return critiques or None


_WORDS = re.compile(r"[a-z]+")


def parse_verdict(text: str) -> bool | None:
    """True for ``[Correct]``, False for ``[Incorrect]`` (the last one given wins), else a
    final ``Verdict: ...`` line in words; None when the answer gives no verdict."""
    body = readable(text).lower()
    bad, good = body.rfind("[incorrect]"), body.rfind("[correct]")
    if bad != -1 or good != -1:
        return good > bad
    for line in reversed(body.split("\n")):
        if "verdict" not in line:
            continue
        words = _WORDS.findall(line.split("verdict", 1)[1])
        if "incorrect" in words or "wrong" in words or ("not" in words and "correct" in words):
            return False
        if "correct" in words:
            return True
    return None


_TEST_VERDICT = re.compile(
    r"(?:unit\s{0,3})?test\s{0,3}(?:case\s{0,3})?#?\s{0,3}(\d{1,4})\s{0,3}[:\-–=]?\s{0,3}[*_`]{0,3}\s{0,3}"
    r"\[?\s{0,3}(passed|failed|pass|fail)\b",
    re.IGNORECASE,
)
_BARE_VERDICT = re.compile(r"\[(passed|failed)\]", re.IGNORECASE)


def parse_test_verdicts(text: str, count: int) -> list[bool | None] | None:
    """Per unit test (in order): predicted to pass (True), to fail (False), or not said
    (None). Reads ``Unit Test #k: [Passed]`` lines (the last verdict for a test wins); without
    numbers, exactly ``count`` bare ``[Passed]``/``[Failed]`` marks in order. None when the
    answer has no verdict at all."""
    verdicts: list[bool | None] = [None] * count
    body = readable(text)
    seen = False
    for line in body.split("\n"):
        for match in _TEST_VERDICT.finditer(line):
            index = int(match.group(1))
            if 1 <= index <= count:
                verdicts[index - 1] = match.group(2).lower().startswith("pass")
                seen = True
    if seen:
        return verdicts
    bare = _BARE_VERDICT.findall(body)
    if len(bare) == count:
        return [v.lower() == "passed" for v in bare]
    return None


_INPUT_KEYS = ("input", "stdin", "in")
_OUTPUT_KEYS = ("output", "expected_output", "expected", "stdout", "out")


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return "\n".join(str(v) for v in value)
    return None


def _test_pair(item: Any) -> tuple[str, str] | None:
    if not isinstance(item, dict):
        return None
    keys = {str(k).strip().lower(): v for k, v in item.items()}
    inp = next((_as_text(keys[k]) for k in _INPUT_KEYS if k in keys), None)
    out = next((_as_text(keys[k]) for k in _OUTPUT_KEYS if k in keys), None)
    if inp is None or out is None or not inp.strip() or len(inp) > MAX_TEST_CHARS or len(out) > MAX_TEST_CHARS:
        return None
    return inp, out


def _fenced_bodies(text: str) -> Iterator[str]:
    body: list[str] | None = None
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            if body is None:
                body = []
            else:
                yield "\n".join(body)
                body = None
        elif body is not None:
            body.append(line)


def json_values(text: str, max_starts: int = 200) -> Iterator[Any]:
    """JSON values in an answer: fenced blocks first, then values starting at each ``[`` or
    ``{`` (a bounded number of starts), in order of position."""
    for body in _fenced_bodies(text):
        try:
            yield json.loads(body)
        except ValueError:
            pass
    decoder = json.JSONDecoder()
    starts = 0
    position = 0
    while starts < max_starts:
        bracket = text.find("[", position)
        brace = text.find("{", position)
        found = [i for i in (bracket, brace) if i != -1]
        if not found:
            return
        position = min(found)
        starts += 1
        try:
            value, end = decoder.raw_decode(text, position)
        except ValueError:
            position += 1
            continue
        yield value
        position = end


def parse_unit_tests(text: str) -> list[tuple[str, str]] | None:
    """(input, expected output) pairs from an answer holding a JSON list of
    ``{"input": ..., "output": ...}`` objects: fenced or not, with prose around it, or
    wrapped in an object (``{"tests": [...]}``). None when no such list is found."""
    for value in json_values(readable(text)):
        if isinstance(value, dict):
            lists = [v for v in value.values() if isinstance(v, list)]
            value = lists[0] if len(lists) == 1 else [value]
        if not isinstance(value, list):
            continue
        pairs = [p for p in (_test_pair(item) for item in value) if p is not None]
        if pairs:
            return pairs
    return None


def normalise_input(text: str) -> str:
    """Test input as a program reads it: trailing spaces cut, one final newline."""
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")) + "\n"


_BULLET = re.compile(r"\s{0,8}(?:[-*•]|\d{1,3}[.)])\s{1,4}(\S.*)")


def parse_nl_unit_tests(text: str) -> list[str] | None:
    """Natural-language unit tests (statements a correct program satisfies) from an answer
    holding a list of strings: JSON, fenced or not; the single-quoted list Archon's prompt
    shows (``['unit test #1', 'unit test #2']``); or one bulleted or numbered line per test.
    Each test becomes one line. None when the answer holds no test."""
    body = readable(text)
    for value in json_values(body):
        if isinstance(value, dict):
            lists = [v for v in value.values() if isinstance(v, list)]
            value = lists[0] if len(lists) == 1 else None
        if isinstance(value, list):
            tests = _nl_tests(v for v in value if isinstance(v, str))
            if tests:
                return tests
    start, end = body.rfind("["), body.rfind("]")
    if 0 <= start < end:
        tests = _nl_tests(_quoted(body[start + 1:end]))
        if tests:
            return tests
    return _nl_tests(m.group(1) for m in map(_BULLET.fullmatch, body.split("\n")) if m)


def _quoted(fragment: str) -> Iterator[str]:
    """The quoted strings in a Python-style list, in one pass (quotes escaped by a backslash
    stay in the string)."""
    i = 0
    while i < len(fragment):
        quote = fragment[i]
        if quote not in "'\"":
            i += 1
            continue
        j, parts = i + 1, []
        while j < len(fragment) and fragment[j] != quote:
            if fragment[j] == "\\" and j + 1 < len(fragment):
                j += 1
            parts.append(fragment[j])
            j += 1
        yield "".join(parts)
        i = j + 1


def _nl_tests(items: Iterator[str] | Any) -> list[str] | None:
    tests: list[str] = []
    for item in items:
        test = " ".join(item.split())
        if test and len(test) <= MAX_NL_TEST_CHARS and test not in tests:
            tests.append(test)
            if len(tests) == MAX_NL_TESTS:
                break
    return tests or None


# -- the tournament judge's answers ------------------------------------------------------------

_INPUT_TAGS = frozenset({"", "input", "in", "stdin", "text", "txt", "plaintext", "plain"})
_ANSWER = re.compile(r"answer\s*[:=]?\s*\**\s*(?:output\s*)?([12])\b", re.IGNORECASE)


def fenced_inputs(text: str, limit: int, max_bytes: int) -> list[str]:
    """Inputs in fenced blocks tagged as input (or untagged), in order; at most ``limit``."""
    out: list[str] = []
    lines = text[:MAX_ANSWER_CHARS].replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines) and len(out) < limit:
        opening = lines[i].strip()
        i += 1
        if not opening.startswith("```"):
            continue
        tag = opening[3:].strip().lower()
        body = []
        while i < len(lines) and not lines[i].strip().startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        block = "\n".join(body).strip("\n")
        if tag in _INPUT_TAGS and block.strip() and len(block.encode()) <= max_bytes:
            text_in = block + "\n"
            if text_in not in out:
                out.append(text_in)
    return out


def judge_verdict(text: str) -> int | None:
    """1 or 2 from the judge's last ``ANSWER:`` line; None when it gives none."""
    for line in reversed(text[-MAX_ANSWER_CHARS:].split("\n")):
        m = _ANSWER.search(line)
        if m:
            return int(m.group(1))
    return None
