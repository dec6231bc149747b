"""`archon-code report`: numbers against hand-computed values, escaping, and the page as a
real browser renders it."""

from __future__ import annotations

import json
import re
import struct
import subprocess
from pathlib import Path

import pytest

from harness.metrics import bootstrap_ci, bootstrap_diff_ci, summarize
from harness.html_report import render_html
from harness.report import ReportError, build_report, table_rows
from harness.svg import nice_ticks
from harness.runstore import RunStore
from tests.cli import run_cli

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = 'print("</script><img src=x onerror=alert(1)>")\n# <!-- --> & "quotes" \'too\'\n'
URL_IN_SOURCE = "# see https://example.com/evil.js\nprint(2)\n"


def record(problem: str, *, n: int, c: int, n_public: int, c_public: int,
           passed: bool, verdict: str | None, tied: int = 1, tied_pass: int | None = None,
           usage: dict[str, tuple[float, float, int, int]], source: str = "print(input())\n",
           status: str = "ok", error: str = "") -> dict:
    """A record shaped like bench.make_record's. usage: component -> (cost, seconds,
    prompt tokens, completion tokens)."""
    selected = "L1.generator[0]#0" if verdict is not None else None
    tie_ids = [f"L1.generator[0]#{i}" for i in range(tied)] if selected else []
    if tied_pass is None:
        tied_pass = int(passed) * tied
    candidates = [{"id": f"L1.generator[0]#{i}", "origin": "L1.generator[0]", "layer": 1,
                   "language": "python", "alive": True, "score": 1.0 if i < tied else 0.0,
                   "public_ok": i < n_public, "hidden_ok": i < c,
                   "hidden_verdict": "OK" if i < c else "WA", "note": f"note <{i}>"}
                  for i in range(n)]
    trace = []
    for label, (_, secs, _, _) in usage.items():
        layer = int(label[1])
        trace += [{"layer": layer, "component": label, "kind": "start", "message": "5 alive",
                   "data": {}, "t": 0.0},
                  {"layer": layer, "component": label, "kind": "end", "message": "5 alive",
                   "data": {"seconds": secs}, "t": secs}]
    return {
        "problem": problem, "status": status, "error": error,
        "selected": selected, "selected_language": "python" if selected else None,
        "selected_source": source if selected else None,
        "selected_passed": passed, "selected_verdict": verdict,
        "why": (f"{selected} from L1.generator[0]: score 1, {n} of {n} candidates alive"
                + (f", seeded pick among {tied} tied" if tied > 1 else "")) if selected
               else f"no runnable candidate survived ({error})",
        "tied": tie_ids, "pass_expected": tied_pass / tied if selected else 0.0,
        "n": n, "c": c, "n_public": n_public, "c_public": c_public,
        "layers": {"L1": [n, c]} if n else {},
        "candidates": candidates, "unit_tests": 3,
        "cost_usd": round(sum(u[0] for u in usage.values()), 6),
        "tokens": sum(u[2] + u[3] for u in usage.values()),
        "usage": {label: {"calls": 1, "retries": 0, "failures": 0, "samples": n, "cached": 0,
                          "prompt_tokens": p, "completion_tokens": q, "cost_usd": cost,
                          "total_tokens": p + q}
                  for label, (cost, _, p, q) in usage.items()},
        "latency_s": round(sum(u[1] for u in usage.values()), 3), "executions": 2 * n,
        "errors": [error] if error else [], "trace": trace,
    }


GEN_RANK = {"L1.generator[0]": (0.008, 1.5, 300, 500), "L2.ranker[0]": (0.002, 0.5, 150, 50)}
FUSE = {"L1.generator[0]": (0.004, 1.0, 200, 300), "L1.generator[1]": (0.006, 1.25, 200, 300),
        "L2.fuser[0]": (0.01, 2.0, 400, 100)}
LLM_ERROR = "L1.generator[0]: openai/m: rate_limited (HTTP 429) after 3 attempts: slow down"


def open_run(path: Path, name: str, problems: list[str], seed: int = 0) -> RunStore:
    store = RunStore(path)
    config = {"architecture": {"name": name, "layers": [[{"type": "generator"}]]},
              "problems": "bundled", "split": None, "problem_ids": problems, "seed": seed,
              "model": "openai/m", "api_base": None, "hidden_tests": "private"}
    store.open({"config_hash": f"hash-{name}", "config": config,
                "versions": {"python": "3.11.9", "archon-code": "0.1.0"},
                "command": ["bench", "--arch", name]})
    return store


@pytest.fixture
def runs(tmp_path) -> tuple[Path, Path]:
    """Run A finished (results.json written); run B was interrupted with one problem left,
    and retried a problem that first failed."""
    a = open_run(tmp_path / "gen-rank-aaaa", "gen-rank", ["p1", "p2", "p3", "p4"])
    recs_a = [
        record("p1", n=5, c=2, n_public=3, c_public=2, passed=True, verdict="OK", usage=GEN_RANK),
        # A tie of two; the seeded pick fails, the other passes: expected pass 0.5.
        record("p2", n=5, c=1, n_public=2, c_public=1, passed=False, verdict="WA", tied=2,
               tied_pass=1, usage=GEN_RANK),
        record("p3", n=0, c=0, n_public=0, c_public=0, passed=False, verdict=None,
               status="error", error=LLM_ERROR,
               usage={"L1.generator[0]": (0.001, 0.25, 100, 0), "L2.ranker[0]": (0.0, 0.0, 0, 0)}),
        record("p4", n=5, c=0, n_public=1, c_public=0, passed=False, verdict="TLE", usage=GEN_RANK,
               source=URL_IN_SOURCE),
    ]
    for r in recs_a:
        a.append(r)
    a.write_results({**summarize(recs_a, seed=0), "wall_s": 12.5, "complete": True,
                     "architecture": "gen-rank", "config_hash": "hash-gen-rank", "seed": 0,
                     "versions": {"python": "3.11.9"}, "run_dir": str(a.path)})

    b = open_run(tmp_path / "fuse-bbbb", "fuse", ["p1", "p2", "p3", "p4", "p5"])
    b.append(record("p3", n=0, c=0, n_public=0, c_public=0, passed=False, verdict=None,
                    status="error", error="sandbox error judging x", usage=FUSE))
    for r in [
        record("p1", n=5, c=3, n_public=3, c_public=3, passed=True, verdict="OK", usage=FUSE),
        record("p2", n=5, c=2, n_public=2, c_public=2, passed=True, verdict="OK", usage=FUSE),
        record("p3", n=5, c=1, n_public=0, c_public=0, passed=True, verdict="OK", usage=FUSE),
        record("p4", n=5, c=0, n_public=2, c_public=0, passed=False, verdict="WA", usage=FUSE,
               source=HOSTILE),
    ]:
        b.append(r)
    return a.path, b.path


def wide_cli(*args: str) -> subprocess.CompletedProcess:
    """The command line on a terminal wide enough for the report table."""
    return run_cli(*args, env={"COLUMNS": "220"}, timeout=120)


# ---------------------------------------------------------------------------------------------
# The data


def test_report_data_matches_hand_computed_values(runs):
    a, b = runs
    data = build_report([a, b])
    ra, rb = data["runs"]
    assert [ra["label"], rb["label"]] == ["gen-rank", "fuse"]

    sa = ra["summary"]
    assert ra["summary_source"] == "results.json" and ra["complete"]
    assert sa["problems"] == 4
    assert sa["pass_at_1"] == pytest.approx((1 + 0.5 + 0 + 0) / 4)
    assert sa["pass_at_1_ci95"] == pytest.approx(list(bootstrap_ci([1, 0.5, 0, 0], seed=0)))
    assert sa["oracle"] == pytest.approx(2 / 4)
    assert sa["random_pick"] == pytest.approx((2 / 5 + 1 / 5) / 4)
    assert sa["public_filter_random"] == pytest.approx((2 / 3 + 1 / 2 + 0 + 0 / 1) / 4)
    assert sa["pass_at_k"] == pytest.approx({"pass@1": 0.15, "pass@5": 0.5})
    assert sa["cost_usd"] == pytest.approx(3 * 0.01 + 0.001)
    assert sa["tokens"] == 3 * 1000 + 100
    assert sa["wall_s"] == 12.5
    assert sa["errors"] == [{"problem": "p3", "error": LLM_ERROR}]
    assert ra["components"] == {
        "L1.generator[0]": {"cost_usd": pytest.approx(0.025), "seconds": pytest.approx(4.75),
                            "calls": 4, "tokens": 3 * 800 + 100, "unpriced": 0},
        "L2.ranker[0]": {"cost_usd": pytest.approx(0.006), "seconds": pytest.approx(1.5),
                         "calls": 4, "tokens": 3 * 200, "unpriced": 0},
    }

    # Run B never finished: its numbers come from the newest record of each problem.
    sb = rb["summary"]
    assert rb["summary_source"].startswith("records.jsonl") and not rb["complete"]
    assert rb["problems_planned"] == 5 and sb["problems"] == 4
    assert sb["pass_at_1"] == pytest.approx(0.75)
    assert sb["oracle"] == pytest.approx(0.75)
    assert sb["random_pick"] == pytest.approx((0.6 + 0.4 + 0.2 + 0) / 4)
    assert sb["public_filter_random"] == pytest.approx((1 + 1 + 0.2 + 0) / 4)
    assert sb["pass_at_k"] == pytest.approx({"pass@1": 0.3, "pass@5": 0.75})
    assert sb["cost_usd"] == pytest.approx(0.08)
    assert sb["errors"] == [] and sb["wall_s"] is None
    assert list(rb["components"]) == ["L1.generator[0]", "L1.generator[1]", "L2.fuser[0]"]
    assert rb["components"]["L2.fuser[0]"]["seconds"] == pytest.approx(8.0)

    # Paired over p1..p4: per-problem differences 0, 0.5, 1 (A's error counts 0), 0.
    (d,) = data["diffs"]
    assert d["common_problems"] == 4
    assert d["diff"] == pytest.approx(0.375)
    _, lo, hi = bootstrap_diff_ci({"p1": 1, "p2": 0.5, "p3": 0, "p4": 0},
                                  {"p1": 1, "p2": 1, "p3": 1, "p4": 0})
    assert d["ci95"] == pytest.approx([lo, hi]) and lo <= 0.375 <= hi

    grid = {row["problem"]: row["cells"] for row in data["grid"]}
    assert list(grid) == ["p1", "p2", "p3", "p4", "p5"]
    assert [c["kind"] for c in grid["p2"]] == ["partial", "pass"]
    assert grid["p2"][0]["tied"] == 2 and grid["p2"][0]["pass_expected"] == 0.5
    assert [c["kind"] for c in grid["p3"]] == ["error", "pass"]
    assert grid["p4"][0]["verdict"] == "TLE"
    assert grid["p5"] == [{"kind": "absent"}, {"kind": "pending"}]


def test_json_output_is_the_report_data(runs):
    a, b = runs
    p = wide_cli("report", str(a), str(b), "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)  # strict JSON: NaN would not parse as a number here
    assert data["runs"][1]["summary"]["pass_at_1"] == pytest.approx(0.75)
    assert data["diffs"][0]["diff"] == pytest.approx(0.375)
    assert (a / "report.html").is_file()


def test_table_numbers(runs, tmp_path):
    a, b = runs
    out = tmp_path / "sub" / "r.html"
    p = wide_cli("report", str(a), str(b), "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert out.is_file() and not (a / "report.html").exists()
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in p.stdout.splitlines() if line.count("│") >= 4}
    assert rows["problems"] == ["4", "4 of 5"]
    assert rows["Pass@1"] == ["0.375", "0.750"]
    lo, hi = bootstrap_ci([1, 0.5, 0, 0], seed=0)
    assert rows["95% CI"][0] == f"[{lo:.3f}, {hi:.3f}]"
    assert rows["oracle (any candidate correct)"] == ["0.500", "0.750"]
    assert rows["random pick"] == ["0.150", "0.300"]
    assert rows["public filter, then random"] == ["0.292", "0.550"]
    assert "pool pass@1" not in rows  # the random pick again
    assert rows["pool pass@5"] == ["0.500", "0.750"]
    assert rows["cost (USD)"] == ["0.0310", "0.0800"]
    assert rows["tokens"] == ["3100", "6000"]
    assert rows["wall (s)"] == ["12.5", "-"]
    assert rows["errors"] == ["1", "0"]
    _, dlo, dhi = bootstrap_diff_ci({"p1": 1, "p2": 0.5, "p3": 0, "p4": 0},
                                    {"p1": 1, "p2": 1, "p3": 1, "p4": 0})
    assert rows["ΔPass@1 vs the first run"] == [
        "baseline", f"+0.375 [{dlo:.3f}, {dhi:.3f}] n=4"]
    assert f"gen-rank: error: p3: {LLM_ERROR}" in p.stdout
    assert "report:" in p.stderr


def test_stale_results_json_gives_way_to_the_records(runs):
    a, _ = runs
    store = RunStore(a)
    store.append(record("p4", n=5, c=5, n_public=5, c_public=5, passed=True, verdict="OK",
                        usage=GEN_RANK))
    data = build_report([a])
    assert data["runs"][0]["summary_source"].startswith("records.jsonl")
    assert data["runs"][0]["summary"]["pass_at_1"] == pytest.approx((1 + 0.5 + 0 + 1) / 4)
    assert data["runs"][0]["summary"]["wall_s"] is None


@pytest.mark.parametrize("case", ["missing", "file", "no-run-json", "no-records", "empty-records",
                                  "bad-run-json", "bad-records", "bad-field"])
def test_bad_input_is_one_line_naming_the_path(tmp_path, runs, case):
    target = tmp_path / "bad"
    if case == "file":
        target.write_text("x")
    elif case == "no-run-json":
        target.mkdir()
        (target / "records.jsonl").write_text("")
    elif case in ("no-records", "empty-records", "bad-records", "bad-field"):
        open_run(target, "x", ["p1"])
        if case == "empty-records":
            (target / "records.jsonl").write_text("")
        if case == "bad-records":
            (target / "records.jsonl").write_text('{"status": "ok"}\n')
        if case == "bad-field":
            RunStore(target).append({"problem": "p1", "status": "ok", "n": "five"})
    elif case == "bad-run-json":
        target.mkdir()
        (target / "run.json").write_text("{not json")
        (target / "records.jsonl").write_text("")
    with pytest.raises(ReportError, match=re.escape(str(target))):
        build_report([runs[0], target])
    p = wide_cli("report", str(runs[0]), str(target))
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(target) in lines[0]


# ---------------------------------------------------------------------------------------------
# The page as text


def test_html_escapes_untrusted_text(runs):
    a, b = runs
    page = render_html(build_report([a, b]))
    assert "<img" not in page and "</script><img" not in page
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;!-- --&gt; &amp; &quot;quotes&quot; &#x27;too&#x27;" in page
    assert "note &lt;0&gt;" in page  # candidate notes are model output too
    assert "<script" not in page.lower()


def test_html_is_self_contained(runs):
    a, b = runs
    page = render_html(build_report([a, b]))
    # The only URL is the one inside a program's (escaped) source.
    assert re.findall(r"https?://[^\s<\"']*", page) == ["https://example.com/evil.js"]
    assert "<pre><code># see https://example.com/evil.js" in page
    for tag in ("<link", "<script", "<iframe", "<object", "<embed", "@import", "url("):
        assert tag not in page.lower()
    assert "default-src 'none'" in page
    for n in ("0.375", "0.750", "+0.375"):
        assert n in page
    assert page.count("<svg") == 2 + 2 * 2  # selection bars, scatter, two charts per run


def test_nice_ticks():
    assert nice_ticks(1.0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0.088) == pytest.approx([0, 0.02, 0.04, 0.06, 0.08, 0.1])
    assert nice_ticks(0.0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(12) == [0, 2.5, 5, 7.5, 10, 12.5]


# ---------------------------------------------------------------------------------------------
# The page in a real browser


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium; "
                    ".ci/run does it as root)")
    return CHROMIUM


def headless(chromium: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "chromium-profile"
    return subprocess.run(
        [str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
         # Any lookup fails: the page must render from the file alone.
         "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180,
    )


def test_browser_renders_charts_and_numbers(runs, tmp_path, chromium):
    a, b = runs
    out = tmp_path / "report.html"
    assert wide_cli("report", str(a), str(b), "--out", str(out)).returncode == 0
    p = headless(chromium, tmp_path, "--dump-dom", out.as_uri())
    assert p.returncode == 0, p.stderr[-2000:]
    dom = p.stdout
    assert "<svg" in dom and "archon-code report" in dom
    selection = re.search(r'<figure id="fig-selection">(.*?)</figure>', dom, re.S).group(1)
    assert 'class="chart grouped-bars"' in selection and selection.count("<rect") >= 8
    for n in ("0.375", "0.750", "0.500", "0.150", "0.292", "0.550"):
        assert f">{n}</text>" in selection
    scatter = re.search(r'<figure id="fig-cost-scatter">(.*?)</figure>', dom, re.S).group(1)
    assert scatter.count("<circle") == 2
    assert "gen-rank (0.375)" in scatter and "fuse (0.750)" in scatter
    comps = re.search(r'id="fig-components-1">(.*?)</div>', dom, re.S).group(1)
    assert comps.count('class="chart hbars"') == 2 and "L2.fuser[0]" in comps
    assert "$0.0400" in comps and "8.00 s" in comps
    grid = re.search(r'<table class="grid">(.*?)</table>', dom, re.S).group(1)
    # A tie is coloured by its expected pass (0.5: half-way), not by the failing pick shown.
    assert 'class="cell partial tie" style="background:#e9e6de"' in grid and "tie of 2, p=0.50" in grid
    assert 'class="cell error"' in grid and "not run" in grid
    # The hostile source stayed text: no element came out of it.
    assert "<img" not in dom and "&lt;img src=x onerror=alert(1)&gt;" in dom
    assert 'id="prog-3-1"' in dom


def test_browser_screenshot(runs, tmp_path, chromium):
    a, b = runs
    out = tmp_path / "report.html"
    assert wide_cli("report", str(a), str(b), "--out", str(out)).returncode == 0
    png = tmp_path / "report.png"
    p = headless(chromium, tmp_path, f"--screenshot={png}", "--window-size=1280,2000", out.as_uri())
    assert p.returncode == 0, p.stderr[-2000:]
    raw = png.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", raw[16:24])
    assert (width, height) == (1280, 2000)
    # A blank page compresses to a few kilobytes; charts and tables do not.
    assert len(raw) > 40_000


# ---------------------------------------------------------------------------------------------
# What a run recorded about itself


LONG_LABEL = "L3.unit_test_generator_with_a_rather_long_name[12]"


def test_rules_backend_times_unknown_prices_and_component_errors(tmp_path):
    import time

    store = open_run(tmp_path / "local-run", "local-model", ["p1", "p2"])
    rules = {"checker": "strict", "limits": "archon", "time_scale": 2.0, "hidden_tests": "private+generated"}
    meta = json.loads(store.meta_path.read_text())
    store.meta_path.write_text(json.dumps({**meta, "rules": rules, "backend": "docker"}))
    usage = {LONG_LABEL: (0.0, 2.0, 100, 50)}
    recs = [record("p1", n=2, c=1, n_public=1, c_public=1, passed=True, verdict="OK", usage=usage),
            record("p2", n=2, c=0, n_public=0, c_public=0, passed=False, verdict="WA", usage=usage)]
    for r in recs:
        r["usage"][LONG_LABEL]["unpriced"] = 2  # a local model: litellm knows no price
        r["component_errors"] = {LONG_LABEL: {"count": 1, "message": "no readable unit tests in 3 samples"}}
        r["sandbox_errors"] = 1
    store.begin_session()
    for r in recs:
        store.append(r)
    store.end_session()
    store.begin_session()  # a resumed session that found nothing left to do
    time.sleep(0.01)
    store.end_session()
    store.close()

    data = build_report([store.path])
    (run,) = data["runs"]
    assert run["rules"] == rules and run["backend"] == "docker"
    s = run["summary"]
    assert s["unpriced"] == 4 and s["sessions"] == 2 and s["sandbox_errors"] == 2
    assert s["wall_s"] > 0 and s["started_at"] and s["ended_at"]
    rows = dict(table_rows(data))
    assert rows["cost (USD)"] == ["unknown"]
    assert rows["wall (s)"] == [f"{s['wall_s']:.1f} (2 sessions)"]
    assert rows["component errors"] == ["2"] and rows["sandbox errors (candidates)"] == ["2"]

    page = render_html(data)
    meta_table = re.search(r'<table class="meta">(.*?)</table>', page, re.S).group(1)
    for name, value in (("backend", "docker"), ("checker", "strict"), ("limits policy", "archon"),
                        ("time scale", "2.0"), ("hidden tests", "private+generated")):
        assert f"<tr><th>{name}</th><td>{value}</td></tr>" in meta_table
    assert f"<td>{s['wall_s']:.1f} (2 sessions)</td>" in meta_table
    assert "<tr><th>ran</th><td>" + s["started_at"][:10] in meta_table
    assert "$0.0000" not in page and ">unknown</text>" in page
    errors = re.search(r'<table class="component-errors">(.*?)</table>', page, re.S).group(1)
    assert f"<td>{LONG_LABEL}</td><td>error</td>" in errors and "no readable unit tests" in errors
    # Labels are whole, in the chart as in the table.
    assert f">{LONG_LABEL}<title>" in page and "…" not in page


def test_a_long_run_label_wraps_under_its_bars_instead_of_being_cut():
    from harness.svg import grouped_bar_chart

    name = "offline-with-a-very-long-architecture-name-indeed"
    svg = grouped_bar_chart([name, "b"], ["Pass@1", "oracle"], [[0.5, 0.4], [1.0, 0.9]], y_max=1.0)
    spans = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert "".join(s for s in spans if s != "b").replace(" ", "") == name.replace(" ", "")
    assert "…" not in svg and f"<title>{name}</title>" in svg
