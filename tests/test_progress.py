"""The live progress of a run: an ETA from the first finished layer on, which problem and
layer is running, LLM retries, and plain lines where the output is not a terminal. A fake
clock drives it: nothing here depends on how fast the machine is."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from archon_code.llm import RetryNotice
from harness.progress import RunProgress, clock


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def progress(total: int = 2, done: int = 0, layers: int = 4, **kwargs) -> tuple[RunProgress, FakeClock]:
    c = FakeClock()
    console = Console(file=io.StringIO(), force_terminal=False, width=300)
    return RunProgress("offline", total, done, layers, console=console, clock_fn=c, **kwargs), c


def test_no_estimate_until_a_layer_has_finished_then_one_at_once():
    p, c = progress()
    assert p.eta_s() is None and "ETA -:--:--" in p.line()
    p.step("Twin Beacons", 1, "L1.dataset_samples[0]")
    c.t += 10
    assert p.eta_s() is None  # nothing finished yet: no basis for an estimate
    p.step("Twin Beacons", 2, "L2.public_filter[0]")
    # Layer 1 took 10 s; the others are taken at that too: four layers (three, and judging)
    # left for this problem, five for the one not started, one problem at a time.
    assert p.eta_s() == pytest.approx(4 * 10 + 5 * 10)
    assert "ETA 0:01:30" in p.line()


def test_the_estimate_weighs_layers_by_how_long_they_took():
    p, c = progress(total=1)
    p.step("a", 1, "L1.x[0]")
    c.t += 2
    p.step("a", 2, "L2.y[0]")
    c.t += 18
    p.step("a", 3, "L3.z[0]")
    # Layers 1 and 2 took 2 s and 18 s; the three left are taken at their mean, 10 s.
    assert p.eta_s() == pytest.approx(3 * 10)


def test_problems_in_flight_at_once_share_the_time_left():
    p, c = progress(total=3)
    p.step("a", 1, "L1.x[0]")
    p.step("b", 1, "L1.x[0]")
    c.t += 4
    p.step("a", 2, "L2.y[0]")
    p.step("b", 2, "L2.y[0]")
    # Each layer 4 s: a and b have four layers left, c all five; two run at once.
    assert p.eta_s() == pytest.approx((4 * 4 + 4 * 4 + 5 * 4) / 2)


def test_problems_already_done_count_as_done_but_not_as_speed():
    p, c = progress(total=4, done=2)
    assert p.numbers().startswith("2/4 ")
    for layer in range(1, 5):
        p.step("c", layer, f"L{layer}.x[0]")
        c.t += 1
    p.judging("c")
    c.t += 1
    p.problem_done("c", {"pass_at_1": 0.75, "oracle": 1.0, "cost_usd": 0.0})
    assert p.done == 3 and p.eta_s() == pytest.approx(5.0)  # one problem left, five layers of 1 s
    assert "3/4 · Pass@1 0.750 · oracle 1.000 · $0.0000" in p.line()


def test_the_line_names_the_problem_the_layer_and_what_else_runs():
    p, _ = progress(layers=5)
    p.step("Twin Beacons", 1, "L1.generator[0]")
    p.step("Gondola Queue", 3, "L3.codet[0]")
    assert p.now_line() == "now: Gondola Queue (L3/5 codet[0]) · +1 more in flight"
    p.judging("Gondola Queue")
    assert p.now_line() == "now: Gondola Queue (judging) · +1 more in flight"


def test_llm_retries_show_for_a_while():
    p, c = progress()
    p.retry(RetryNotice("openai/gpt-4o-mini", "rate_limit", 2, 5, 4.2, "slow down"))
    assert "LLM retrying: openai/gpt-4o-mini rate_limit (attempt 2 of 5 failed, next in 4 s)" in p.line()
    c.t += 60
    assert "LLM retrying" not in p.line()


def test_unknown_prices_are_not_shown_as_free():
    p, _ = progress()
    p.summary({"pass_at_1": 0.5, "oracle": 1.0, "cost_usd": 0.0, "llm": {"unpriced": 3}})
    assert "oracle 1.000 · unknown · " in p.line()
    p.summary({"pass_at_1": 0.5, "oracle": 1.0, "cost_usd": 0.25, "llm": {"unpriced": 3}})
    assert "oracle 1.000 · $0.2500 + unknown · " in p.line()


def test_a_plain_display_ends_with_one_last_line():
    p, _ = progress(live=False, every_s=3600)
    with p:
        p.step("a", 1, "L1.x[0]")
    out = p.console.file.getvalue()
    assert out.count("\n") == 1 and out.startswith("offline 0/2 · ") and "now: a (L1/4 x[0])" in out
    p.close()  # a second close prints nothing more
    assert p.console.file.getvalue() == out


def test_clock():
    assert clock(None) == "-:--:--" and clock(0) == "0:00:00" and clock(3725.4) == "1:02:05"


def test_a_layer_that_runs_long_raises_the_estimate_while_it_runs():
    p, c = progress(total=1)
    p.step("a", 1, "L1.x[0]")
    c.t += 2
    p.step("a", 2, "L2.slow[0]")
    early = p.eta_s()
    assert early == pytest.approx(4 * 2)  # four layers left at the 2 s the first one took
    c.t += 50
    # Layer 2 has run 50 s: it counts at least that long, the three after it at the mean, 26 s.
    assert p.eta_s() == pytest.approx(3 * 26) and p.eta_s() > 5 * early
