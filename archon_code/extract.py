"""Pull the program out of a model's answer.

Model output is untrusted text: it is capped in size and scanned line by line, with no
regular expression that can backtrack. When nothing usable is found the result says why, so
callers can record the reason next to the candidate instead of dropping it silently.
"""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass

from sandbox import languages

Language = str  # a name in the language table

MAX_INPUT_CHARS = 200_000

LANGUAGE_TAGS: dict[str, str] = {tag: lang.name for lang in languages.LANGUAGES.values()
                                 for tag in lang.fence_tags}
_NAMES = " or ".join(lang.label for lang in languages.LANGUAGES.values())

# Tags models put on sample input/output and shell transcripts, never on the solution.
NON_CODE_TAGS = frozenset(
    {"text", "txt", "plaintext", "plain", "input", "output", "stdin", "stdout", "console", "shell", "sh", "bash",
     "none", "example", "sample", "markdown", "md", "json", "csv", "diff", "math", "latex", "tex"}
)

# A preprocessor line reads as no indented language's code (``#define`` holds "None" and such).
_PREPROCESSOR = ("#include", "#define")
# How a line that begins a program may start, in any language in the table.
_CODE_STARTS = tuple(dict.fromkeys(s for lang in languages.LANGUAGES.values() for s in lang.code_starts))


@dataclass(frozen=True)
class Extracted:
    code: str | None
    language: Language | None
    reason: str


@dataclass(frozen=True)
class _Block:
    tag: str
    body: str
    terminated: bool
    order: int


def extract_code(text: str | None, prefer: str = "any") -> Extracted:
    """The solution program in ``text`` (a model's whole answer), with its language.

    Fenced blocks tagged with a language win over untagged ones, and among equals the longest
    wins (the full solution, not a snippet or the sample input). Without fences the whole
    answer is taken when it reads as code. ``prefer`` breaks ties between languages.
    """
    if text is None or not text.strip():
        return Extracted(None, None, "empty response")
    notes: list[str] = []
    if len(text) > MAX_INPUT_CHARS:
        text = text[:MAX_INPUT_CHARS]
        notes.append(f"input truncated to {MAX_INPUT_CHARS} characters")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _drop_reasoning(text, notes)

    blocks = _fenced_blocks(text)
    if blocks:
        picked = _pick_block(blocks, prefer)
        if isinstance(picked, str):
            return Extracted(None, None, _join(notes + [picked]))
        block, language, why = picked
        if not block.terminated:
            why += "; fence not closed (output truncated?)"
        return Extracted(block.body, language, _join(notes + [why]))

    code, language, why = _unfenced(text)
    return Extracted(code, language, _join(notes + [why]))


def detect_language(code: str) -> Language | None:
    """The language ``code`` reads as, when one stands out, else ``None``."""
    scores = _scores(code)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    (best, top), (_, second) = ranked[0], ranked[1]
    if top == second or top < 2:
        return None
    return best  # type: ignore[return-value]


def _scores(code: str) -> dict[str, int]:
    table = languages.LANGUAGES.values()
    scores = dict.fromkeys(languages.NAMES, 0)
    for raw in code.split("\n"):
        line = raw.strip()
        if not line:
            continue
        preprocessor = line.startswith(_PREPROCESSOR)
        braces = line.endswith(";") or line in ("{", "}", "};")
        for lang in table:
            indented = lang.blocks == "indent"
            if indented and preprocessor:
                continue
            if indented and line.startswith(lang.block_starts) and line.endswith(":"):
                scores[lang.name] += 3
            elif indented and line.startswith(("import ", "from ")) and not line.endswith(";"):
                scores[lang.name] += 3
            scores[lang.name] += 3 * sum(token in line for token in lang.strong_marks)
            scores[lang.name] += sum(token in line for token in lang.weak_marks)
        # Braces and semicolons: any braced language, whichever else the code shows.
        for lang in table:
            if braces and lang.blocks == "braces":
                scores[lang.name] += 1
            elif not braces and lang.blocks == "indent" and line.endswith(":") and not line.startswith("//"):
                scores[lang.name] += 1
    return scores


def _drop_reasoning(text: str, notes: list[str]) -> str:
    """Reasoning models draft code inside ``<think>``; the answer is what follows it."""
    end = text.rfind("</think>")
    if end == -1:
        return text
    after = text[end + len("</think>"):]
    if after.strip():
        notes.append("reasoning before </think> ignored")
        return after
    return text


def _fence(line: str) -> tuple[str, int, str] | None:
    """(fence char, fence length, info string) when ``line`` opens or closes a fence."""
    stripped = line.lstrip(" \t")
    if len(line) - len(stripped) > 12:
        return None
    for char in ("`", "~"):
        if stripped.startswith(char * 3):
            length = len(stripped) - len(stripped.lstrip(char))
            return char, length, stripped[length:].strip()
    return None


def _fenced_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        opening = _fence(lines[i])
        if opening is None:
            i += 1
            continue
        char, length, info = opening
        indent = len(lines[i]) - len(lines[i].lstrip(" \t"))
        tag = info.split()[0].lower().strip("{}.") if info else ""
        body: list[str] = []
        i += 1
        terminated = False
        while i < len(lines):
            closing = _fence(lines[i])
            if closing is not None and closing[0] == char and closing[1] >= length and not closing[2]:
                terminated = True
                i += 1
                break
            body.append(_dedent_line(lines[i], indent))
            i += 1
        blocks.append(_Block(tag, "\n".join(body).strip("\n") + "\n", terminated, len(blocks)))
    return [b for b in blocks if b.body.strip()]


def _dedent_line(line: str, indent: int) -> str:
    """Remove up to ``indent`` leading spaces (a fence nested in a list item)."""
    if indent == 0:
        return line
    stripped = line.lstrip(" ")
    return line[min(indent, len(line) - len(stripped)):]


def _pick_block(blocks: list[_Block], prefer: str) -> tuple[_Block, Language, str] | str:
    tagged: list[tuple[_Block, Language]] = []
    untagged: list[tuple[_Block, Language]] = []
    other_tags: set[str] = set()
    for block in blocks:
        if block.tag in LANGUAGE_TAGS:
            language = LANGUAGE_TAGS[block.tag]
            detected = detect_language(block.body)
            scores = _scores(block.body)
            # A wrong tag loses to unambiguous content (python code tagged cpp, say).
            if detected is not None and detected != language and scores[detected] - scores[language] >= 6:
                language = detected
            tagged.append((block, language))
        elif block.tag in NON_CODE_TAGS or block.tag == "":
            detected = detect_language(block.body)
            if detected is not None and block.tag not in ("input", "output", "stdin", "stdout"):
                untagged.append((block, detected))
        else:
            other_tags.add(block.tag)

    for pool, kind in ((tagged, "tagged"), (untagged, "untagged")):
        if not pool:
            continue
        preferred = [entry for entry in pool if entry[1] == prefer] or pool
        # Longest wins; on equal length the later block (models revise towards the end).
        block, language = max(preferred, key=lambda e: (len(e[0].body.strip()), e[0].order))
        count = f"{len(blocks)} fenced block{'s' if len(blocks) != 1 else ''}"
        if kind == "tagged":
            why = f"fenced block tagged {block.tag!r} (block {block.order + 1} of {count})"
        else:
            why = f"untagged fenced block that reads as {language} (block {block.order + 1} of {count})"
        return block, language, why

    if other_tags:
        return f"no {_NAMES} code: fenced blocks are tagged " + ", ".join(sorted(other_tags))
    return f"no code found: {len(blocks)} fenced block(s), none reads as {_NAMES}"


def _unfenced(text: str) -> tuple[str | None, Language | None, str]:
    """The whole answer as code, after dropping leading and trailing prose."""
    lines = text.split("\n")
    start = next((k for k, line in enumerate(lines) if line.strip().startswith(_CODE_STARTS)), None)
    if start is None:
        return None, None, "no code found: no fenced block, and the response does not read as code"
    end = len(lines)
    while end > start and (not lines[end - 1].strip() or _is_prose(lines[end - 1])):
        end -= 1
    code = "\n".join(lines[start:end]).strip("\n") + "\n"
    language = detect_language(code)
    if language is None:
        return None, None, "no code found: no fenced block, and the response does not read as code"
    body = [line for line in code.split("\n") if line.strip()]
    prose = sum(_is_prose(line) for line in body)
    if prose * 3 > len(body):
        return None, None, "no code found: no fenced block, and the response is mostly prose"
    if language == languages.PYTHON.name and not _parses(code):
        return None, None, "no code found: no fenced block, and the unfenced text is not valid python"
    why = "unfenced response reads as " + languages.get(language).label
    if start > 0 or end < len(lines):
        why += " (surrounding prose dropped)"
    return code, language, why


def _is_prose(line: str) -> bool:
    """An unindented sentence: starts with a letter, several words, no code punctuation."""
    if line[:1] in (" ", "\t") or not line[:1].isalpha():
        return False
    stripped = line.strip()
    if stripped.startswith(_CODE_STARTS):
        return False
    if any(ch in stripped for ch in "=(){};[]<>#") or stripped.endswith(":") and len(stripped.split()) < 4:
        return False
    return len(stripped.split()) >= 4


# CPython keeps the counter that guards building AST objects in state shared by all threads,
# so two threads parsing at once can fail with "SystemError: AST constructor recursion depth
# mismatch" (python/cpython#106905; seen on 3.11). Program mutation parses in worker threads
# while the event loop may parse too, so every parse goes through this lock.
_AST_LOCK = threading.Lock()


def parse_python(source: str) -> ast.Module:
    """`ast.parse`, safe to call from several threads at once."""
    with _AST_LOCK:
        return ast.parse(source)


def _parses(code: str) -> bool:
    try:
        parse_python(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _join(parts: list[str]) -> str:
    return "; ".join(parts)
