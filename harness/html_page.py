"""The shell every HTML page of archon-code shares: one self-contained file, its style inline,
nothing fetched and nothing run (a Content-Security-Policy forbids both), so a page renders
the same offline and untrusted text in it can do nothing even if it slipped past escaping."""

from __future__ import annotations

from harness.svg import escape

CSS = """
:root{--pass:#d7f0df;--pass-ink:#11603a;--fail:#fbdcdc;--fail-ink:#9b1c1c;--err:#fdefc3;
--err-ink:#7a5200;--none:#eeeeee;--ink:#1d1d1f;--muted:#666;--line:#d0d0d0}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:var(--ink);margin:0 auto;max-width:1200px;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:18px 0 6px}nav a{margin-right:14px}.muted{color:var(--muted)}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid var(--line);padding:3px 8px;
text-align:left;vertical-align:top}td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f5f5f7}svg.chart{max-width:100%;height:auto;display:block;margin:6px 0}
svg .grid{stroke:#e6e6e6}svg .axis{stroke:#444;fill:none}svg .errbar{stroke:#222;stroke-width:1.5;fill:none}
svg text{font:11px system-ui,sans-serif;fill:#222}svg .tick{fill:#666}svg .value{font-size:10px}
svg .chart-title{font-weight:600;font-size:12px}svg .point-label{font-size:11px}
.charts{display:flex;flex-wrap:wrap;gap:12px 32px}
table.grid td.cell{text-align:center;min-width:70px;font-family:ui-monospace,Menlo,Consolas,monospace}
td.cell a{color:inherit;text-decoration:none;display:block}td.cell a:hover{text-decoration:underline}
td.pass{background:var(--pass);color:var(--pass-ink)}td.fail{background:var(--fail);color:var(--fail-ink)}
td.partial{color:var(--ink)}
td.error{background:var(--err);color:var(--err-ink)}td.pending,td.absent{background:var(--none);color:var(--muted)}
td.tie{outline:2px dashed #555;outline-offset:-4px}.tie-note{display:block;font-size:11px}
.legend-swatch{display:inline-block;padding:1px 8px;margin-right:8px;border:1px solid var(--line)}
pre{background:#f7f7f9;border:1px solid var(--line);padding:8px;overflow:auto;max-height:28em;
white-space:pre;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
section.program{border-left:4px solid var(--line);padding:2px 12px;margin:14px 0}
section.program.pass{border-color:#2e9d5f}section.program.fail{border-color:#c53030}
section.program.partial{border-color:#8a8a2e}
section.program.error{border-color:#c99400}section.program:target{background:#fffbe6}
ul.errors li{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap}
tr.baseline td{font-style:italic}
"""


def page(title: str, body: str) -> str:
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src 'none'; script-src 'none'\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        body,
        "</body></html>\n",
    ])
