"""The one language table: what each language needs to compile and run in the sandbox.

Every other module reads it (the pool builds job headers from it, extraction its fence tags
and the marks of its code, the mapping of a problem's stored solutions its CodeContests ids,
the command line its file suffixes, prompts its names), so adding a language is a row here,
what the image needs (sandbox/Dockerfile.sandbox) and the prompts.

Paths: the supervisor writes the source as ``{box}/{source}`` (read-only for the program),
builds with ``build`` in a fresh work dir, keeps ``artifact`` (a file, or a directory that it
packs as one file) as ``{box}/{artifact}``, and runs ``run``. ``{box}``, ``{work}``, ``{main}``
(the entry point's name, e.g. Java's public class) are filled in by the supervisor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Language:
    name: str
    label: str  # how a person names it ("Python 3", "C++17")
    suffix: str
    source: str  # file name of the source in the box; may use {main}
    build: tuple[str, ...] | None  # None: nothing to compile
    artifact: str | None  # what the build leaves in the work dir (a file or a directory)
    artifact_name: str | None  # what the kept artifact is called in the box (a directory: a zip)
    run: tuple[str, ...]  # argv; ("{python}",) means the preloaded in-process fast path
    fence_tags: tuple[str, ...]  # markdown fence info strings that name it
    codecontests: tuple[int, ...]  # the dataset's language ids
    # The program's memory is its test's total (cgroup); a per-process address-space limit
    # is added only where it is meaningful (a JVM reserves far more than it uses).
    address_space_limit: bool = True
    image_needs: str = ""
    main: str = "main"  # the entry point when the source does not name one
    # Processes and threads a correct program needs at the least (a JVM starts a dozen).
    min_processes: int = 0
    env: tuple[tuple[str, str], ...] = ()  # added to the environment of its build and run
    # How prompts describe it ("it runs with ..."), and whether a model asked for "any
    # language" is offered it.
    prompt: str = ""
    offered_by_default: bool = True
    # Other file suffixes that name it (a user's ``sol.cc``); ``suffix`` is what it is saved as.
    other_suffixes: tuple[str, ...] = ()
    # How code in it reads, for answers and files that do not say: a line holding a strong
    # mark counts 3, a weak one 1. ``blocks``: what shapes its lines ("braces": lines ending
    # in ";" or lone braces; "indent": lines ending in ":" that open a block, where
    # ``block_starts`` opening a line and ":" closing it count as strong, and so do import
    # lines without ";"). ``code_starts``: how a line that begins a program in it may start.
    strong_marks: tuple[str, ...] = ()
    weak_marks: tuple[str, ...] = ()
    blocks: Literal["braces", "indent"] = "braces"
    block_starts: tuple[str, ...] = ()
    code_starts: tuple[str, ...] = ()

    def main_name(self, source: str) -> str:
        """The entry point the source declares (Java: its public class), else ``main``."""
        if self.name == "java":
            m = _JAVA_PUBLIC_CLASS.search(_strip_java_comments(source))
            if m:
                return m.group(1)
            m = _JAVA_MAIN_CLASS.search(_strip_java_comments(source))
            if m:
                return m.group(1)
        return self.main


_JAVA_PUBLIC_CLASS = re.compile(r"\bpublic\s+(?:final\s+|abstract\s+)*class\s+([A-Za-z_$][\w$]*)")
_JAVA_MAIN_CLASS = re.compile(
    r"\bclass\s+([A-Za-z_$][\w$]*)[^{]*\{(?:(?!\bclass\b).)*?\bstatic\s+void\s+main\s*\(", re.S)


def _strip_java_comments(source: str) -> str:
    return re.sub(r"//[^\n]*|/\*.*?\*/", " ", source[:1_000_000], flags=re.S)


PYTHON = Language(
    name="python", label="Python 3", suffix=".py", source="main.py", build=None, artifact=None,
    artifact_name=None, run=("{python}",), fence_tags=("python", "python3", "py", "py3"),
    codecontests=(3,),
    image_needs="python3", prompt="it runs with CPython 3, standard library only",
    strong_marks=("input()", "print(", "sys.stdin", "import sys"),
    weak_marks=("range(", "len(", "self.", "lambda ", " in range", "None", "True", "False", ".append(",
                "split()"),
    blocks="indent",
    block_starts=("def ", "class ", "import ", "from ", "elif ", "if __name__", "for ", "while "),
    code_starts=("import ", "from ", "def ", "class ", "n = ", "n=", "t = ", "t=", "for ", "while ",
                 "if __name__", "print(", "input(", "sys.", "@", "#!"),
)
CPP = Language(
    name="cpp", label="C++17", suffix=".cpp", source="main.cpp",
    build=("g++", "-std=c++17", "-O2", "-pipe", "-o", "{work}/main.bin", "{box}/main.cpp"),
    artifact="main.bin", artifact_name="main.bin", run=("{box}/main.bin",),
    # C solutions are nearly always valid C++, and g++ compiles them.
    fence_tags=("cpp", "c++", "cc", "cxx", "hpp", "cpp17", "cpp20", "c++17", "c++20", "c"),
    codecontests=(2,),
    image_needs="g++", prompt="it is compiled with g++ -std=c++17 -O2, standard library only",
    other_suffixes=(".cc", ".cxx", ".c++", ".c"),
    strong_marks=("#include", "int main", "using namespace", "std::", "cout <<", "cin >>", "cout<<", "cin>>"),
    weak_marks=("printf(", "scanf(", "long long", "vector<", "return 0;", "#define", "const int ", "void "),
    code_starts=("#include", "using namespace", "int main", "template", "typedef", "const ", "long long",
                 "struct ", "static ", "void ", "int ", "auto ", "namespace ", "#define"),
)
JAVA = Language(
    name="java", label="Java 17", suffix=".java", source="{main}.java",
    build=("/opt/jdk/bin/javac", "-J-Xmx512m", "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1",
           "-encoding", "UTF-8", "-nowarn", "-d", "{work}/classes", "{box}/{main}.java"),
    artifact="classes", artifact_name="classes.jar",
    # The heap is most of the test's memory (the rest is the JVM's own); a JVM cannot see
    # the test's cgroup from inside it.
    run=("/opt/jdk/bin/java", "-Xmx{heap_mb}m", "-Xss64m", "-XX:+UseSerialGC", "-Xshare:auto",
         "-cp", "{box}/classes.jar", "{main}"),
    fence_tags=("java",), codecontests=(4,), address_space_limit=False,
    image_needs="openjdk-17-jdk-headless", main="Main", min_processes=64,
    prompt="it is compiled with javac and run with java, Java 17, standard library only; the "
           "public class holds main",
    # A JVM costs a tenth of a second of CPU per test: used when asked for.
    offered_by_default=False,
    # The launchers find libjli through /proc/self/exe, which a test cannot see.
    env=(("LD_LIBRARY_PATH", "/opt/jdk/lib"),),
    strong_marks=("public static void main", "System.out.", "System.in", "import java.", "String[] args",
                  "new Scanner(", "BufferedReader", "throws IOException", "public class "),
    weak_marks=("Integer.parseInt", "ArrayList<", "HashMap<", ".length", "final ", "new int[", "int[] ",
                "long[] ", "StringBuilder", "private static "),
)

LANGUAGES: dict[str, Language] = {lang.name: lang for lang in (PYTHON, CPP, JAVA)}
NAMES: tuple[str, ...] = tuple(LANGUAGES)
# What a program is taken to be written in when nothing says otherwise.
DEFAULT = PYTHON


def get(name: str) -> Language:
    try:
        return LANGUAGES[name]
    except KeyError:
        raise ValueError(f"unknown language {name!r}; expected one of {', '.join(NAMES)}") from None


def by_codecontests_id(code: int) -> Language | None:
    for lang in LANGUAGES.values():
        if code in lang.codecontests:
            return lang
    return None


def by_fence_tag(tag: str) -> Language | None:
    tag = tag.strip().lower()
    for lang in LANGUAGES.values():
        if tag in lang.fence_tags:
            return lang
    return None


def by_suffix(path: str) -> Language | None:
    """The language a file name's suffix names (its own suffix first, then the others)."""
    for lang in LANGUAGES.values():
        if path.endswith(lang.suffix):
            return lang
    for lang in LANGUAGES.values():
        if path.endswith(lang.other_suffixes):
            return lang
    return None


def offered_by_default() -> list[str]:
    """The names of the languages used when none is asked for."""
    return [lang.name for lang in LANGUAGES.values() if lang.offered_by_default]
