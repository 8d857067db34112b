import type { RecordTable } from '../model/table.js';

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A number for reading: integers in full (seeds, counts — never `3.527e+9`), other values with 4
 * significant digits, exponent form only below 0.001 or from a million up.
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** Metrics whose sign or scale surprises, explained where they are shown (by base name). */
export const METRIC_NOTES: Readonly<Record<string, string>> = {
  kl: 'KL divergence in the Yan & Bai (2020, eq. 8) form: both series min–max normalised, Σ o′·ln(o′/e′) without renormalising, so it can be negative and large; closer to 0 is better (ranked by |KL|).',
  bias: 'bias = mean(product − reference); closer to 0 is better (ranked by |bias|).',
  nse: 'Nash–Sutcliffe efficiency: 1 is perfect, 0 is no better than the reference mean, negative is worse.',
  gdown: 'GDOWN (Merlin et al. 2015): in [−1, 1], positive when downscaling improved R, bias and slope against in situ over the coarse input.',
  mape: 'mean absolute percentage error, in %.',
};

/** Notes for the metric columns of a table (`raster.kl` → the `kl` note), each once. */
export function metricNotesFor(columns: readonly string[]): string[] {
  const bases = new Set(columns.map((c) => c.slice(c.lastIndexOf('.') + 1).replace(/^(median|mean)_/, '')));
  return Object.entries(METRIC_NOTES).filter(([k]) => bases.has(k)).map(([k, v]) => `${k}: ${v}`);
}

/** Tables longer than this are collapsed (a `<details>` with the row count). */
const COLLAPSE_ROWS = 12;

/**
 * A record table as an HTML `<table>` (at most `maxRows` rows; a note says how many were left out and
 * where they are). Tables with more than 12 rows are collapsed; `file` (relative to the report) becomes a
 * download link for the CSV the table came from. Metric columns with a surprising convention carry their
 * note as a header tooltip; `metricNotes` also lists the notes under the table (once per page is enough).
 */
export function tableHtml(t: RecordTable, o: { caption: string; file?: string; maxRows?: number; highlight?: string; open?: boolean; metricNotes?: boolean }): string {
  const max = o.maxRows ?? 60;
  const head = t.columns.map((c) => `<th${METRIC_NOTES[c.slice(c.lastIndexOf('.') + 1)] ? ` title="${escapeHtml(METRIC_NOTES[c.slice(c.lastIndexOf('.') + 1)])}"` : ''}>${escapeHtml(c)}</th>`).join('');
  const body = t.rows
    .slice(0, max)
    .map((r) => {
      const best = o.highlight !== undefined && r[o.highlight] === 1;
      return `<tr${best ? ' class="best"' : ''}>${t.columns
        .map((c) => {
          const v = r[c];
          return typeof v === 'number' ? `<td class="num">${formatNumber(v)}</td>` : `<td>${escapeHtml(v === null || v === undefined ? '' : String(v))}</td>`;
        })
        .join('')}</tr>`;
    })
    .join('\n');
  const link = o.file ? ` <a class="csv" href="${escapeHtml(o.file)}" download>${escapeHtml(o.file)}</a>` : '';
  const more = t.rows.length > max ? `<p class="note">${t.rows.length - max} more rows${o.file ? ` in <code>${escapeHtml(o.file)}</code>` : ''}.</p>` : '';
  const notes = [...(t.notes ?? []), ...(o.metricNotes ? metricNotesFor(t.columns) : [])];
  const noteList = notes.length ? `<ul class="note">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  const table = `<div class="table-wrap"><table data-table="${escapeHtml(o.caption)}"><caption>${escapeHtml(o.caption)}${link}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${more}${noteList}</div>`;
  if (t.rows.length <= COLLAPSE_ROWS || o.open) return table;
  return `<details class="table"><summary>${escapeHtml(o.caption)} — ${t.rows.length} rows${link}</summary>${table}</details>`;
}

export const REPORT_CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px 24px; color: #222; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #555; } .note { color: #666; font-size: 12px; }
nav a { margin-right: 12px; }
.maps { display: flex; flex-wrap: wrap; gap: 14px; }
figure.map { margin: 0; width: 240px; } figure.map img { width: 240px; image-rendering: pixelated; border: 1px solid #ccc; background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 50% / 12px 12px; }
figure.map figcaption { font-size: 12px; }
.colourbar { display: flex; align-items: center; gap: 4px; font-size: 11px; margin-top: 2px; }
.colourbar .ramp { flex: 1; height: 10px; border: 1px solid #999; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; } .chart svg { max-width: 100%; height: auto; }
.table-wrap { overflow-x: auto; margin-bottom: 14px; }
table { border-collapse: collapse; font-size: 12px; } caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #ddd; padding: 2px 6px; } th { background: #f4f4f4; position: sticky; top: 0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td { background: #eef7ee; }
details.table { margin: 4px 0; } details.table > summary { cursor: pointer; font-weight: 600; font-size: 13px; }
a.csv { font-weight: normal; font-size: 11px; margin-left: 6px; }
.banner { background: #fde2e1; border: 2px solid #c62828; color: #7f0000; padding: 10px 14px; margin: 10px 0; font-size: 15px; }
.warnings { background: #fff8e1; border: 1px solid #f0c36d; padding: 6px 12px; margin: 10px 0; }
.summary table { margin-bottom: 8px; }
pre { background: #f7f7f7; padding: 8px; overflow: auto; max-height: 480px; font-size: 11px; }
`;
