import type { RecordTable } from '../model/table.js';

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A number for a table cell: 4 significant digits, integers as they are. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/** A record table as an HTML `<table>` (at most `maxRows` rows; a note says how many were left out and where they are). */
export function tableHtml(t: RecordTable, o: { caption: string; file?: string; maxRows?: number; highlight?: string }): string {
  const max = o.maxRows ?? 60;
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
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
  const more = t.rows.length > max ? `<p class="note">${t.rows.length - max} more rows${o.file ? ` in <code>${escapeHtml(o.file)}</code>` : ''}.</p>` : '';
  const notes = (t.notes ?? []).length ? `<ul class="note">${t.notes!.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  return `<div class="table-wrap"><table data-table="${escapeHtml(o.caption)}"><caption>${escapeHtml(o.caption)}${o.file ? ` <code>${escapeHtml(o.file)}</code>` : ''}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${more}${notes}</div>`;
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
pre { background: #f7f7f7; padding: 8px; overflow: auto; max-height: 480px; font-size: 11px; }
`;
