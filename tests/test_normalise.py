"""Run keys: programs that differ only in comments and layout share one; any other change
(a name, a literal, the text inside a string, a preprocessor line) gives another."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.normalise import normal_form, run_key
from sandbox.types import Program

CPP = """#include <bits/stdc++.h>
using namespace std;
#define MOD 1000000007
int main() {
    long long a, b;  // two numbers
    cin >> a >> b;
    /* the sum, modulo */
    cout << (a + b) % MOD << "  (sum)" << '\\n';
    return 0;
}
"""

JAVA = """import java.util.*;
public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in); // read
        int n = in.nextInt();
        /** docs */
        System.out.println("n = " + (n * 2));
    }
}
"""

PY = '''import sys
def solve(n):
    # twice
    return n * 2
print(solve(int(sys.stdin.readline())), "a  b")
'''


def relayout(source: str, rng: random.Random, comment: str) -> str:
    """The same program with extra blank lines, indentation and comments on whole lines,
    where the language allows them."""
    out = []
    for line in source.split("\n"):
        if rng.random() < 0.3:
            out.append("")
        if comment and rng.random() < 0.3 and not line.lstrip().startswith("#"):
            out.append(f"{comment} note {rng.randint(0, 99)}")
        out.append(line + " " * rng.randint(0, 3))
    return "\n".join(out)


@given(st.integers(0, 10**6))
@settings(max_examples=50, deadline=None)
def test_comments_and_layout_do_not_change_the_key(seed):
    rng = random.Random(seed)
    assert run_key(Program(relayout(CPP, rng, "//"), "cpp")) == run_key(Program(CPP, "cpp"))
    assert run_key(Program(relayout(JAVA, rng, "//"), "java")) == run_key(Program(JAVA, "java"))
    # Python: blank lines and whole-line comments (indentation is syntax there).
    py = "\n".join(line + ("\n" if rng.random() < 0.3 else "") for line in PY.split("\n"))
    assert run_key(Program(py, "python")) == run_key(Program(PY, "python"))


@pytest.mark.parametrize("language,source,changed", [
    ("cpp", CPP, CPP.replace('"  (sum)"', '" (sum)"')),  # spaces inside a string
    ("cpp", CPP, CPP.replace("a + b", "a - b")),
    ("cpp", CPP, CPP.replace("#define MOD 1000000007", "#define MOD 998244353")),
    ("cpp", CPP, CPP.replace("'\\n'", "' '")),
    ("cpp", CPP, CPP.replace("#define MOD 1000000007\n", "#define MOD 1000000007 ")),  # line end
    ("java", JAVA, JAVA.replace('"n = "', '"n =  "')),
    ("python", PY, PY.replace('"a  b"', '"a b"')),
    ("python", PY, PY.replace("n * 2", "n*3")),
    ("python", PY, PY.replace("    return", "    return 0\n    return")),
])
def test_any_other_change_changes_the_key(language, source, changed):
    assert changed != source
    assert run_key(Program(changed, language)) != run_key(Program(source, language))


def test_the_language_is_part_of_the_key():
    assert run_key(Program("int main(){}", "cpp")) != run_key(Program("int main(){}", "java"))


@pytest.mark.parametrize("source", [
    'auto s = R"(a  // b)";',  # raw string
    "int x = 1'000'000;",  # digit separators
    'int line = __LINE__;',
    "#define F(x) \\\n  x",  # line continuation
    "int a; /* unclosed",
])
def test_sources_the_rule_cannot_read_keep_their_exact_text(source):
    assert normal_form("cpp", source) is None
    assert run_key(Program(source, "cpp")) != run_key(Program(source + " ", "cpp"))


def test_comment_markers_inside_strings_are_text():
    a = 'int main(){ puts("// not a comment /* nor this */"); }'
    b = 'int main(){ puts("// not a comment /*  nor this */"); }'
    assert run_key(Program(a, "cpp")) != run_key(Program(b, "cpp"))
    assert "/* nor this */" in normal_form("cpp", a)


def test_a_comment_is_one_space():
    assert normal_form("cpp", "int/**/x;") == normal_form("cpp", "int x;")
    assert normal_form("cpp", "a = b -/* */-c;") == normal_form("cpp", "a = b - -c;")


def test_python_that_does_not_parse_keeps_its_exact_text():
    assert normal_form("python", "def f(:\n") is None
    assert run_key(Program("def f(:\n")) != run_key(Program("def f(: \n"))
