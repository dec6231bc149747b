"""The run report as a static HTML page: summary table, charts, the problem grid, every
selected program, errors and run metadata. Everything taken from records (program sources,
model output, error messages, ids) is untrusted text: the page escapes it all (see
harness/html_page.py for what the page may load: nothing)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from harness.html_page import page
from harness.report import (
    METRICS,
    ReportError,
    cost_text,
    money,
    problems_text,
    span_text,
    table_rows,
    wall_text,
)
from harness.svg import PALETTE, grouped_bar_chart, hbar_chart, scatter_chart
from harness.svg import escape as _e

__all__ = ["render_html", "write_report"]


def render_html(data: dict) -> str:
    runs = data["runs"]
    labels = [r["label"] for r in runs]
    body = "".join([
        f"<h1>archon-code report</h1><p class=\"muted\">{len(runs)} run(s): "
        f"{_e(', '.join(labels))}. Generated {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.</p>",
        "<nav><a href=\"#summary\">Summary</a><a href=\"#selection\">Selection vs baselines</a>"
        "<a href=\"#cost\">Cost and time</a><a href=\"#problems\">Problems</a>"
        "<a href=\"#programs\">Selected programs</a><a href=\"#errors\">Errors</a>"
        "<a href=\"#runs\">Run metadata</a></nav>",
        _summary_section(data),
        _selection_section(runs),
        _cost_section(runs),
        _grid_section(data),
        _programs_section(data),
        _errors_section(runs),
        _meta_section(runs),
    ])
    return page(f"archon-code report: {' vs '.join(labels)}", body)


def tie_colour(p: float) -> str:
    """The cell colour of a tie with expected pass ``p``: from the fail colour (0) to the
    pass colour (1), so a half-passing tie looks half-way, whatever pick the cell shows."""
    fail, good = (0xFB, 0xDC, 0xDC), (0xD7, 0xF0, 0xDF)
    p = max(0.0, min(1.0, p))
    return "#" + "".join(f"{round(a + (b - a) * p):02x}" for a, b in zip(fail, good))


def _summary_section(data: dict) -> str:
    head = "".join(f"<th>{_e(r['label'])}</th>" for r in data["runs"])
    body = "".join(f"<tr><th>{_e(name.strip())}</th>" + "".join(f'<td class="num">{_e(v)}</td>' for v in vals)
                   + "</tr>" for name, vals in table_rows(data))
    notes = ""
    if data["diffs"]:
        notes = ("<p class=\"muted\">Differences are paired over the problems both runs finished: "
                 "per problem, the expected pass of the selected program (0 for an error); "
                 "the bracket is its 95% percentile-bootstrap interval.</p>")
    return (f'<h2 id="summary">Summary</h2><table class="summary"><tr><th>metric</th>{head}</tr>'
            f"{body}</table>{notes}")


def _selection_section(runs: list[dict]) -> str:
    groups = [r["label"] for r in runs]
    values = [[r["summary"][key] for r in runs] for key, _ in METRICS]
    bars = grouped_bar_chart(groups, [name for _, name in METRICS], values,
                             errors={0: [r["summary"]["pass_at_1_ci95"] for r in runs]},
                             y_max=1.0, title="Pass@1 against the pool's oracle and the random baselines",
                             y_label="share of problems")
    # A run whose cost is unknown (an unpriced model) has no place on a cost axis.
    priced = [r for r in runs if not r["summary"]["unpriced"]]
    unplotted = [r["label"] for r in runs if r["summary"]["unpriced"]]
    scatter = scatter_chart([(r["summary"]["cost_usd"], r["summary"]["pass_at_1"], r["architecture"])
                             for r in priced],
                            [r["summary"]["pass_at_1_ci95"] for r in priced],
                            x_label="cost of the run (USD)", y_label="Pass@1",
                            title="Pass@1 against cost, one point per run") if priced else ""
    note = (f'<p class="muted">Not plotted, their cost being unknown (a model without a known price): '
            f'{_e(", ".join(unplotted))}.</p>' if unplotted else "")
    return ('<h2 id="selection">Selection against baselines</h2>'
            "<p class=\"muted\">Oracle: some candidate in the pool passes. Random pick: expected pass "
            "of a uniform pick from the pool. Public filter: a uniform pick among candidates passing "
            "the public tests. Error bars: 95% bootstrap interval of Pass@1.</p>"
            f'<figure id="fig-selection">{bars}</figure>'
            f'<h3>Pass@1 against cost</h3><figure id="fig-cost-scatter">{scatter}</figure>{note}')


def _cost_section(runs: list[dict]) -> str:
    out = ['<h2 id="cost">Cost and time per component</h2>'
           "<p class=\"muted\">Summed over the run's problems: LLM cost from each component's usage, "
           "seconds from its end events in the trace (components of one layer may overlap in time).</p>"]
    for i, r in enumerate(runs):
        comps = r["components"]
        names = list(comps)
        # A component whose samples came from an unpriced model has an unknown cost, not 0.
        costs = [None if comps[n]["unpriced"] and not comps[n]["cost_usd"] else comps[n]["cost_usd"]
                 for n in names]
        cost = hbar_chart(names, costs, title="cost (USD)", value_format="${:.4f}", colour=PALETTE[0])
        secs = hbar_chart(names, [comps[n]["seconds"] for n in names], title="time (s)",
                          value_format="{:.2f} s", colour=PALETTE[2])
        rows = "".join(
            f"<tr><td>{_e(n)}</td><td class=\"num\">{c['calls']}</td><td class=\"num\">{c['tokens']}</td>"
            f"<td class=\"num\">{_e(cost_text(c['cost_usd'], c['unpriced']))}</td>"
            f"<td class=\"num\">{c['seconds']:.2f}</td></tr>"
            for n, c in comps.items())
        out.append(f"<h3>{_e(r['label'])}</h3><div class=\"charts\" id=\"fig-components-{i}\">{cost}{secs}</div>"
                   "<details><summary>numbers</summary><table><tr><th>component</th><th>calls</th>"
                   f"<th>tokens</th><th>cost (USD)</th><th>seconds</th></tr>{rows}</table></details>")
    return "".join(out)


def _grid_section(data: dict) -> str:
    runs = data["runs"]
    head = "".join(f"<th>{_e(r['label'])}</th>" for r in runs)
    rows = []
    for p, row in enumerate(data["grid"]):
        cells = []
        for j, cell in enumerate(row["cells"]):
            kind = cell["kind"]
            if kind in ("pending", "absent"):
                cells.append(f'<td class="cell {kind}">{"not run" if kind == "pending" else "-"}</td>')
                continue
            tie = style = ""
            cls = kind
            if cell["tied"] > 1:
                cls += " tie"
                tie = f'<span class="tie-note">tie of {cell["tied"]}, p={cell["pass_expected"]:.2f}</span>'
                if kind == "partial":
                    style = f' style="background:{tie_colour(cell["pass_expected"])}"'
            cells.append(f'<td class="cell {cls}"{style}><a href="#prog-{p}-{j}">{_e(cell["verdict"])}{tie}'
                         "</a></td>")
        rows.append(f"<tr><th>{_e(row['problem'])}</th>{''.join(cells)}</tr>")
    legend = ('<p><span class="legend-swatch" style="background:var(--pass)">passes</span>'
              '<span class="legend-swatch" style="background:var(--fail)">fails</span>'
              '<span class="legend-swatch" style="background:var(--err)">error</span>'
              '<span class="legend-swatch" style="background:var(--none)">not run</span>'
              f'<span class="legend-swatch" style="background:{tie_colour(0.5)};outline:2px dashed #555;'
              'outline-offset:-3px">tie: coloured by p, its expected pass; the seeded pick\'s verdict '
              "shown</span></p>")
    return (f'<h2 id="problems">Problems</h2>{legend}<p class="muted">Each cell is the hidden-test '
            "verdict of the selected program; click it to see the program. A tie counts for its "
            "expected pass p in Pass@1, whichever program the seeded pick chose.</p>"
            f'<table class="grid"><tr><th>problem</th>{head}</tr>{"".join(rows)}</table>')


def _programs_section(data: dict) -> str:
    runs = data["runs"]
    out = ['<h2 id="programs">Selected programs</h2>']
    for p, row in enumerate(data["grid"]):
        for j, cell in enumerate(row["cells"]):
            if cell["kind"] in ("pending", "absent"):
                continue
            facts = [f"verdict <b>{_e(cell['verdict'])}</b>",
                     f"expected pass {cell['pass_expected']:.3f}",
                     f"{_e(cell['c'])} of {_e(cell['n'])} candidates correct",
                     f"cost {_e(money(cell['cost_usd'], cell['unpriced']))}"]
            if cell["sandbox_errors"]:
                facts.append(f"{cell['sandbox_errors']} candidate(s) not judged (sandbox error)")
            if isinstance(cell["latency_s"], (int, float)):
                facts.append(f"{cell['latency_s']:.2f} s")
            if cell["tied"] > 1:
                facts.append(f"tie of {cell['tied']}")
            body = [f'<section class="program {cell["kind"]}" id="prog-{p}-{j}">'
                    f"<h3>{_e(row['problem'])} &middot; {_e(runs[j]['label'])}</h3>"
                    f"<p>{' &middot; '.join(facts)}</p>"]
            if cell["why"]:
                body.append(f"<p class=\"muted\">{_e(cell['why'])}</p>")
            if cell["error"]:
                body.append(f"<p>error: <code>{_e(cell['error'])}</code></p>")
            if cell["source"] is not None:
                body.append(f"<p>{_e(cell['selected'])} ({_e(cell['language'])})</p>"
                            f"<pre><code>{_e(cell['source'])}</code></pre>")
            else:
                body.append("<p class=\"muted\">no program was selected</p>")
            if cell["candidates"]:
                body.append(_candidates_table(cell["candidates"]))
            body.append('<p><a href="#problems">back to the grid</a></p></section>')
            out.append("".join(body))
    return "".join(out)


def _candidates_table(cands: list[dict]) -> str:
    cols = ("id", "origin", "layer", "language", "alive", "score", "public_ok", "hidden_verdict", "note")
    rows = "".join("<tr>" + "".join(f"<td>{_e('' if c.get(k) is None else c.get(k))}</td>" for k in cols)
                   + "</tr>" for c in cands)
    head = "".join(f"<th>{k}</th>" for k in cols)
    return (f"<details><summary>candidates ({len(cands)})</summary>"
            f"<table><tr>{head}</tr>{rows}</table></details>")


def _errors_section(runs: list[dict]) -> str:
    out = ['<h2 id="errors">Errors</h2><p class="muted">Problems that count as failed because '
           "solving or judging them failed; then what components reported (a provider that kept "
           "failing, answers that could not be read, answers cut at max_tokens), which may have "
           "made the pick worse without failing the problem.</p>"]
    for r in runs:
        s = r["summary"]
        errs = s["errors"]
        items = "".join(f"<li>{_e(x.get('problem', '?'))}: {_e(x.get('error', ''))}</li>"
                        for x in errs if isinstance(x, dict))
        out.append(f"<h3>{_e(r['label'])}: {len(errs)} problem error(s)</h3>"
                   + (f'<ul class="errors">{items}</ul>' if items else '<p class="muted">none</p>'))
        comps = [c for c in s["component_errors"] if isinstance(c, dict)]
        if comps:
            rows = "".join(f"<tr><td>{_e(c.get('component'))}</td><td>{_e(c.get('kind'))}</td>"
                           f"<td class=\"num\">{_e(c.get('count'))}</td><td class=\"num\">{_e(c.get('problems'))}</td>"
                           f"<td>{_e(c.get('example') or '')}</td></tr>" for c in comps)
            out.append("<table class=\"component-errors\"><tr><th>component</th><th>kind</th><th>count</th>"
                       f"<th>problems</th><th>example</th></tr>{rows}</table>")
        else:
            out.append('<p class="muted">no component errors</p>')
        if s["sandbox_errors"]:
            out.append(f"<p>{s['sandbox_errors']} candidate(s) could not be judged (sandbox error); "
                       "their problems are scored on the programs that were.</p>")
    return "".join(out)


def _rule_text(r: dict, key: str) -> str | None:
    value = (r.get("rules") or {}).get(key)
    return None if value is None else str(value)


def _meta_section(runs: list[dict]) -> str:
    head = "".join(f"<th>{_e(r['label'])}</th>" for r in runs)
    fields: list[tuple[str, list[str | None]]] = [
        ("run dir", [r["path"] for r in runs]),
        ("architecture", [r["architecture"] for r in runs]),
        ("seed", [r["seed"] for r in runs]),
        ("config hash", [r["config_hash"] for r in runs]),
        ("model", [r["model"] for r in runs]),
        ("problem set", [r["problem_source"] for r in runs]),
        ("backend", [r["backend"] for r in runs]),
        ("checker", [_rule_text(r, "checker") for r in runs]),
        ("limits policy", [_rule_text(r, "limits") for r in runs]),
        ("time scale", [_rule_text(r, "time_scale") for r in runs]),
        ("hidden tests", [_rule_text(r, "hidden_tests") for r in runs]),
        ("rescored from (its picks)", [r.get("rescored_from") for r in runs]),
        ("ran", [span_text(r["summary"]["started_at"], r["summary"]["ended_at"]) for r in runs]),
        ("wall time (s), summed over sessions", [wall_text(r["summary"]["wall_s"], r["summary"]["sessions"])
                                                 for r in runs]),
        ("numbers from", [r["summary_source"] for r in runs]),
        ("complete", [f"{'yes' if r['complete'] else 'no'} ({problems_text(r)} problems)" for r in runs]),
    ]
    rows = "".join(f"<tr><th>{_e(name)}</th>" + "".join(f"<td>{_e('-' if v is None else v)}</td>" for v in values)
                   + "</tr>" for name, values in fields)
    rows += "<tr><th>command</th>" + "".join(
        f"<td><code>{_e(' '.join(map(str, r['command'])) if isinstance(r['command'], list) else '-')}</code></td>"
        for r in runs) + "</tr>"
    rows += "<tr><th>versions</th>" + "".join(
        "<td>" + "<br>".join(f"{_e(k)} {_e(v)}" for k, v in (r["versions"] or {}).items()) + "</td>"
        for r in runs) + "</tr>"
    return f'<h2 id="runs">Run metadata</h2><table class="meta"><tr><th></th>{head}</tr>{rows}</table>'


def write_report(data: dict, out: Path) -> Path:
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(data), encoding="utf-8")
    except OSError as e:
        raise ReportError(f"{out}: cannot write the report ({e.strerror or e})") from None
    return out
