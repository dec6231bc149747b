"""The prompts: what every role is shown, and the few-shot example's own correctness."""

from __future__ import annotations

import pytest

from archon_code import prompts
from archon_code.extract import extract_code
from problems import Problem, load_problems
from sandbox.types import Limits, Program, TestCase


@pytest.fixture(scope="module")
def beacons() -> Problem:
    return load_problems("bundled", problem_ids=["Twin Beacons"])[0]


def _problem(**kwargs) -> Problem:
    record = {
        "name": "Sum Pair",
        "description": "Print the sum of two integers.\n\nInput\n\nTwo integers a and b.\n\nOutput\n\nTheir sum.",
        "public_tests": {"input": ["1 2\n"], "output": ["3\n"]},
        "time_limit": {"seconds": 3, "nanos": 500_000_000},
        "memory_limit_bytes": 64 * 1024 * 1024,
    }
    return Problem.model_validate({**record, **kwargs})


def test_generator_prompt_states_problem_contract_and_limits(beacons):
    messages = prompts.generator_messages(beacons, "python", few_shot=False)

    assert [m["role"] for m in messages] == ["system", "user"]
    user = messages[1]["content"]
    assert beacons.description.strip() in user
    assert "Read from standard input, write to standard output." in user
    assert "Time limit: 2 seconds per test. Memory limit: 256 MiB." in user
    assert "Python 3" in user and "```python" in user
    # The statement already has its examples: they are not repeated.
    assert user.count("4 12") == 1


@pytest.mark.parametrize(
    "language,present,absent",
    [
        ("python", ["Python 3", "```python"], ["C++17"]),
        ("cpp", ["C++17", "g++ -std=c++17 -O2", "```cpp"], ["Python 3"]),
        ("any", ["Python 3", "C++17", "whichever suits"], []),
    ],
)
def test_language_instruction(beacons, language, present, absent):
    user = prompts.generator_messages(beacons, language, few_shot=False)[-1]["content"]
    tail = user.split("MiB.", 1)[1]
    for needle in present:
        assert needle in tail
    for needle in absent:
        assert needle not in tail


@pytest.mark.parametrize("language,shown", [("python", "python"), ("any", "python"), ("cpp", "cpp")])
def test_few_shot_is_an_earlier_exchange_in_the_right_language(beacons, language, shown):
    messages = prompts.generator_messages(beacons, language)

    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert "Bakery Queue" in messages[1]["content"]
    assert "Twin Beacons" not in messages[1]["content"] and "beacon" not in messages[1]["content"]
    extracted = extract_code(messages[2]["content"])
    assert extracted.language == shown
    assert extracted.code == prompts.FEW_SHOT.solutions[shown]
    assert "beacon towers" in messages[3]["content"]


def test_limits_and_examples_follow_the_problem():
    problem = _problem()
    user = prompts.generator_messages(problem, "cpp", few_shot=False)[-1]["content"]

    assert "Time limit: 3.5 seconds per test. Memory limit: 64 MiB." in user
    # Examples missing from the statement are appended from the public tests.
    assert "Examples\n\nInput\n\n1 2\n\nOutput\n\n3" in user


def test_file_io_contract_names_the_files():
    problem = _problem(input_file="input.txt", output_file="output.txt")
    contract = prompts.io_contract(problem)
    assert "from the file input.txt" in contract and "to the file output.txt" in contract
    assert "standard input" not in contract


def test_statement_without_examples(beacons):
    text = prompts.statement(beacons, examples=False)
    assert "beacon towers" in text and "Output" in text
    assert "Examples" not in text and "4 12" not in text
    assert prompts.strip_examples("no headings here\nat all") == "no headings here\nat all"


def test_fence_outlasts_backticks_in_the_code():
    code = 's = "```"\nprint(s)\n'
    block = prompts.fence(code, "python")
    assert block.startswith("````python\n") and block.endswith("\n````")
    assert extract_code(block).code == code


def test_roles_have_distinct_system_prompts_and_number_programs(beacons):
    programs = [("print(1)\n", "python"), ("int main(){}\n", "cpp")]
    built = {
        "fuser": prompts.fuser_messages(beacons, programs, ["slow", None], "any"),
        "critic": prompts.critic_messages(beacons, programs),
        "ranker": prompts.ranker_messages(beacons, programs, ["right", "wrong"]),
        "verifier": prompts.verifier_messages(beacons, "print(1)\n", "python"),
        "unit_test_generator": prompts.unit_test_generator_messages(beacons, 7),
        "unit_test_evaluator": prompts.unit_test_evaluator_messages(
            beacons, "print(1)\n", "python", [("1\n1 10\n", "2\n"), ("1\n5 5\n", "0\n")]
        ),
    }
    assert len(set(prompts.SYSTEM.values())) == len(prompts.SYSTEM)
    for role, messages in built.items():
        assert messages[0] == {"role": "system", "content": prompts.SYSTEM[role]}
        assert "Time limit: 2 seconds" in messages[-1]["content"]
    assert "Program [1]:\n```python\nprint(1)\n```" in built["fuser"][-1]["content"]
    assert "Program [2]:\n```cpp\nint main(){}\n```" in built["critic"][-1]["content"]
    assert "Critique of program [1]:\nslow" in built["fuser"][-1]["content"]
    assert "Critique of program [2]" not in built["fuser"][-1]["content"]
    assert "Ranking: [2] > [1]" in built["ranker"][-1]["content"]
    assert "Critique of program [2]:\nwrong" in built["ranker"][-1]["content"]
    assert "[Correct]" in built["verifier"][-1]["content"]
    assert "Write 7 test cases" in built["unit_test_generator"][-1]["content"]
    assert '[{"input": ' in built["unit_test_generator"][-1]["content"]
    evaluator = built["unit_test_evaluator"][-1]["content"]
    assert "Unit Test #2:\nInput:\n```\n1\n5 5\n```\nExpected output:\n```\n0\n```" in evaluator


def test_unit_test_generator_can_hide_the_examples(beacons):
    shown = prompts.unit_test_generator_messages(beacons, None)[-1]["content"]
    hidden = prompts.unit_test_generator_messages(beacons, None, examples=False)[-1]["content"]
    assert "Write 5 to 10 test cases" in shown
    assert "4 12" in shown and "4 12" not in hidden


def test_evaluator_cuts_long_tests(beacons):
    big = "9" * 5000
    content = prompts.unit_test_evaluator_messages(beacons, "x\n", "python", [(big, "1\n")], max_chars=100)[-1]["content"]
    assert "9" * 100 + "\n... (cut)" in content and "9" * 101 not in content


@pytest.mark.docker
@pytest.mark.parametrize("language", ["python", "cpp"])
def test_few_shot_solutions_are_correct(docker_pool, language):
    tests = [TestCase(i, o) for i, o in prompts.FEW_SHOT.tests]
    result = docker_pool.run(Program(prompts.FEW_SHOT.solutions[language], language), tests, Limits(time_s=2))
    assert result.passed, result
    # The example in the statement is one of the checked tests.
    assert "5 10\n3 8 4 2 5" in prompts.FEW_SHOT.statement


def test_natural_language_unit_tests_become_part_of_the_problem(beacons):
    tests = ["The program prints 2 for the input 1 / 1 10.", "The program handles l = r."]
    with_tests = prompts.with_unit_tests(beacons, tests)

    assert with_tests.description.startswith(beacons.description.rstrip())
    assert with_tests.description.endswith(
        "Your response should pass the following unit tests:\n- The program prints 2 for the input 1 / 1 10.\n"
        "- The program handles l = r.")
    assert prompts.appended_unit_tests(with_tests) == tests
    assert prompts.appended_unit_tests(beacons) == []
    # A second generator appends again, as Archon does; the evaluator sees them all.
    twice = prompts.with_unit_tests(with_tests, ["The program is fast for n = 10^5."])
    assert prompts.appended_unit_tests(twice) == tests + ["The program is fast for n = 10^5."]
    assert prompts.without_unit_tests(twice).description == beacons.description.rstrip()
    assert prompts.without_unit_tests(beacons) is beacons
    # Every role's prompt shows the problem, so every later layer sees the tests.
    for messages in (prompts.generator_messages(with_tests, "python"),
                     prompts.critic_messages(with_tests, [("print(1)", "python")]),
                     prompts.ranker_messages(with_tests, [("print(1)", "python"), ("print(2)", "python")]),
                     prompts.verifier_messages(with_tests, "print(1)", "python")):
        assert "- The program handles l = r." in messages[-1]["content"]


def test_natural_language_unit_test_prompts(beacons):
    messages = prompts.nl_unit_test_generator_messages(beacons, 4)
    assert messages[0]["content"] == prompts.SYSTEM["natural_language_unit_test_generator"]
    assert "Generate a set of 4 unit tests" in messages[1]["content"]
    assert "JSON list of strings" in messages[1]["content"]
    judged = prompts.unit_test_evaluator_messages(beacons, "print(1)", "python", ["It prints 2.", "It is fast."])
    assert "Unit Test #1: It prints 2.\n\nUnit Test #2: It is fast." in judged[1]["content"]


def test_fuser_length_control():
    problem = _problem()
    plain = prompts.fuser_messages(problem, [("print(1)", "python")])[1]["content"]
    controlled = prompts.fuser_messages(problem, [("print(1)", "python")], length_control=True)[1]["content"]
    line = "The fused program can only be as long as the longest program shown."
    assert line not in plain and line in controlled
