/**
 * The page skeleton of report.html: one file with inline CSS (system fonts, no downloads), a
 * print stylesheet, and a tiny optional script (sortable table columns; open every <details>
 * before printing). The page reads fully without the script.
 */
import { esc } from './format.js';

/** A section of the page: an anchor id, a heading and its HTML body. */
export interface Section {
  id: string;
  title: string;
  body: string;
}

const CSS = `
:root{--ink:#1b1f24;--muted:#59616b;--line:#d9dde3;--soft:#f4f6f8;--best:#fff4c2;--accent:#0072b2;color-scheme:light}
*{box-sizing:border-box}
html{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
body{margin:0 auto;max-width:1320px;padding:2rem 1.5rem 4rem}
h1{font-size:1.9rem;line-height:1.2;margin:0 0 .3rem}
h2{font-size:1.3rem;margin:2.6rem 0 .8rem;padding-bottom:.3rem;border-bottom:2px solid var(--ink)}
h3{font-size:1.05rem;margin:1.8rem 0 .6rem}
.sub{color:var(--muted);margin:0 0 1rem}
nav.toc{font-size:.9rem;margin:0 0 1.5rem}nav.toc a{color:var(--muted);margin-right:1rem;text-decoration:none}nav.toc a:hover{color:var(--ink);text-decoration:underline}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.86em}
.num{font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}
.answer{font-size:1.35rem;line-height:1.4;margin:.5rem 0 .8rem;font-weight:600}
.lead{margin:0 0 .8rem}.lead .num{font-weight:600}
table.scoreboard{width:auto;min-width:70%}table.scoreboard td,table.scoreboard th{vertical-align:middle}table.scoreboard th{text-align:left}table.scoreboard th.num{text-align:right}
table.scoreboard .who{display:block;font-size:.78rem;color:var(--muted);font-weight:400}
table.scoreboard td.strip svg{width:200px;height:30px;display:block}
.verdict{font-size:.85rem;white-space:nowrap}.verdict .soft{color:var(--muted)}
.caveat{color:var(--muted);font-size:.9rem;border-left:3px solid var(--line);padding-left:.8rem}
.chip{display:inline-block;padding:0 .45em;border-radius:.3em;background:var(--fam);color:#fff;font-weight:600;font-size:.92em}
.problems{border:1px solid #b3261e;background:#fdecea;padding:.6rem 1rem;border-radius:6px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
caption{caption-side:bottom;text-align:left;color:var(--muted);font-size:.85rem;padding-top:.5rem}
th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
thead th{border-bottom:2px solid var(--ink);font-weight:600;vertical-align:bottom}
thead th.num{white-space:normal;min-width:5em}
table.results{font-size:.92rem}table.results th.method{position:sticky;left:0;background:#fff;z-index:1}
table.results tr.group th{position:static}
th.method{text-align:left;font-weight:600;border-left:4px solid var(--fam,transparent);white-space:nowrap}
.latent{display:block;font-weight:400;font-size:.8rem;color:var(--muted)}
.extractor{display:block;font-weight:400;font-size:.72rem;color:var(--muted)}
tr.group th{text-align:left;background:var(--soft);color:var(--fam);font-size:.8rem;letter-spacing:.04em;text-transform:uppercase;border-left:4px solid var(--fam)}
tr.ceiling th,tr.ceiling td{color:var(--muted);font-style:italic;border-top:2px solid var(--line)}
td.best{background:var(--best);font-weight:700}
.mark{color:#8a6d00;margin-right:.2em}
.mark.beyond{color:#b3261e}
td.beyond .mean{text-decoration:underline dotted #b3261e}
.ci{display:block;color:var(--muted);font-size:.78em;font-weight:400}
td.none{color:var(--muted);cursor:help}
td.budget,th.budget{background:#fafbfc}
table.small{font-size:.86rem;width:auto}table.small th.num,table.small td.num{padding-left:1.6rem}
button.sort{all:unset;cursor:pointer}button.sort:focus-visible{outline:2px solid var(--accent)}
.dir{color:var(--muted);font-weight:400}
table.plain th{text-align:left}td.notes{min-width:16em;font-size:.8rem}td.files{white-space:nowrap}
.legend{list-style:none;padding:0;margin:0 0 .5rem;display:flex;gap:1.4rem;flex-wrap:wrap;font-size:.9rem}.legend svg{vertical-align:-2px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:1.2rem 2rem}
figure{margin:0}figure svg{width:100%;height:auto;display:block}
figcaption{font-size:.85rem;color:var(--muted);margin-top:.2rem}figcaption strong{color:var(--ink)}
.summary{font-size:.8rem}.chart figcaption{margin:0 0 .3rem}
svg text{font-family:inherit;fill:var(--ink)}
svg .tick{font-size:10px;fill:var(--muted)}svg .axis-label{font-size:11px;fill:var(--muted)}
svg .row-label{font-size:11.5px}svg .row-label.best{font-weight:700}svg .empty{font-size:11px;fill:var(--muted);font-style:italic}
svg .grid{stroke:#eceef1;stroke-width:1}svg .axis{stroke:#8a9099;stroke-width:1}
svg .whisker{stroke-width:2}
.ceiling-line{stroke:#444;stroke-width:1.2;stroke-dasharray:4 3}
.samples{display:grid;gap:.4rem .6rem;align-items:stretch}
.corner,.col-head{font-size:.85rem;font-weight:600;align-self:end;padding-bottom:.2rem}
.col-head{border-bottom:3px solid var(--fam);text-align:center}
.prompts{display:grid;font-size:.85rem;color:var(--ink)}
.prompt{display:flex;align-items:center;border-bottom:1px dashed var(--line);padding-right:.4rem}
.prompt .idx{color:var(--muted);font-variant-numeric:tabular-nums;margin-right:.4em}
.cell img,.cell video{width:100%;height:auto;display:block;image-rendering:pixelated;border-radius:3px}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1rem 1.5rem}
.figures img,.figures video{width:100%;height:auto;display:block;border:1px solid var(--line);border-radius:4px}
.curves{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:1rem 1.5rem}
.curve figcaption .seed{white-space:nowrap;margin-left:.6em}.curve figcaption svg{width:24px;display:inline;vertical-align:middle}
.missing{border:1px dashed #b3261e;color:#b3261e;padding:1rem;font-size:.85rem;border-radius:4px;background:#fff}
.note{color:var(--muted);font-size:.85rem}
details{border:1px solid var(--line);border-radius:6px;margin:.6rem 0;padding:.2rem .9rem}
summary{cursor:pointer;font-weight:600;padding:.4rem 0}
details[open] summary{border-bottom:1px solid var(--line);margin-bottom:.5rem}
pre.config{background:var(--soft);padding:.8rem;border-radius:4px;overflow:auto;max-height:32rem}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.5rem 0 1rem}dl.kv dt{color:var(--muted)}dl.kv dd{margin:0}
footer{margin-top:3rem;color:var(--muted);font-size:.8rem;border-top:1px solid var(--line);padding-top:.6rem}
@media (max-width:700px){body{padding:1rem}.charts,.curves{grid-template-columns:1fr}}
@media print{
  html{font-size:10.5pt}body{max-width:none;padding:0}
  nav.toc{display:none}
  h2{break-after:avoid}figure,tr,.samples,details{break-inside:avoid}
  td.best{background:none;text-decoration:underline}
  .table-wrap{overflow:visible}pre.config{max-height:none;white-space:pre-wrap}
  a{color:inherit;text-decoration:none}
}`;

/** Sort a table's method rows (within each family group) by a column; reopen <details> for printing. */
const SCRIPT = `(function(){
document.querySelectorAll('table.sortable button.sort').forEach(function(b){b.addEventListener('click',function(){
var t=b.closest('table'),c=+b.getAttribute('data-col'),d=b.getAttribute('data-dir')==='desc'?'asc':'desc';b.setAttribute('data-dir',d);
t.querySelectorAll('tbody.family').forEach(function(g){var rs=[].slice.call(g.querySelectorAll('tr[data-method]'));
rs.sort(function(x,y){var a=parseFloat(x.cells[c].getAttribute('data-value')),e=parseFloat(y.cells[c].getAttribute('data-value'));
if(isNaN(a))return isNaN(e)?0:1;if(isNaN(e))return -1;return d==='asc'?a-e:e-a;});rs.forEach(function(r){g.appendChild(r);});});});});
window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});});
})();`;

/** The whole page. */
export function page(title: string, subtitle: string, sections: Section[], footer: string): string {
  const toc = sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('');
  const body = sections.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>${s.body}</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="t2vlab report">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><p class="sub">${subtitle}</p><nav class="toc" aria-label="Sections">${toc}</nav></header>
<main>
${body}
</main>
<footer>${footer}</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
