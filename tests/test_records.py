"""The one record builder: what a problem's record says, for `solve --json` and for a bench
run; sandbox errors of candidates against the selected program; component errors counted in
the summary."""

from __future__ import annotations

import json

import pytest

from archon_code.llm import Usage
from archon_code.pipeline import Solution
from archon_code.state import Candidate, State
from harness.bench import error_record, make_record
from harness.metrics import summarize
from problems import load_problems


@pytest.fixture(scope="module")
def problem():
    return load_problems("bundled", problem_ids=["Twin Beacons"])[0]


def solution(problem, *, tied: int = 1, errors: list[str] | None = None, selected: bool = True) -> Solution:
    state = State(problem)
    state.layer = 1
    cands = [state.add_candidate(Candidate(f"L1.g[0].{i}", "print(1)\n", "python", "L1.g[0]", 1, score=1.0))
             for i in range(3)]
    state.log("L2.unit_test_generator[0]", "error", "no readable unit tests in 3 samples", malformed=True)
    state.log("L2.unit_test_generator[0]", "error", "no readable unit tests in 3 samples", malformed=True)
    state.errors.extend(errors or [])
    usage = state.usage_for("L1.g[0]")
    usage += Usage(calls=2, samples=3, empty=1, truncated=2, unpriced=3)
    tie = cands[:tied] if selected else []
    return Solution(problem.id, tie[0] if tie else None, tie, state, 1.5, 4)


def test_solve_and_bench_records_come_from_one_builder(problem):
    sol = solution(problem)
    judged = {c.id: (True, True, "OK") for c in sol.state.candidates}
    plain, judged_record = sol.to_dict(), make_record(problem, sol, judged)
    assert set(plain) < set(judged_record)
    shared = set(plain) - {"candidates"}
    assert {k: plain[k] for k in shared if k != "selected_source"} == \
        {k: judged_record[k] for k in shared if k != "selected_source"}
    assert plain["candidates"][0]["source"] == "print(1)\n"  # solve shows every program
    assert "source" not in judged_record["candidates"][0]  # a run's records stay small
    assert judged_record["candidates"][0]["hidden_verdict"] == "OK"
    failed = error_record(problem, "RuntimeError: boom")
    assert set(failed) == set(judged_record)
    assert failed["status"] == "error" and failed["errors"] == ["RuntimeError: boom"]
    json.dumps([plain, judged_record, failed])


def test_a_candidates_sandbox_error_is_counted_not_an_error_of_the_problem(problem):
    sol = solution(problem)
    judged = {"L1.g[0].0": (True, True, "OK"), "L1.g[0].1": (False, False, "SE"), "L1.g[0].2": (True, False, "WA")}
    rec = make_record(problem, sol, judged)
    assert rec["status"] == "ok" and rec["error"] == ""
    assert rec["selected_passed"] and rec["pass_expected"] == 1.0
    assert rec["sandbox_errors"] == 1 and rec["c"] == 1
    assert summarize([rec])["sandbox_errors"] == 1


def test_the_selected_programs_sandbox_error_is_an_error_of_the_problem(problem):
    sol = solution(problem)
    judged = {"L1.g[0].0": (False, False, "SE"), "L1.g[0].1": (True, True, "OK"), "L1.g[0].2": (True, True, "OK")}
    rec = make_record(problem, sol, judged)
    assert rec["status"] == "error"
    assert rec["error"] == "sandbox error judging the selected program L1.g[0].0"
    assert summarize([rec])["pass_at_1"] == 0.0


def test_a_tie_is_scored_over_the_members_the_sandbox_could_judge(problem):
    sol = solution(problem, tied=3)
    judged = {"L1.g[0].0": (True, True, "OK"), "L1.g[0].1": (False, False, "SE"), "L1.g[0].2": (True, False, "WA")}
    rec = make_record(problem, sol, judged)
    assert rec["status"] == "ok" and rec["pass_expected"] == 0.5 and rec["sandbox_errors"] == 1


def test_no_survivor_after_a_component_error_is_an_error(problem):
    sol = solution(problem, selected=False, errors=["L1.g[0]: openai/m: rate_limit after 5 attempts: slow"])
    rec = make_record(problem, sol, {c.id: (False, False, "WA") for c in sol.state.candidates})
    assert rec["status"] == "error" and rec["error"].startswith("L1.g[0]: openai/m: rate_limit")


def test_component_errors_and_bad_answers_are_counted_per_component(problem):
    sol = solution(problem)
    judged = {c.id: (True, True, "OK") for c in sol.state.candidates}
    recs = [make_record(problem, sol, judged), {**make_record(problem, sol, judged), "problem": "other"}]
    assert recs[0]["component_errors"] == {
        "L2.unit_test_generator[0]": {"count": 2, "message": "no readable unit tests in 3 samples"}}
    s = summarize(recs)
    assert s["errors"] == []  # the problems were scored; the components' faults are apart
    rows = {(r["component"], r["kind"]): r for r in s["component_errors"]}
    assert rows[("L2.unit_test_generator[0]", "error")] == {
        "component": "L2.unit_test_generator[0]", "kind": "error", "count": 4, "problems": 2,
        "example": "no readable unit tests in 3 samples"}
    assert rows[("L1.g[0]", "empty")]["count"] == 2 and rows[("L1.g[0]", "truncated")]["count"] == 4
    assert s["llm"]["unpriced"] == 6 and s["llm"]["empty"] == 2 and s["llm"]["truncated"] == 4


def test_records_written_before_component_errors_were_counted_are_read_from_their_trace(problem):
    sol = solution(problem)
    rec = make_record(problem, sol, {c.id: (True, True, "OK") for c in sol.state.candidates})
    del rec["component_errors"]
    (row,) = [r for r in summarize([rec])["component_errors"] if r["kind"] == "error"]
    assert row["count"] == 2 and row["component"] == "L2.unit_test_generator[0]"


def test_a_rejudged_record_keeps_the_pick_and_recomputes_what_was_judged(problem):
    from archon_code.pipeline import rejudged_record

    sol = solution(problem, tied=2)
    ids = [c.id for c in sol.state.candidates]
    unjudged = make_record(problem, sol, {ids[0]: (True, True, "SE"), ids[1]: (True, True, "OK"),
                                          ids[2]: (False, False, "WA")})
    assert unjudged["status"] == "error" and unjudged["selected_verdict"] == "SE"
    # Judged again: the selected program now has a verdict, so the problem is scored.
    again = rejudged_record(unjudged, {ids[0]: (True, False, "TLE"), ids[1]: (True, True, "OK"),
                                       ids[2]: (True, True, "OK")})
    assert again["status"] == "ok" and again["error"] == ""
    assert (again["selected"], again["tied"]) == (unjudged["selected"], unjudged["tied"])
    assert again["selected_verdict"] == "TLE" and again["pass_expected"] == 0.5
    assert (again["c"], again["n_public"], again["c_public"]) == (2, 3, 2)
    assert again["layers"] == {"L1": [3, 2]}
    assert [c["hidden_verdict"] for c in again["candidates"]] == ["TLE", "OK", "OK"]
    back = rejudged_record(again, {i: (True, True, "SE") for i in ids})
    assert back["status"] == "error" and "sandbox error" in back["error"]
