import type { Stations } from '../model/stations.js';
import type { RecordTable } from '../model/table.js';
import { renderVegaLite, scatterSpec, timeSeriesSpec, type ScatterPoint, type TimePoint } from './charts.js';
import { escapeHtml, tableHtml } from './html.js';
import { temporalSm, thin, type Product } from './products.js';
import { sampleStations } from './station-samples.js';

/** What the in-situ validators said about one station. */
interface Verdict {
  included: boolean;
  reasons: Set<string>;
}

/** Station verdicts from the `stations` tables of `validator:insitu` nodes (included, or the reason it was left out). */
export function stationVerdicts(tables: ReadonlyMap<string, RecordTable>, validatorNodes: ReadonlySet<string>): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  for (const [key, t] of tables) {
    const node = key.slice(0, key.indexOf('.'));
    if (!validatorNodes.has(node) || !t.columns.includes('station') || !t.columns.includes('included')) continue;
    for (const r of t.rows) {
      const id = String(r.station);
      const v = out.get(id) ?? { included: false, reasons: new Set<string>() };
      if (r.included === true || r.included === 'true') v.included = true;
      else if (typeof r.reason === 'string' && r.reason) v.reasons.add(`${node}: ${r.reason}`);
      out.set(id, v);
    }
  }
  return out;
}

/**
 * The stations section: every station in a selector (validated, or why it was left out), one time-series
 * chart per station that a product covers (in situ and every soil-moisture product at its pixel), the
 * product-vs-in-situ scatter and a table of all stations. Charts carry `data-station` so the map's
 * markers can open them.
 */
export async function stationsSection(products: readonly Product[], stations: Stations, verdicts: ReadonlyMap<string, Verdict>): Promise<string | undefined> {
  const temporal = temporalSm(products);
  if (!temporal.length || !stations.stations.length) return undefined;
  const order = temporal.map((p) => p.name);
  const samples = temporal.map((p) => ({ product: p, samples: new Map(sampleStations(p.series, stations).map((s) => [s.station, s])) }));
  const first = temporal.reduce((d, p) => (p.series.dates[0] < d ? p.series.dates[0] : d), '9999');
  const last = temporal.reduce((d, p) => (p.series.dates[p.series.dates.length - 1] > d ? p.series.dates[p.series.dates.length - 1] : d), '');

  const charts: string[] = [];
  const rows: Record<string, string | number | boolean | null>[] = [];
  for (const st of stations.stations) {
    const obs = stations.observations.get(st.id);
    const points: TimePoint[] = [];
    obs?.dates.forEach((d, i) => {
      if (d >= first && d <= last && Number.isFinite(obs.values[i])) points.push({ date: d, value: obs.values[i], series: 'in situ' });
    });
    const inSitu = points.length;
    const covering: string[] = [];
    for (const { product, samples: ss } of samples) {
      const s = ss.get(st.id);
      if (!s) continue;
      covering.push(product.name);
      product.series.dates.forEach((d, k) => {
        const v = product.series.values[k][s.pixel];
        if (Number.isFinite(v)) points.push({ date: d, value: v, series: product.name });
      });
    }
    const verdict = verdicts.get(st.id);
    const why = !covering.length ? 'outside every product grid' : !inSitu ? `no in-situ value between ${first} and ${last}` : undefined;
    const status = verdict ? (verdict.included ? 'validated' : `left out: ${[...verdict.reasons].join('; ') || 'no reason given'}`) : why ? `not validated: ${why}` : 'not validated (no in-situ validator)';
    rows.push({ station: st.id, lon: st.lon, lat: st.lat, depth_m: st.depth, status, products: covering.length, inSituValues: inSitu });
    if (why) continue;
    const svg = await renderVegaLite(timeSeriesSpec(points, { title: `Station ${st.id} (${status})`, yTitle: 'SM (m³/m³)', width: 580, order }));
    charts.push(`<div class="chart station-chart" data-chart="stations" data-station="${escapeHtml(st.id)}"${charts.length ? ' hidden' : ''}>${svg}</div>`);
  }
  const withChart = new Set(charts.map((c) => /data-station="([^"]*)"/.exec(c)![1]));
  const options = rows
    .filter((r) => withChart.has(String(r.station)))
    .map((r) => `<option value="${escapeHtml(String(r.station))}">${escapeHtml(`${r.station} — ${r.status}`)}</option>`)
    .join('');
  const noChart = rows.filter((r) => !withChart.has(String(r.station)));

  const scatter: ScatterPoint[] = [];
  for (const { product, samples: ss } of samples) for (const q of thin([...ss.values()].flatMap((s) => s.pairs), 2500)) scatter.push({ x: q.insitu, y: q.product, series: product.name });
  const scatterSvg = scatter.length ? await renderVegaLite(scatterSpec(scatter, { title: 'Product vs in situ (all stations, same dates)', xTitle: 'in situ SM (m³/m³)', yTitle: 'product SM (m³/m³)', order })) : '';

  let html = `<p>${withChart.size} of ${stations.stations.length} stations have a time series here (pick one, or click its marker on the map)${noChart.length ? `; ${noChart.length} have none: ${noChart.map((r) => `${escapeHtml(String(r.station))} (${escapeHtml(String(r.status))})`).join(', ')}` : ''}.</p>`;
  if (charts.length) html += `<label>Station <select id="station-pick" style="max-width: 640px">${options}</select></label><div id="station-charts">${charts.join('\n')}</div>`;
  if (scatterSvg) html += `<div class="charts"><div class="chart" data-chart="station-scatter">${scatterSvg}</div></div>`;
  html += tableHtml({ kind: 'records', columns: ['station', 'lon', 'lat', 'depth_m', 'status', 'products', 'inSituValues'], rows }, { caption: 'All stations: validated, or why not' });
  return html;
}
