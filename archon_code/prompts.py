"""Prompts for every LLM role, written for programs rather than chat answers.

Every builder returns chat messages. The problem is always shown the same way (see
:func:`problem_block`): the statement, the input/output contract, and the time and memory
limits the program is judged with. Candidate programs are shown in fences numbered ``[1]``,
``[2]``, ... so that rankers and critics can refer to them; the parsers in
:mod:`archon_code.answers` read those identifiers back.

Natural-language unit tests (Archon's) become part of the problem itself, as Archon appends
them to the query: :func:`with_unit_tests` returns the problem with them appended, so every
later prompt shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from problems import Problem
from sandbox import languages

# How much of a statement components quote when they put it into a prompt of their own.
PROMPT_DESCRIPTION_CHARS = 20_000

LanguageChoice = str  # a name in the language table, or "any"
Message = dict[str, str]

# How each language is named to the model, its fence tag, and how the sandbox runs it.
# One system prompt per role. They are distinct on purpose: a transcript (or a scripted test
# server) can tell the roles apart by the first message alone.
SYSTEM: dict[str, str] = {
    "generator": "You are an expert competitive programmer. You write correct, efficient, complete programs.",
    "fuser": (
        "You are an expert competitive programmer who combines several attempted solutions "
        "into one program that is better than each of them."
    ),
    "critic": "You are an expert competitive programmer reviewing solutions for correctness and efficiency.",
    "ranker": "You are an expert competitive programmer judging which solutions are most likely correct.",
    "verifier": "You are an expert competitive programmer verifying whether a solution is correct.",
    "unit_test_generator": (
        "You are an expert competitive programmer writing test cases with exactly known answers."
    ),
    "natural_language_unit_test_generator": (
        "You are an expert competitive programmer stating, as unit tests, what a correct solution must do."
    ),
    "unit_test_evaluator": (
        "You are an expert competitive programmer predicting, without running it, which tests a program passes."
    ),
}


# -- the few-shot example: an invented problem, solved in both languages ------------------------


@dataclass(frozen=True)
class FewShotExample:
    statement: str
    tests: tuple[tuple[str, str], ...]  # (input, expected output)
    explanation: str
    solutions: dict[str, str]  # language -> program


FEW_SHOT = FewShotExample(
    statement="""\
Bakery Queue

A bakery has k loaves of bread. n customers stand in a queue; the i-th customer wants a_i \
loaves. Customers are considered in queue order. A customer is served only if at least a_i \
loaves remain, and then takes exactly a_i loaves; otherwise the customer leaves with nothing \
and the next customer is considered.

Print how many customers are served and how many loaves remain at the end.

Input

The first line contains two integers n and k (1 ≤ n ≤ 2 · 10^5, 0 ≤ k ≤ 10^9). The second \
line contains n integers a_1, ..., a_n (1 ≤ a_i ≤ 10^9).

Output

Print two integers: the number of customers served and the number of loaves left.

Example

Input

5 10
3 8 4 2 5

Output

3 1
""",
    tests=(("5 10\n3 8 4 2 5\n", "3 1\n"), ("3 0\n1 2 3\n", "0 0\n"), ("2 7\n7 1\n", "1 0\n")),
    explanation=(
        "Each customer's decision depends only on the loaves left when their turn comes, so a "
        "single pass in queue order is exact and takes O(n) time. k and a_i fit in 64 bits."
    ),
    solutions={
        "python": """\
import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    served = 0
    for a in map(int, data[2:2 + n]):
        if a <= k:
            k -= a
            served += 1
    print(served, k)


main()
""",
        "cpp": """\
#include <bits/stdc++.h>
using namespace std;

int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n;
    long long k;
    cin >> n >> k;
    int served = 0;
    for (int i = 0; i < n; ++i) {
        long long a;
        cin >> a;
        if (a <= k) {
            k -= a;
            ++served;
        }
    }
    cout << served << ' ' << k << '\\n';
    return 0;
}
""",
        "java": """\
import java.io.*;
import java.util.*;

public class Main {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringTokenizer st = new StringTokenizer(in.readLine());
        int n = Integer.parseInt(st.nextToken());
        long k = Long.parseLong(st.nextToken());
        st = new StringTokenizer(in.readLine());
        int served = 0;
        for (int i = 0; i < n; i++) {
            long a = Long.parseLong(st.nextToken());
            if (a <= k) {
                k -= a;
                served++;
            }
        }
        System.out.println(served + " " + k);
    }
}
""",
    },
)


# -- showing a problem -------------------------------------------------------------------------


def fence(code: str, tag: str = "") -> str:
    """``code`` in a fence longer than any backtick run inside it."""
    longest = run = 0
    for ch in code:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{tag}\n{code.rstrip()}\n{ticks}"


_EXAMPLE_HEADINGS = ("example", "examples", "sample", "samples", "sample test", "sample tests",
                     "example test", "example tests", "sample input", "sample input 1", "example 1")


def strip_examples(description: str) -> str:
    """The statement without its examples section (a heading line such as ``Examples`` and
    everything after it). Unchanged when no such heading is found."""
    lines = description.split("\n")
    for i, line in enumerate(lines):
        if i > 0 and line.strip().rstrip(":").lower() in _EXAMPLE_HEADINGS:
            return "\n".join(lines[:i]).rstrip()
    return description


def _examples_text(problem: Problem) -> str:
    parts = ["Examples"]
    for test in problem.public():
        parts += ["", "Input", "", test.input.rstrip("\n"), "", "Output", "", test.output.rstrip("\n")]
    return "\n".join(parts)


def statement(problem: Problem, *, examples: bool = True) -> str:
    """The problem statement. CodeContests statements already contain their examples; they are
    appended only when missing, and ``examples=False`` removes them."""
    text = problem.description.strip()
    if not examples:
        return strip_examples(text)
    public = problem.public()
    flat = " ".join(text.split())
    if public and not all(" ".join(t.input.split()) in flat for t in public):
        text += "\n\n" + _examples_text(problem)
    return text


_STDIO = (
    "Read from standard input, write to standard output. Print nothing the output format "
    "does not ask for: no prompts, no debugging output."
)


def io_contract(problem: Problem) -> str:
    input_file, output_file = problem.io_files
    if input_file is None and output_file is None:
        return _STDIO
    read = f"Read the input from the file {input_file}" if input_file else "Read from standard input"
    write = f"write the output to the file {output_file}" if output_file else "write to standard output"
    return f"{read}, {write}. Print nothing the output format does not ask for."


def _limits_text(time_s: float, memory_mb: int) -> str:
    seconds = "second" if time_s == 1 else "seconds"
    return (
        f"Time limit: {time_s:g} {seconds} per test. Memory limit: {memory_mb} MiB. The program "
        "must be fast enough for the largest inputs the constraints allow."
    )


def limits(problem: Problem) -> str:
    return _limits_text(problem.time_limit_s, problem.memory_limit_mb)


def _problem_text(statement_text: str, contract: str, limits_text: str) -> str:
    return "\n\n".join(["Problem:", statement_text, "Input/output: " + contract, limits_text])


def problem_block(problem: Problem, *, examples: bool = True) -> str:
    """The statement, the input/output contract and the limits: how every role sees a problem."""
    return _problem_text(statement(problem, examples=examples), io_contract(problem), limits(problem))


def _language_instruction(language: LanguageChoice) -> str:
    if language == "any":
        offered = [lang for lang in languages.LANGUAGES.values() if lang.offered_by_default]
        names = " or in ".join(f"{lang.label} ({lang.prompt})" for lang in offered)
        tags = " or ".join(f"```{lang.fence_tags[0]}" for lang in offered)
        return (
            f"Write the complete program in {names}, whichever suits the problem better. "
            f"Answer with the program in one fenced code block tagged with its language ({tags})."
        )
    lang = languages.get(language)
    return (
        f"Write the complete program in {lang.label} ({lang.prompt}). Answer with the program "
        f"in one fenced code block (```{lang.fence_tags[0]})."
    )


def _program(index: int, source: str, language: str | None, label: str = "Program") -> str:
    tag = languages.LANGUAGES[language].fence_tags[0] if language in languages.LANGUAGES else ""
    return f"{label} [{index}]:\n{fence(source, tag)}"


# -- natural-language unit tests, appended to the problem as Archon appends them to its query --

UNIT_TESTS_MARKER = "Your response should pass the following unit tests:"


def with_unit_tests(problem: Problem, tests: Sequence[str]) -> Problem:
    """The problem with ``tests`` appended to its statement, one ``- test`` line each."""
    block = UNIT_TESTS_MARKER + "\n" + "\n".join(f"- {t}" for t in tests)
    return problem.model_copy(update={"description": problem.description.rstrip() + "\n\n" + block})


def appended_unit_tests(problem: Problem) -> list[str]:
    """Every test :func:`with_unit_tests` appended, in order."""
    _, found, rest = problem.description.partition(UNIT_TESTS_MARKER)
    if not found:
        return []
    return [line[2:].strip() for line in rest.split("\n") if line.startswith("- ") and line[2:].strip()]


def without_unit_tests(problem: Problem) -> Problem:
    """The problem as it was before any tests were appended."""
    head, found, _ = problem.description.partition(UNIT_TESTS_MARKER)
    return problem.model_copy(update={"description": head.rstrip()}) if found else problem


# -- the roles ---------------------------------------------------------------------------------


def generator_messages(problem: Problem, language: LanguageChoice = "any", *, few_shot: bool = True) -> list[Message]:
    """The CodeContests prompt. With ``few_shot`` an invented example problem and its
    solution come first, as an earlier exchange, to show the expected shape of an answer."""
    instruction = _language_instruction(language)
    messages: list[Message] = [{"role": "system", "content": SYSTEM["generator"]}]
    if few_shot:
        shown = language if language in FEW_SHOT.solutions else languages.DEFAULT.name
        example = "\n\n".join(
            [
                "Solve the following competitive programming problem.",
                _problem_text(FEW_SHOT.statement.strip(), _STDIO, _limits_text(1.0, 256)),
                _language_instruction(shown),
            ]
        )
        answer = FEW_SHOT.explanation + "\n\n" + fence(FEW_SHOT.solutions[shown],
                                                       languages.get(shown).fence_tags[0])
        messages += [{"role": "user", "content": example}, {"role": "assistant", "content": answer}]
    messages.append(
        {
            "role": "user",
            "content": "\n\n".join(
                ["Solve the following competitive programming problem.", problem_block(problem), instruction]
            ),
        }
    )
    return messages


def fuser_messages(
    problem: Problem,
    programs: Sequence[tuple[str, str | None]],
    critiques: Sequence[str | None] | None = None,
    language: LanguageChoice = "any",
    *,
    length_control: bool = False,
) -> list[Message]:
    """Combine ``programs`` (source, language), each with its critique when there is one.
    ``length_control`` asks for a program no longer than the longest shown (Archon's)."""
    shown = []
    for i, (source, lang) in enumerate(programs, 1):
        block = _program(i, source, lang)
        critique = critiques[i - 1] if critiques else None
        if critique:
            block += f"\n\nCritique of program [{i}]:\n{critique.strip()}"
        shown.append(block)
    with_critiques = " and their critiques" if critiques and any(critiques) else ""
    content = "\n\n".join(
        [
            problem_block(problem),
            f"Here are {len(programs)} attempted solutions{with_critiques}. Some may be wrong, "
            "too slow, or fail on edge cases; do not trust any of them blindly.",
            *shown,
            "Write one program that solves the problem correctly and efficiently. Use the best "
            "ideas of the attempts, fix their mistakes, and check the edge cases and the limits. "
            "Do not just copy one attempt unless it is already right. Briefly say what you "
            "kept and what you fixed, then give the complete program.",
            *(["The fused program can only be as long as the longest program shown."] if length_control else []),
            _language_instruction(language),
        ]
    )
    return [{"role": "system", "content": SYSTEM["fuser"]}, {"role": "user", "content": content}]


def critic_messages(problem: Problem, programs: Sequence[tuple[str, str | None]]) -> list[Message]:
    count = len(programs)
    content = "\n\n".join(
        [
            problem_block(problem),
            f"Here are {count} solutions, each with a numerical identifier in brackets.",
            *(_program(i, source, lang) for i, (source, lang) in enumerate(programs, 1)),
            f"Review each of the {count} programs: is the algorithm correct, does it handle the "
            "edge cases, does it read and print exactly the required format, is it fast enough "
            "for the limits? Start each review with the program's identifier on its own line "
            "(for example [1]), then list its strengths and its weaknesses:",
            "[1]\nStrengths:\n- ...\nWeaknesses:\n- ...",
            f"Review all {count} programs, in order, and write nothing before the first review "
            "or after the last.",
        ]
    )
    return [{"role": "system", "content": SYSTEM["critic"]}, {"role": "user", "content": content}]


def ranker_messages(
    problem: Problem,
    programs: Sequence[tuple[str, str | None]],
    critiques: Sequence[str | None] | None = None,
) -> list[Message]:
    count = len(programs)
    shown = []
    for i, (source, lang) in enumerate(programs, 1):
        block = _program(i, source, lang)
        if critiques and critiques[i - 1]:
            block += f"\n\nCritique of program [{i}]:\n{critiques[i - 1].strip()}"
        shown.append(block)
    example = " > ".join(f"[{i}]" for i in (list(range(count, 0, -1)) if count > 1 else [1]))
    content = "\n\n".join(
        [
            problem_block(problem),
            f"Here are {count} solutions, each with a numerical identifier in brackets.",
            *shown,
            f"Rank the {count} programs from the most to the least likely to be accepted (correct "
            "on every test, within the limits). Reason briefly about each, then finish with one "
            "final line that lists every identifier in order, best first, in this format:",
            f"Ranking: {example}",
        ]
    )
    return [{"role": "system", "content": SYSTEM["ranker"]}, {"role": "user", "content": content}]


def verifier_messages(problem: Problem, source: str, language: str | None) -> list[Message]:
    content = "\n\n".join(
        [
            problem_block(problem),
            _program(1, source, language, label="Solution"),
            "Decide whether this program is correct: right answers on every valid input, exactly "
            "the required output format, within the time and memory limits. Reason step by step "
            "(check the algorithm, edge cases and complexity; trace the examples), then finish "
            "with one final line that is exactly `Verdict: [Correct]` or `Verdict: [Incorrect]`.",
        ]
    )
    return [{"role": "system", "content": SYSTEM["verifier"]}, {"role": "user", "content": content}]


def unit_test_generator_messages(problem: Problem, count: int | None = None, *, examples: bool = True) -> list[Message]:
    how_many = f"{count}" if count else "5 to 10"
    content = "\n\n".join(
        [
            problem_block(problem, examples=examples),
            f"Write {how_many} test cases for this problem, each an input and the exactly correct "
            "expected output. Cover the edge cases (smallest inputs, equal values, extremes of "
            "the constraints, tricky cases) as well as typical ones. Every input must follow the "
            "input format exactly. Keep inputs small enough that you can work out the answer "
            "with certainty; leave out any test whose answer you are not sure of.",
            "Reply with only a JSON list, one object per test, with the input and output as "
            'strings (newlines written as \\n), like this:\n[{"input": "3\\n1 2 3\\n", "output": "6\\n"}]',
        ]
    )
    return [{"role": "system", "content": SYSTEM["unit_test_generator"]}, {"role": "user", "content": content}]


def nl_unit_test_generator_messages(problem: Problem, count: int | None = None) -> list[Message]:
    """Archon's unit tests for programs: statements a correct solution satisfies."""
    how_many = f"a set of {count}" if count else "a set of"
    content = "\n\n".join(
        [
            problem_block(problem),
            f"Generate {how_many} unit tests that would evaluate the correctness of a program "
            "solving this problem. Cover the required output for specific inputs (the edge "
            "cases as well as typical ones), the input and output format, and the limits. State "
            "each unit test clearly with its expected outcome, in the form 'The program prints "
            "... for the input ...', 'The program handles ...', 'The program runs in ...'.",
            "Reply with only the unit tests as a JSON list of strings, for example "
            '["The program prints 3 for the input 1 2.", "The program handles n = 1."], and '
            "nothing before or after the list.",
        ]
    )
    return [{"role": "system", "content": SYSTEM["natural_language_unit_test_generator"]},
            {"role": "user", "content": content}]


def unit_test_evaluator_messages(
    problem: Problem,
    source: str,
    language: str | None,
    tests: Sequence[tuple[str, str]] | Sequence[str],
    *,
    examples: bool = True,
    max_chars: int = 1000,
) -> list[Message]:
    """Ask which of ``tests`` the program passes: (input, expected output) pairs, or
    natural-language statements. Long tests are shown cut to ``max_chars``: the judgement is
    a prediction, not an execution."""

    def cut(text: str) -> str:
        return text if len(text) <= max_chars else text[:max_chars] + "\n... (cut)"

    shown = [
        f"Unit Test #{i}: {cut(test)}" if isinstance(test, str)
        else f"Unit Test #{i}:\nInput:\n{fence(cut(test[0]))}\nExpected output:\n{fence(cut(test[1]))}"
        for i, test in enumerate(tests, 1)
    ]
    verdicts = "\n".join(f"Unit Test #{i}: [Passed]" if i % 2 else f"Unit Test #{i}: [Failed]"
                         for i in range(1, min(len(tests), 3) + 1))
    content = "\n\n".join(
        [
            problem_block(problem, examples=examples),
            _program(1, source, language, label="Solution"),
            f"Here are {len(tests)} unit tests.",
            *shown,
            "For each unit test, predict whether the program passes it (for a test with an input, "
            "whether it prints the expected output within the limits). Reason briefly, then "
            "finish with one line per unit test, in order, "
            "each with a verdict of [Passed] or [Failed], like this:",
            verdicts,
        ]
    )
    return [{"role": "system", "content": SYSTEM["unit_test_evaluator"]}, {"role": "user", "content": content}]
