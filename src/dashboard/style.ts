/** The dashboard's only stylesheet, served from /style.css (the CSP allows styles from this server only). */
export const STYLE = `
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6478; --line: #dde2ea; --bg: #f6f7f9; --accent: #1f5fbf;
  --ok: #1e7a46; --warn: #9a6700; --bad: #b42318; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: var(--bg); }
header { display: flex; gap: 24px; align-items: center; padding: 12px 24px; background: #102a4c; color: #fff; }
header strong { font-size: 16px; letter-spacing: .02em; }
header nav a { color: #c9d7ee; text-decoration: none; margin-right: 16px; }
header nav a.active, header nav a:hover { color: #fff; text-decoration: underline; }
main { padding: 20px 24px 48px; max-width: 1280px; }
h1 { font-size: 20px; margin: 0 0 16px; }
h2 { font-size: 16px; margin: 28px 0 10px; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); background: #fafbfc; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: #fff; border: 1px solid var(--line); padding: 10px 12px; overflow: auto; white-space: pre-wrap;
  word-break: break-word; margin: 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 18px; background: #fff; border: 1px solid var(--line);
  padding: 12px 16px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; word-break: break-all; }
.status { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; background: #eef1f5; }
.status-succeeded { background: #e3f4ea; color: var(--ok); }
.status-dead, .status-poison { background: #fde8e6; color: var(--bad); }
.status-paused { background: #ece8fb; color: #5a3fb0; text-decoration: none; }
.status-retrying, .status-running, .status-queued, .status-max-receives { background: #fff4d6; color: var(--warn); }
.status-expired, .status-cancelled, .status-discarded { background: #eceef2; color: var(--muted); }
p.counts { display: flex; gap: 6px 14px; flex-wrap: wrap; align-items: baseline; margin: 0 0 12px; }
p.counts a.count { text-decoration: none; }
p.counts a.count.active { text-decoration: underline; }
.muted { color: var(--muted); }
.actions { display: flex; gap: 8px; flex-wrap: wrap; margin: 12px 0; }
td .actions, td form { margin: 0; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #b8c2d3; background: #fff; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
form.filters { display: flex; gap: 12px; align-items: end; margin-bottom: 14px; flex-wrap: wrap; }
form.filters label { display: grid; gap: 4px; color: var(--muted); font-size: 12px; }
select, input[type=text] { font: inherit; padding: 5px 8px; border: 1px solid #b8c2d3; border-radius: 6px; background: #fff; }
.notice { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--accent); padding: 10px 14px; margin: 12px 0; }
.notice.bad { border-left-color: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; margin-bottom: 8px; }
.card { background: #fff; border: 1px solid var(--line); padding: 12px 14px; }
.card .n { font-size: 24px; font-weight: 600; }
progress { width: 240px; }
td progress { width: 120px; }
details summary { cursor: pointer; color: var(--accent); }
nav.windows { display: flex; gap: 14px; margin: 0 0 14px; }
nav.windows a { text-decoration: none; }
nav.windows a.active { font-weight: 600; text-decoration: underline; }
p.prices { margin: 6px 0 0; font-size: 12px; }
svg.plot { display: block; width: 100%; height: auto; max-width: 960px; background: #fff; border: 1px solid var(--line);
  margin: 0 0 8px; }
svg.plot text { font-size: 11px; fill: var(--muted); stroke: none; }
svg.plot .panel-title { font-size: 12px; font-weight: 600; fill: var(--ink); }
svg.plot .legend text { fill: var(--ink); }
svg.plot .grid { stroke: #eef1f5; }
svg.plot .axis-line, svg.plot .tick-mark { stroke: #9aa3b2; }
svg.plot .line { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
svg.plot .l1 .line { stroke-dasharray: 6 3; }
svg.plot .l2 .line { stroke-dasharray: 1.5 2.5; stroke-width: 2.4; }
svg.plot .s0 { stroke: #1f5fbf; fill: #1f5fbf; } svg.plot .s1 { stroke: #e8710a; fill: #e8710a; }
svg.plot .s2 { stroke: #1e7a46; fill: #1e7a46; } svg.plot .s3 { stroke: #b42318; fill: #b42318; }
svg.plot .s4 { stroke: #7b4fc9; fill: #7b4fc9; } svg.plot .s5 { stroke: #8c564b; fill: #8c564b; }
svg.plot .s6 { stroke: #d1449c; fill: #d1449c; } svg.plot .s7 { stroke: #5b6478; fill: #5b6478; }
svg.plot .s8 { stroke: #9a8a00; fill: #9a8a00; } svg.plot .s9 { stroke: #0f8fa3; fill: #0f8fa3; }
svg.plot .series .line, svg.plot .legend .line { fill: none; }
`;
