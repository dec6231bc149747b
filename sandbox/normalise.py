"""Programs that differ only in comments, blank lines or layout run alike: one key for them.

`run_key(program)` is the identity under which a program's runs are kept and shared. Two
programs with the same run key behave the same on every input, up to what a program can only
see by reading its own source text or line numbers (a traceback's line on stderr, which no
verdict reads):

- Python: the syntax tree (`ast.dump`, without positions). Comments, blank lines, layout and
  the quoting of strings fall away; every name, literal and statement stays.
- C-like languages (C++, Java): comments go, runs of white space become one space, line
  ends are kept only around preprocessor directives; string and character literals are kept
  as written. A source the rule cannot read safely (raw strings, text blocks, line
  continuations, `__LINE__`, digit separators) keeps its exact text as its key.

A source that does not parse keeps its exact text too.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
import warnings

from sandbox.types import Program

# Literals first, so that a comment marker inside a string stays a string.
_C_TOKENS = re.compile(
    r'(?P<lit>"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\')'
    r"|(?P<line>//[^\n]*)"
    r"|(?P<block>/\*.*?\*/)"
    r"|(?P<space>[ \t\f\v\r]+)",
    re.S,
)
# Raw strings, text blocks, line continuations, __LINE__, an unclosed comment, and C++14 digit
# separators (1'000'000, whose quotes would read as character literals).
_C_UNSAFE = re.compile(r'R"|"""|\\\n|__LINE__|/\*(?!.*?\*/)|[0-9A-Fa-f]\'[0-9A-Fa-f]', re.S)


def run_key(program: Program) -> str:
    return _run_key(program.language, program.source)


@functools.lru_cache(maxsize=4096)
def _run_key(language: str, source: str) -> str:
    form = normal_form(language, source)
    if form is None:
        return hashlib.sha256(f"{language}\0exact\0{source}".encode()).hexdigest()
    return hashlib.sha256(f"{language}\0normal\0{form}".encode()).hexdigest()


def normal_form(language: str, source: str) -> str | None:
    """The text two equivalent programs share, or None when only the exact text will do."""
    if language == "python":
        return _python(source)
    if language in ("cpp", "java"):
        return _c_like(source)
    return None


def _python(source: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: not ours to say
            return ast.dump(ast.parse(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _c_like(source: str) -> str | None:
    if _C_UNSAFE.search(source):
        return None

    def token(m: re.Match) -> str:
        if m.group("lit") is not None:
            return m.group("lit")
        if m.group("line") is not None:
            return ""
        return " "  # a comment is one space, even across lines (C's own rule)

    text = _C_TOKENS.sub(token, source)
    text = _C_TOKENS.sub(token, text)  # the spaces left around a removed comment
    # Line ends matter only around preprocessor directives.
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            out.append("\n" + line + "\n")
        else:
            out.append(line + " ")
    return "".join(out).replace("\n\n", "\n").strip()
