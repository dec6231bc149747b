"""Code extraction from realistic model answers."""

from __future__ import annotations

import textwrap

import pytest
import timeout_decorator
from hypothesis import given, settings
from hypothesis import strategies as st

from archon_code.extract import MAX_INPUT_CHARS, detect_language, extract_code

PY_SOLUTION = textwrap.dedent(
    """\
    import sys

    def main():
        data = sys.stdin.read().split()
        n = int(data[0])
        a = list(map(int, data[1:1 + n]))
        print(sum(a))

    if __name__ == "__main__":
        main()
    """
)

CPP_SOLUTION = textwrap.dedent(
    """\
    #include <bits/stdc++.h>
    using namespace std;

    int main() {
        int n;
        cin >> n;
        long long s = 0;
        for (int i = 0; i < n; i++) { long long x; cin >> x; s += x; }
        cout << s << endl;
        return 0;
    }
    """
)

SHORT_PY = "n = int(input())\nprint(n * 2)\n"


def fenced(tag: str, body: str, fence: str = "```") -> str:
    return f"{fence}{tag}\n{body}{fence}\n"


CASES = [
    pytest.param(
        "Here is my solution.\n\n" + fenced("python", PY_SOLUTION) + "\nIt runs in O(n).",
        PY_SOLUTION, "python", "tagged 'python'", id="python-fence-with-prose",
    ),
    pytest.param(
        "For the sample input\n\n" + fenced("", "3\n1 2 3\n") + "\nthe answer is\n\n" + fenced("", "6\n")
        + "\nSolution:\n\n" + fenced("python", PY_SOLUTION),
        PY_SOLUTION, "python", "block 3 of 3", id="sample-io-blocks-before-solution",
    ),
    pytest.param(
        "### Approach\nSum the numbers.\n\n" + fenced("cpp", CPP_SOLUTION) + "\n**Example**\n"
        + fenced("", "Input:\n3\n1 2 3\nOutput:\n6\n"),
        CPP_SOLUTION, "cpp", "tagged 'cpp'", id="cpp-then-example",
    ),
    pytest.param(fenced("c++", CPP_SOLUTION), CPP_SOLUTION, "cpp", "'c++'", id="tag-c++"),
    pytest.param(fenced("cc", CPP_SOLUTION), CPP_SOLUTION, "cpp", "'cc'", id="tag-cc"),
    pytest.param(fenced("py", PY_SOLUTION), PY_SOLUTION, "python", "'py'", id="tag-py"),
    pytest.param(fenced("Python3", PY_SOLUTION), PY_SOLUTION, "python", "'python3'", id="tag-Python3"),
    pytest.param(fenced("python title=sol.py", PY_SOLUTION), PY_SOLUTION, "python", "'python'", id="tag-with-attrs"),
    pytest.param(fenced("", CPP_SOLUTION), CPP_SOLUTION, "cpp", "untagged", id="untagged-cpp"),
    pytest.param(fenced("", PY_SOLUTION), PY_SOLUTION, "python", "untagged", id="untagged-python"),
    pytest.param(fenced("python", PY_SOLUTION, fence="~~~"), PY_SOLUTION, "python", "tagged", id="tilde-fence"),
    pytest.param(
        "1. Read input.\n2. Print:\n\n   ```python\n   n = int(input())\n   if n > 0:\n       print(n)\n   ```\n",
        "n = int(input())\nif n > 0:\n    print(n)\n", "python", "tagged", id="fence-indented-in-list",
    ),
    pytest.param(
        "Usage example:\n" + fenced("python", "main()\n") + "Full program:\n" + fenced("python", PY_SOLUTION),
        PY_SOLUTION, "python", "block 2 of 2", id="longest-tagged-block-wins",
    ),
    pytest.param(
        "Here's the code:\n\n```python\n" + PY_SOLUTION + "    # handle the remaining",
        PY_SOLUTION + "    # handle the remaining\n", "python", "not closed", id="unterminated-fence-truncated",
    ),
    pytest.param(PY_SOLUTION, PY_SOLUTION, "python", "unfenced", id="no-fence-python"),
    pytest.param(CPP_SOLUTION, CPP_SOLUTION, "cpp", "unfenced", id="no-fence-cpp"),
    pytest.param(
        "Here is the solution:\n\n" + PY_SOLUTION + "\nThis solution reads all input at once.\n",
        PY_SOLUTION, "python", "prose dropped", id="no-fence-prose-around-code",
    ),
    pytest.param(
        "<think>\nMaybe brute force:\n```python\nprint(0)\n```\nNo, sum them.\n</think>\n"
        + fenced("python", SHORT_PY),
        SHORT_PY, "python", "</think>", id="reasoning-draft-ignored",
    ),
    pytest.param(fenced("python", CPP_SOLUTION), CPP_SOLUTION, "cpp", "tagged", id="wrong-tag-cpp-labelled-python"),
    pytest.param(
        ("Solution:\r\n```python\r\n" + SHORT_PY + "```\r\n"),
        SHORT_PY, "python", "tagged", id="crlf-line-endings",
    ),
    pytest.param(
        fenced("c", "#include <stdio.h>\nint main(void) { int a, b; scanf(\"%d %d\", &a, &b); printf(\"%d\\n\", a + b); return 0; }\n"),
        "#include <stdio.h>\nint main(void) { int a, b; scanf(\"%d %d\", &a, &b); printf(\"%d\\n\", a + b); return 0; }\n",
        "cpp", "'c'", id="c-compiled-as-cpp",
    ),
]


@pytest.mark.parametrize(("answer", "code", "language", "reason_part"), CASES)
def test_extracts_solution(answer, code, language, reason_part):
    result = extract_code(answer)

    assert result.code == code
    assert result.language == language
    assert reason_part in result.reason


NO_CODE_CASES = [
    pytest.param("", "empty response", id="empty"),
    pytest.param("   \n\n", "empty response", id="whitespace"),
    pytest.param(None, "empty response", id="none"),
    pytest.param(
        "I cannot solve this problem because the constraints are too large for any known algorithm.",
        "no code found", id="prose-only",
    ),
    pytest.param(
        "We should print the sum of the array. For each test case, read n and then the numbers.",
        "no code found", id="prose-mentions-print",
    ),
    pytest.param(fenced("rust", "fn main() { println!(\"1\"); }\n"), "tagged rust", id="only-rust"),
    pytest.param("Input:\n" + fenced("", "3\n1 2 3\n") + "Output:\n" + fenced("", "6\n"),
                 "none reads as Python 3 or C++17 or Java 17", id="only-sample-io"),
    pytest.param(fenced("python", ""), "no code found", id="empty-fence"),
    pytest.param("for each query we binary search over the answer and check feasibility greedily",
                 "no code found", id="prose-starting-with-keyword"),
]


@pytest.mark.parametrize(("answer", "reason_part"), NO_CODE_CASES)
def test_no_code_is_reported_with_a_reason(answer, reason_part):
    result = extract_code(answer)

    assert result.code is None
    assert result.language is None
    assert reason_part in result.reason


@pytest.mark.parametrize(("prefer", "language"), [("python", "python"), ("cpp", "cpp")])
def test_preferred_language_breaks_ties(prefer, language):
    answer = "C++ version:\n" + fenced("cpp", CPP_SOLUTION) + "Python version:\n" + fenced("python", PY_SOLUTION)

    result = extract_code(answer, prefer=prefer)

    assert result.language == language


@pytest.mark.parametrize(
    ("code", "language"),
    [
        (PY_SOLUTION, "python"),
        (SHORT_PY, "python"),
        (CPP_SOLUTION, "cpp"),
        ("#include <iostream>\nint main() { std::cout << 1; }\n", "cpp"),
        ("import sys\nprint(sys.stdin.readline())\n", "python"),
        ("3\n1 2 3\n", None),
        ("YES\nNO\n", None),
    ],
)
def test_detect_language(code, language):
    assert detect_language(code) == language


@timeout_decorator.timeout(10)
@pytest.mark.parametrize(
    "hostile",
    [
        pytest.param("```\n" * 300_000, id="many-fences"),
        pytest.param("`" * 1_000_000, id="backticks"),
        pytest.param("```python\n" + "(" * 500_000, id="unbalanced-parens"),
        pytest.param("print(" * 200_000, id="nested-calls-unfenced"),
        pytest.param("a " * 1_000_000, id="long-prose"),
    ],
)
def test_hostile_input_is_bounded(hostile):
    result = extract_code(hostile)

    assert f"truncated to {MAX_INPUT_CHARS}" in result.reason
    assert result.code is None or len(result.code) <= MAX_INPUT_CHARS


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("`~ \n\tpython cpp#include def():{};=\r<>/think")), max_size=400))
def test_extraction_never_raises_and_is_consistent(text):
    result = extract_code(text)

    assert (result.code is None) == (result.language is None)
    assert result.reason
    if result.code is not None:
        assert result.code.strip()


def test_java_is_taken_from_its_fence_or_its_content():
    java = "import java.util.*;\npublic class Main {\n    public static void main(String[] a) {\n        System.out.println(1);\n    }\n}\n"
    tagged = extract_code(fenced("java", java))
    assert (tagged.code, tagged.language) == (java, "java")
    untagged = extract_code("Here it is:\n" + fenced("", java))
    assert untagged.language == "java"
    mistagged = extract_code(fenced("cpp", java))
    assert mistagged.language == "java", mistagged.reason
