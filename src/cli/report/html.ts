import { plotPoints, SERIES, type EpochRecord } from './pictures.js';

export interface ReportData {
  title: string;
  config: Record<string, unknown>;
  history: EpochRecord[];
  classes: readonly string[];
  /** Rows: true class, columns: predicted (null: no validation predictions). */
  confusion: number[][] | null;
  /** The worst-classified validation images: PNG bytes and a caption each. */
  worst: { png: Buffer; caption: string }[];
  /** The first convolution's filters as a PNG grid, and its shape. */
  filters: { png: Buffer; shape: number[] } | null;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const dataUri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(Number(v.toPrecision(4))));

/** One SVG line chart: a polyline per series, the value range on the axis, a legend. */
function chart(id: string, title: string, history: EpochRecord[], keys: (keyof typeof SERIES)[]): string {
  const W = 480, H = 240;
  if (history.length === 0) return `<p>No epochs yet.</p>`;
  const values = keys.flatMap((k) => history.map((e) => e[k])).filter(Number.isFinite);
  const lines = plotPoints(history, keys, W, H, 8).map(({ key, points }) => {
    const c = SERIES[key as keyof typeof SERIES];
    const pts = points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    return `<polyline class="series" data-key="${key}" fill="none" stroke="rgb(${c})" stroke-width="2" points="${pts}"/>` +
      points.map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="rgb(${c})"/>`).join('');
  }).join('');
  const legend = keys.map((k) => `<span style="color:rgb(${SERIES[k]})">■</span> ${k}`).join(' &nbsp; ');
  return `<figure id="${id}"><figcaption>${title} (epochs 1-${history.length}; ${fmt(Math.min(...values))} to ${fmt(Math.max(...values))})</figcaption>
<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${title}"><rect x="0" y="0" width="${W}" height="${H}" fill="#fff" stroke="#ccc"/>${lines}</svg>
<div class="legend">${legend}</div></figure>`;
}

function confusionTable(m: number[][], classes: readonly string[]): string {
  const head = `<tr><th>true \\ predicted</th>${classes.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = m.map((row, i) => {
    const total = row.reduce((s, v) => s + v, 0) || 1;
    return `<tr><th>${esc(classes[i])}</th>${row.map((v, j) => {
      const t = v / total;
      return `<td style="background:rgb(${Math.round(255 * (1 - t))},${Math.round(255 * (1 - 0.6 * t))},255)"${i === j ? ' class="diag"' : ''}>${v}</td>`;
    }).join('')}</tr>`;
  }).join('\n');
  return `<table id="confusion" data-classes="${m.length}">${head}\n${rows}</table>`;
}

function perClassTable(m: number[][], classes: readonly string[]): string {
  const rows = m.map((row, i) => {
    const total = row.reduce((s, v) => s + v, 0);
    return `<tr><td>${esc(classes[i])}</td><td>${total}</td><td>${total ? ((100 * row[i]) / total).toFixed(1) + '%' : '-'}</td></tr>`;
  }).join('\n');
  return `<table id="per-class"><tr><th>class</th><th>images</th><th>accuracy</th></tr>\n${rows}</table>`;
}

/** The report page: one file, styles and pictures inline, nothing fetched. */
export function reportHtml(d: ReportData): string {
  const cfg = Object.entries(d.config).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`).join('');
  const last = d.history[d.history.length - 1];
  const summary = last ? `After ${d.history.length} epoch(s): validation accuracy ${(100 * last.testAccuracy).toFixed(2)}%, loss ${fmt(last.testLoss)}; training accuracy ${(100 * last.trainAccuracy).toFixed(2)}%.` : 'No epochs yet.';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(d.title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:16px;max-width:1100px;color:#222}
section{margin:20px 0}figure{display:inline-block;margin:8px 16px 8px 0;vertical-align:top}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
#confusion td.diag{font-weight:bold}svg{max-width:100%;height:auto}.legend{font-size:12px}
.worst figure{width:110px;font-size:11px}img.pixels{image-rendering:pixelated}
</style></head><body>
<h1>${esc(d.title)}</h1><p>${summary}</p>
<section><h2>Curves</h2>
${chart('loss-curve', 'loss', d.history, ['trainLoss', 'testLoss'])}
${chart('accuracy-curve', 'accuracy', d.history, ['trainAccuracy', 'testAccuracy'])}
${chart('lr-curve', 'learning rate', d.history, ['lr'])}
</section>
<section><h2>Confusion matrix (validation)</h2>${d.confusion ? confusionTable(d.confusion, d.classes) : '<p>No validation predictions.</p>'}</section>
<section><h2>Per-class accuracy (validation)</h2>${d.confusion ? perClassTable(d.confusion, d.classes) : ''}</section>
<section class="worst"><h2>Worst-classified validation images</h2>
${d.worst.map((w) => `<figure><img class="pixels" src="${dataUri(w.png)}" alt="${esc(w.caption)}"><figcaption>${esc(w.caption)}</figcaption></figure>`).join('\n') || '<p>None.</p>'}
</section>
<section><h2>First convolution's filters</h2>
${d.filters ? `<img id="filters" class="pixels" src="${dataUri(d.filters.png)}" alt="${d.filters.shape[0]} filters of ${d.filters.shape.slice(1).join('x')}"><p>${d.filters.shape[0]} filters, ${d.filters.shape.slice(1).join('x')} each, each scaled by its own range.</p>` : '<p>The model has no convolution.</p>'}
</section>
<section><h2>Run</h2><table>${cfg}</table></section>
</body></html>
`;
}
