"""What a long run is doing, while it runs: problems done, live Pass@1 and money, which
problem and layer is running, LLM retries, and an ETA from the first finished layer on.

On a terminal the line is redrawn in place (rich); otherwise (a log file, CI) a plain line
is printed every ``ARCHON_CODE_PROGRESS_EVERY`` seconds (default 10), as tqdm does in logs.

The ETA counts work in layers, not only in problems: what is left is the layers each problem
still has to go through, each weighted by how long it has taken so far in this session (at
least as long as a problem in flight has already spent in it), shared among the problems that
run at once. So the first estimate comes as soon as any problem finishes its first layer, and
a layer that runs long raises it while it runs.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from archon_code.llm import RetryNotice
from harness.report import money

EVERY_ENV = "ARCHON_CODE_PROGRESS_EVERY"
DEFAULT_EVERY_S = 10.0
RETRY_SHOWN_S = 30.0  # how long a retry notice stays on the line


def progress_every_s() -> float:
    try:
        value = float(os.environ.get(EVERY_ENV, "") or DEFAULT_EVERY_S)
    except ValueError:
        return DEFAULT_EVERY_S
    return value if value > 0 else DEFAULT_EVERY_S


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "-:--:--"
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass
class _Running:
    """One problem in flight: which layer it is in, and since when."""

    layer: int = 0  # 1-based; layers + 1 is judging on the hidden tests
    component: str = ""
    since: float = field(default_factory=time.monotonic)
    started: float = field(default_factory=time.monotonic)


class RunProgress:
    """Progress of one set of problems through an architecture of ``layers`` layers (the
    judging on hidden tests counts as one more). Feed it events; read ``line()``/``eta_s()``;
    use it as a context manager to show it."""

    def __init__(self, label: str, total: int, done: int, layers: int, *,
                 console: Console | None = None, every_s: float | None = None,
                 live: bool | None = None, clock_fn: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.total = total
        self.done = done
        self.todo = max(0, total - done)
        self.layers = max(1, layers)
        self.console = console or Console(stderr=True)
        self.every_s = every_s if every_s is not None else progress_every_s()
        self.live = self.console.is_terminal if live is None else live
        self._now = clock_fn
        self._t0 = clock_fn()
        self.finished = 0  # this session
        self.fields: dict[str, str] = {"p1": "-", "oracle": "-", "cost": "-"}
        self.running: dict[str, _Running] = {}
        self._layer_s: dict[int, list[float]] = {}
        self._retry: tuple[float, RetryNotice] | None = None
        self._status = ""
        self._peak = 1  # the most problems seen in flight at once
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- events -------------------------------------------------------------------------------

    def status(self, text: str) -> None:
        """What happens before the first problem starts (the sandbox starting, say)."""
        self._status = text

    def start_clock(self) -> None:
        """Work begins now: elapsed time and the ETA count from here, not from the set-up."""
        with self._lock:
            self._t0 = self._now()
            self._status = ""

    def summary(self, summary: dict[str, Any], *, any_done: bool = True) -> None:
        """Live numbers from the summary of the records so far."""
        if not any_done:
            return
        cost = money(summary.get("cost_usd", 0.0), (summary.get("llm") or {}).get("unpriced", 0))
        with self._lock:
            self.fields = {"p1": f"{summary.get('pass_at_1', 0.0):.3f}",
                           "oracle": f"{summary.get('oracle', 0.0):.3f}", "cost": cost}

    def step(self, problem: str, layer: int, component: str) -> None:
        """A component of ``layer`` starts on ``problem``."""
        with self._lock:
            run = self.running.setdefault(problem, _Running())
            self._peak = max(self._peak, len(self.running))
            if layer != run.layer:
                self._close_layer(run)
                run.layer, run.since = layer, self._now()
            run.component = component

    def judging(self, problem: str) -> None:
        self.step(problem, self.layers + 1, "judging on the hidden tests")

    def problem_done(self, problem: str, summary: dict[str, Any]) -> None:
        with self._lock:
            run = self.running.pop(problem, None)
            if run is not None:
                self._close_layer(run)
            self.finished += 1
            self.done += 1
        self.summary(summary)

    def retry(self, notice: RetryNotice) -> None:
        with self._lock:
            self._retry = (self._now(), notice)

    def _close_layer(self, run: _Running) -> None:
        if run.layer:
            self._layer_s.setdefault(run.layer, []).append(self._now() - run.since)

    # -- the estimate -------------------------------------------------------------------------

    def _weights(self) -> dict[int, float]:
        """Seconds a layer takes: its mean so far, but never less than the time a problem
        in flight has already spent in it (so a slow layer raises the ETA while it runs);
        a layer with nothing known is taken at the mean of those that are."""
        now = self._now()
        known = {k: sum(v) / len(v) for k, v in self._layer_s.items() if v}
        for run in self.running.values():
            if run.layer:
                known[run.layer] = max(known.get(run.layer, 0.0), now - run.since)
        known = {k: v for k, v in known.items() if v > 0}
        fallback = sum(known.values()) / len(known) if known else 1.0
        return {k: known.get(k, fallback) for k in range(1, self.layers + 2)}

    def eta_s(self) -> float | None:
        """Seconds left: the layers each problem still has to go through, at their weights,
        shared among the problems that run at once. None until some layer has finished."""
        if self.todo == 0 or self.finished >= self.todo:
            return 0.0
        with self._lock:
            if not self._layer_s:
                return None
            weights = self._weights()
            now = self._now()
            whole = sum(weights.values())
            left = 0.0
            for run in self.running.values():
                start = max(run.layer, 1)
                spent = now - run.since if run.layer else 0.0
                left += max(0.0, weights[start] - spent) + sum(weights[k] for k in range(start + 1, self.layers + 2))
            waiting = max(0, self.todo - self.finished - len(self.running))
            left += waiting * whole
            at_once = max(1, min(self._peak, waiting + len(self.running)))
        return left / at_once

    # -- text ---------------------------------------------------------------------------------

    def numbers(self) -> str:
        f = self.fields
        return (f"{self.done}/{self.total} · Pass@1 {f['p1']} · oracle {f['oracle']} · {f['cost']} · "
                f"{clock(self._now() - self._t0)} elapsed · ETA {clock(self.eta_s())}")

    def now_line(self) -> str:
        with self._lock:
            running = sorted(self.running.items(), key=lambda kv: kv[1].started)
            retry = self._retry if self._retry and self._now() - self._retry[0] < RETRY_SHOWN_S else None
        parts = []
        if running:
            name, run = running[-1]
            # Component labels start with their layer ("L3.codet[0]"), said once here.
            component = run.component.removeprefix(f"L{run.layer}.")
            where = ("judging" if run.layer > self.layers else
                     f"L{run.layer}/{self.layers} {component}" if run.layer else "starting")
            parts.append(f"now: {name} ({where})")
            if len(running) > 1:
                parts.append(f"+{len(running) - 1} more in flight")
        elif self._status:
            parts.append(self._status)
        elif self.todo and self.finished < self.todo:
            parts.append("starting")
        if retry is not None:
            n = retry[1]
            parts.append(f"LLM retrying: {n.model} {n.kind} (attempt {n.attempt} of {n.max_attempts} "
                         f"failed, next in {n.delay_s:.0f} s)")
        return " · ".join(parts)

    def line(self) -> str:
        now = self.now_line()
        return f"{self.label} {self.numbers()}" + (f" · {now}" if now else "")

    def __rich__(self) -> Group:
        bar = Table.grid(padding=(0, 1))
        bar.add_row(Text(self.label, style="bold"),
                    ProgressBar(total=max(1, self.total), completed=self.done, width=30),
                    Text(self.numbers()))
        return Group(bar, Text(self.now_line(), style="dim", overflow="ellipsis", no_wrap=True))

    # -- showing it ---------------------------------------------------------------------------

    def __enter__(self) -> RunProgress:
        if self.live:
            self._live = Live(self, console=self.console, refresh_per_second=4, transient=False)
            self._live.start()
        else:
            self._thread = threading.Thread(target=self._plain, name="progress", daemon=True)
            self._thread.start()
        return self

    def _plain(self) -> None:
        while not self._stop.wait(self.every_s):
            self.console.print(Text(self.line()), soft_wrap=True, highlight=False)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop showing it; a plain display ends with one last line. Safe to call twice."""
        if self._live is not None:
            live, self._live = self._live, None
            live.stop()
        if self._thread is not None:
            thread, self._thread = self._thread, None
            self._stop.set()
            thread.join()
            self.console.print(Text(self.line()), soft_wrap=True, highlight=False)
