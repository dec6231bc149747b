"""The search report as a static HTML page: the front (or the finalists) against every
trial, held-out Pass@1 next to a baseline, every trial's numbers, and the space."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from archon_code.config import parse_architecture
from harness.archfile import architecture_yaml
from harness.html_page import page
from harness.svg import PALETTE, nice_ticks, svg_open, tick_text
from harness.svg import escape as _e

__all__ = ["front_chart", "render_search_html"]

# One number of decimals per kind of number, everywhere in the search's outputs.
DIGITS = {"pass@1": 3, "usd": 4, "seconds": 2}


def num(x: Any, digits: int = DIGITS["pass@1"]) -> str:
    return "-" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}f}"


def ci_text(ci: Any) -> str:
    if not ci or any(v is None or (isinstance(v, float) and not math.isfinite(v)) for v in ci):
        return "-"
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]"


def diff_text(d: dict | None) -> str:
    """A paired difference of held-out Pass@1 with its interval, or "-"."""
    if not d or d.get("diff") is None:
        return "-"
    return f"{d['diff']:+.3f} {ci_text(d.get('ci95'))}"


def params_text(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())


def front_chart(rows: Sequence[dict[str, Any]], finalists: Sequence[dict[str, Any]], x_key: str,
                x_label: str, title: str, baseline: float | None = None) -> str:
    """Every completed trial (grey) by ``x_key`` and search Pass@1; the finalists in colour,
    joined by the front's steps, with their held-out Pass@1 and its interval beside them;
    ``baseline`` (the space's default architecture, held-out Pass@1) as a dashed line."""
    left, right, top, bottom, plot_w, plot_h = 60, 30, 50, 50, 560, 280
    width, height = left + plot_w + right, top + plot_h + bottom
    pts = [(r[x_key], r["pass_at_1"], r["trial"]) for r in rows
           if r["state"] == "complete" and r.get(x_key) is not None and r.get("pass_at_1") is not None]
    xs = [p[0] for p in pts] or [1.0]
    if x_key == "trial":  # whole trial numbers, half a step of room either side
        last = max(r["trial"] for r in rows) if rows else 0
        every = max(1, math.ceil((last + 1) / 10))
        xt, x0, x1 = list(range(0, last + 1, every)), -0.5, last + 0.5
    else:
        xt = nice_ticks(max(xs) * 1.05 if max(xs) > 0 else 1.0)
        x0, x1 = 0.0, xt[-1]
    yt = nice_ticks(1.0)

    def px(v: float) -> float:
        return left + plot_w * (v - x0) / (x1 - x0)

    def py(v: float) -> float:
        return top + plot_h - plot_h * max(0.0, min(v, 1.0))

    out = [svg_open(width, height, title, "front"),
           f'<text x="{left}" y="18" class="chart-title">{_e(title)}</text>']
    for t in yt:
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{py(t):.1f}" y2="{py(t):.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{py(t) + 4:.1f}" class="tick" text-anchor="end">{tick_text(t)}</text>')
    for t in xt:
        out.append(f'<text x="{px(t):.1f}" y="{top + plot_h + 16}" class="tick" text-anchor="middle">{tick_text(t)}</text>')
    out.append(f'<path d="M{left} {top}V{top + plot_h}H{left + plot_w}" class="axis"/>'
               f'<text x="{left + plot_w / 2}" y="{height - 8}" class="axis-label" text-anchor="middle">{_e(x_label)}</text>'
               f'<text transform="translate(14 {top + plot_h / 2:.0f}) rotate(-90)" class="axis-label" '
               f'text-anchor="middle">Pass@1</text>')
    if baseline is not None:
        out.append(f'<path d="M{left} {py(baseline):.1f}H{left + plot_w}" stroke="{PALETTE[2]}" '
                   f'stroke-width="1.5" stroke-dasharray="6 4" fill="none"><title>baseline (held-out): '
                   f'Pass@1 {baseline:.3f}</title></path>'
                   f'<text x="{left + plot_w - 4}" y="{py(baseline) - 5:.1f}" class="point-label" '
                   f'text-anchor="end">baseline, held-out {baseline:.3f}</text>')
    if x_key == "trial" and pts:  # the best so far, trial by trial
        best, d = -1.0, ""
        for x, y, _ in sorted(pts):
            if y > best:
                d += f"H{px(x):.1f}V{py(y):.1f}" if d else f"M{px(x):.1f} {py(y):.1f}"
                best = y
        d += f"H{px(x1):.1f}"
        out.append(f'<path d="{d}" stroke="#999999" stroke-dasharray="4 3" fill="none"><title>best so far</title></path>')
    for x, y, n in pts:
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="4" fill="#bbbbbb">'
                   f'<title>trial {n}: Pass@1 {y:.3f}, {_e(x_label)} {x:.4g}</title></circle>')
    chosen = []
    for f in finalists:
        x = f["trial"] if x_key == "trial" else f["search"].get(x_key)
        if x is not None and f["search"].get("pass_at_1") is not None:
            chosen.append((x, f["search"]["pass_at_1"], f))
    chosen.sort(key=lambda c: (c[0], -c[1]))
    if len(chosen) > 1:
        d = f"M{px(chosen[0][0]):.1f} {py(chosen[0][1]):.1f}"
        for x, y, _ in chosen[1:]:
            d += f"H{px(x):.1f}V{py(y):.1f}"
        out.append(f'<path d="{d}" stroke="{PALETTE[0]}" stroke-width="1.5" fill="none"/>')
    for x, y, f in chosen:
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="6" fill="{PALETTE[0]}">'
                   f'<title>trial {f["trial"]} (search): Pass@1 {y:.3f}</title></circle>'
                   f'<text x="{px(x) + 9:.1f}" y="{py(y) - 8:.1f}" class="point-label">#{f["trial"]}</text>')
        h = f.get("heldout")
        if h:
            hx = px(x) + 10
            lo, hi = h["pass_at_1_ci95"]
            if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
                out.append(f'<path d="M{hx:.1f} {py(lo):.1f}V{py(hi):.1f}" class="errbar" style="stroke:{PALETTE[5]}"/>')
            hy = py(h["pass_at_1"])
            out.append(f'<path d="M{hx:.1f} {hy - 6:.1f}l6 6l-6 6l-6 -6z" fill="{PALETTE[5]}">'
                       f'<title>trial {f["trial"]} (held-out): Pass@1 {h["pass_at_1"]:.3f} '
                       f'{_e(ci_text(h["pass_at_1_ci95"]))}</title></path>')
    lx, ly = left, 34  # the legend, between the title and the plot
    out.append(f'<circle cx="{lx + 4}" cy="{ly}" r="4" fill="#bbbbbb"/><text x="{lx + 12}" y="{ly + 4}">trial</text>'
               f'<circle cx="{lx + 56}" cy="{ly}" r="6" fill="{PALETTE[0]}"/>'
               f'<text x="{lx + 66}" y="{ly + 4}">finalist</text>'
               f'<path d="M{lx + 130} {ly - 6}l6 6l-6 6l-6 -6z" fill="{PALETTE[5]}"/>'
               f'<text x="{lx + 140}" y="{ly + 4}">held-out (95% CI)</text>')
    out.append("</svg>")
    return "".join(out)


def render_search_html(summary: dict[str, Any]) -> str:
    objectives = summary["objectives"]
    key = "front" if len(objectives) > 1 else "finalists"
    finalists = summary.get(key) or []
    rows = summary["all_trials"]
    base = summary.get("baseline") or None
    base_held = (base or {}).get("heldout") or {}
    if "cost" in objectives:
        x_key, x_label = "cost_per_problem_usd", "cost per problem (USD, as if uncached)"
    elif "latency" in objectives:
        x_key, x_label = "latency_per_problem_s", "LLM + sandbox seconds per problem"
    else:
        x_key, x_label = "trial", "trial"
    chart = front_chart(rows, finalists, x_key, x_label,
                        "Pareto front: search Pass@1 against " + x_label if len(objectives) > 1
                        else "Pass@1 of every trial on the search problems",
                        baseline=base_held.get("pass_at_1"))
    usd, sec = DIGITS["usd"], DIGITS["seconds"]
    fin_rows = []
    for f in finalists:
        s, h = f["search"], f.get("heldout") or {}
        fin_rows.append(
            f"<tr><td>#{f['trial']}</td><td class=\"num\">{num(s['pass_at_1'])}</td>"
            f"<td class=\"num\">{num(h.get('pass_at_1'))} {_e(ci_text(h.get('pass_at_1_ci95')))}</td>"
            f"<td class=\"num\">{_e(diff_text(f.get('vs_baseline')))}</td>"
            f"<td class=\"num\">{num(s['cost_per_problem_usd'], usd)}</td>"
            f"<td class=\"num\">{num(s['latency_per_problem_s'], sec)}</td>"
            f"<td>{_e(params_text(f['params']))}</td><td><code>{_e(f.get('yaml') or '-')}</code></td></tr>")
    if base:
        fin_rows.append(
            f"<tr class=\"baseline\"><td>baseline</td><td class=\"num\">-</td>"
            f"<td class=\"num\">{num(base_held.get('pass_at_1'))} {_e(ci_text(base_held.get('pass_at_1_ci95')))}</td>"
            f"<td class=\"num\">-</td>"
            f"<td class=\"num\">{num(base_held.get('cost_per_problem_usd'), usd)}</td>"
            f"<td class=\"num\">{num(base_held.get('latency_per_problem_s'), sec)}</td>"
            f"<td>{_e(base.get('how') or '')}</td><td><code>{_e(base.get('name') or '-')}</code></td></tr>")
    trial_rows = []
    for r in rows:
        trial_rows.append(
            f"<tr><td>{r['trial']}</td><td>{_e(r['state'])}</td><td class=\"num\">{num(r['pass_at_1'])}</td>"
            f"<td class=\"num\">{num(r['cost_per_problem_usd'], usd)}</td>"
            f"<td class=\"num\">{num(r['latency_per_problem_s'], sec)}</td>"
            f"<td class=\"num\">{num(r['spent_usd'], usd)}</td>"
            f"<td class=\"num\">{_e(r['llm_fresh'] if r['llm_fresh'] is not None else '-')} / "
            f"{_e(r['llm_cached'] if r['llm_cached'] is not None else '-')}</td>"
            f"<td class=\"num\">{_e(r['runs_fresh'] if r['runs_fresh'] is not None else '-')} / "
            f"{_e(r['runs_reused'] if r['runs_reused'] is not None else '-')}</td>"
            f"<td>{_e(params_text(r['params']))}</td><td>{_e(r.get('reason') or '')}</td></tr>")
    points = "".join(f"<tr><td><code>{_e(p['name'])}</code></td><td>{_e(p['domain'])}</td>"
                     f"<td><code>{_e(p['where'])}</code></td></tr>" for p in summary["points"])
    best = summary.get("best")
    best_yaml = ""
    if best:
        best_yaml = (f"<h2 id=\"best\">Best architecture</h2><p>Trial #{best['trial']}, written to "
                     f"<code>{_e(best['yaml'])}</code>.</p><pre><code>"
                     f"{_e(architecture_yaml(parse_architecture(best['architecture'])))}</code></pre>")
    p = summary["problems"]
    spent = summary["spent_usd"]
    budget = summary.get("budget_usd")
    t = summary["trials"]
    heldout_note = (f"{len(p['heldout'])} held-out problems, never seen by a trial"
                    if p["heldout"] else "no held-out part (--holdout 0): the numbers are optimistic")
    baseline_note = ""
    if base:
        baseline_note = (f"The baseline is {_e(base.get('how') or base.get('name'))}, judged on the same "
                         "held-out problems; Δ is a finalist's held-out Pass@1 minus the baseline's, "
                         "paired over those problems, with its 95% bootstrap interval. ")
    body = "".join([
        f"<h1>archon-code search: {_e(summary['space'])}</h1>",
        f"<p class=\"muted\">Objectives {_e(', '.join(objectives))}; sampler {_e(summary['sampler'])}; "
        f"seed {_e(summary['seed'])}. {len(p['search'])} search problems, {_e(heldout_note)}. "
        f"Trials: {t['complete']} complete, {t['pruned']} pruned, {t['fail']} failed"
        f"{'; stopped: ' + _e(summary['stopped']) if summary.get('stopped') else ''}. "
        f"Spent ${spent['search']:.{usd}f} on the search and ${spent['heldout']:.{usd}f} on the held-out part"
        f"{f' (budget ${budget:.{usd}f} for the search)' if budget is not None else ''}. "
        f"Sandbox: {summary['sandbox']['runs']} runs, {summary['sandbox']['reused']} answered from earlier ones. "
        f"Generated {_e(summary['generated'])}.</p>",
        f"<h2 id=\"front\">{'Pareto front' if len(objectives) > 1 else 'Finalists'}</h2>",
        f"<figure id=\"fig-front\">{chart}</figure>",
        "<p class=\"muted\">Search Pass@1 was measured on the problems the search optimised, so it "
        "flatters; held-out Pass@1 (with its 95% bootstrap interval) was measured once, afterwards, "
        f"on problems no trial saw. {baseline_note}Cost and latency count cached work at its original "
        "cost.</p>",
        "<table class=\"finalists\"><tr><th>trial</th><th>search Pass@1</th><th>held-out Pass@1 [95% CI]</th>"
        "<th>Δ vs baseline [95% CI]</th><th>USD / problem</th><th>s / problem</th><th>parameters</th>"
        "<th>file</th></tr>",
        "".join(fin_rows) or "<tr><td colspan=\"8\">no trial completed</td></tr>", "</table>",
        best_yaml,
        "<h2 id=\"trials\">Every trial</h2><p class=\"muted\">LLM samples and sandbox runs as "
        "fresh / reused from earlier trials.</p><table><tr><th>#</th><th>state</th><th>Pass@1</th>"
        "<th>USD / problem</th><th>s / problem</th><th>spent (USD)</th><th>LLM samples</th>"
        "<th>sandbox runs</th><th>parameters</th><th>note</th></tr>",
        "".join(trial_rows), "</table>",
        "<h2 id=\"space\">The space</h2><table><tr><th>point</th><th>domain</th><th>in the file</th></tr>",
        points, "</table>",
        f"<p class=\"muted\">Space file <code>{_e(summary['space_source'])}</code>; study "
        f"<code>{_e(summary['study_db'])}</code>.</p>",
    ])
    return page(f"archon-code search: {summary['space']}", body)
