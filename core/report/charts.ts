/**
 * Charts of the report as Vega-Lite specs, rendered to standalone SVG in Node (vega `View` with the
 * `none` renderer): no browser, no canvas, no network. vega and vega-lite are loaded on first use.
 */

type VlSpec = Record<string, unknown>;

interface VegaModules {
  readonly vega: typeof import('vega');
  readonly vl: typeof import('vega-lite');
}
let modules: Promise<VegaModules> | undefined;
function loadVega(): Promise<VegaModules> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return modules;
}

const CONFIG = { font: 'sans-serif', view: { stroke: '#ccc' }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelLimit: 220 } };

/**
 * Render a Vega-Lite spec to an SVG string.
 *
 * @example
 * ```ts
 * const svg = await renderVegaLite({ data: { values: [{ a: 1, b: 2 }] }, mark: 'point',
 *   encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } } });
 * ```
 */
export async function renderVegaLite(spec: VlSpec): Promise<string> {
  const { vega, vl } = await loadVega();
  const compiled = vl.compile({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', config: CONFIG, ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  readonly series: string;
}

/** Scatter of product (y) against reference (x), coloured by series, with the 1:1 line. */
export function scatterSpec(points: readonly ScatterPoint[], o: { title: string; xTitle: string; yTitle: string }): VlSpec {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p.x, p.y);
    hi = Math.max(hi, p.x, p.y);
  }
  if (!(hi > lo)) [lo, hi] = [0, 1];
  const domain = [lo, hi];
  return {
    title: o.title,
    width: 320,
    height: 320,
    layer: [
      {
        data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] },
        mark: { type: 'line', color: '#888', strokeDash: [4, 3] },
        encoding: { x: { field: 'x', type: 'quantitative', scale: { domain } }, y: { field: 'y', type: 'quantitative', scale: { domain } } },
      },
      {
        data: { values: points },
        mark: { type: 'circle', size: 14, opacity: 0.55 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: o.xTitle, scale: { domain } },
          y: { field: 'y', type: 'quantitative', title: o.yTitle, scale: { domain } },
          color: { field: 'series', type: 'nominal', title: null },
        },
      },
    ],
  };
}

export interface TimePoint {
  readonly date: string;
  readonly value: number;
  readonly series: string;
}

/** Lines over dates, one per series (in-situ drawn as points). */
export function timeSeriesSpec(points: readonly TimePoint[], o: { title: string; yTitle: string }): VlSpec {
  return {
    title: o.title,
    width: 560,
    height: 180,
    data: { values: points },
    layer: [
      {
        transform: [{ filter: "datum.series !== 'in situ'" }],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'date', type: 'temporal', title: null },
          y: { field: 'value', type: 'quantitative', title: o.yTitle, scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: null },
        },
      },
      {
        transform: [{ filter: "datum.series === 'in situ'" }],
        mark: { type: 'point', filled: true, size: 16, color: 'black' },
        encoding: {
          x: { field: 'date', type: 'temporal' },
          y: { field: 'value', type: 'quantitative' },
          shape: { field: 'series', type: 'nominal', title: null },
        },
      },
    ],
  };
}

export interface BarValue {
  readonly label: string;
  readonly value: number;
  readonly group: string;
}

/** Horizontal bars (variable importance), grouped by `group` (season, region, method) side by side. */
export function barsSpec(values: readonly BarValue[], o: { title: string; xTitle: string }): VlSpec {
  const groups = new Set(values.map((v) => v.group));
  return {
    title: o.title,
    width: 360,
    data: { values },
    mark: 'bar',
    height: { step: groups.size > 1 ? 10 : 16 },
    encoding: {
      y: { field: 'label', type: 'nominal', title: null, sort: '-x' },
      x: { field: 'value', type: 'quantitative', title: o.xTitle },
      ...(groups.size > 1 ? { yOffset: { field: 'group', type: 'nominal' }, color: { field: 'group', type: 'nominal', title: null } } : {}),
    },
  };
}

export interface TaylorPoint {
  readonly name: string;
  /** Standard deviation of the product divided by that of the reference. */
  readonly std: number;
  /** Pearson correlation with the reference. */
  readonly r: number;
}

/**
 * Taylor (2001) diagram: each product at radius = normalised standard deviation and angle = arccos(R);
 * the reference sits at (1, 0); distance to it is the normalised centred RMS difference. Grid arcs of
 * constant standard deviation, rays of constant R and arcs of constant centred RMSD are drawn as lines.
 */
export function taylorSpec(points: readonly TaylorPoint[], o: { title: string }): VlSpec {
  const maxStd = Math.max(1.5, ...points.map((p) => (Number.isFinite(p.std) ? p.std * 1.1 : 0)));
  const negative = points.some((p) => p.r < 0);
  const a0 = 0;
  const a1 = negative ? Math.PI : Math.PI / 2;
  const lines: { x: number; y: number; g: string; k: number; kind: string }[] = [];
  const arc = (g: string, kind: string, cx: number, radius: number, from: number, to: number): void => {
    for (let k = 0; k <= 60; k++) {
      const t = from + ((to - from) * k) / 60;
      const x = cx + radius * Math.cos(t);
      const y = radius * Math.sin(t);
      if (Math.hypot(x, y) <= maxStd + 1e-9 && y >= -1e-9) lines.push({ x, y, g, k, kind });
    }
  };
  for (let s = 0.5; s <= maxStd + 1e-9; s += 0.5) arc(`std${s}`, s === 1 ? 'reference std' : 'std', 0, s, a0, a1);
  for (const rmsd of [0.5, 1, 1.5]) arc(`rmsd${rmsd}`, 'centred RMSD', 1, rmsd, 0, Math.PI);
  for (const r of negative ? [-0.5, 0, 0.5, 0.8, 0.9, 0.95, 0.99] : [0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99]) {
    const t = Math.acos(r);
    lines.push({ x: 0, y: 0, g: `r${r}`, k: 0, kind: 'R' }, { x: maxStd * Math.cos(t), y: maxStd * Math.sin(t), g: `r${r}`, k: 1, kind: 'R' });
  }
  const labels = (negative ? [-0.5, 0, 0.5, 0.9, 0.99] : [0.2, 0.6, 0.9, 0.99]).map((r) => ({ x: maxStd * 1.04 * r, y: maxStd * 1.04 * Math.sin(Math.acos(r)), text: `R=${r}` }));
  const pts = points.filter((p) => Number.isFinite(p.std) && Number.isFinite(p.r)).map((p) => ({ ...p, x: p.std * p.r, y: p.std * Math.sin(Math.acos(Math.max(-1, Math.min(1, p.r)))) }));
  const xDomain = [negative ? -maxStd : 0, maxStd * 1.08];
  const yDomain = [0, maxStd * 1.08];
  const x = (title: string | null) => ({ field: 'x', type: 'quantitative', title, scale: { domain: xDomain, nice: false } });
  const y = (title: string | null) => ({ field: 'y', type: 'quantitative', title, scale: { domain: yDomain, nice: false } });
  return {
    title: o.title,
    width: negative ? 520 : 340,
    height: 340,
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', strokeWidth: 0.8, clip: true },
        encoding: {
          x: x('standard deviation (normalised)'),
          y: y('standard deviation (normalised)'),
          detail: { field: 'g' },
          order: { field: 'k' },
          color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['std', 'reference std', 'R', 'centred RMSD'], range: ['#bbb', '#444', '#ccc', '#9ecae1'] } },
          strokeDash: { condition: { test: "datum.kind === 'centred RMSD'", value: [4, 3] }, value: [1, 0] },
        },
      },
      { data: { values: labels }, mark: { type: 'text', fontSize: 9, color: '#777' }, encoding: { x: x(null), y: y(null), text: { field: 'text' } } },
      { data: { values: [{ x: 1, y: 0, name: 'reference' }] }, mark: { type: 'point', shape: 'square', filled: true, size: 60, color: 'black' }, encoding: { x: x(null), y: y(null) } },
      {
        data: { values: pts },
        mark: { type: 'point', filled: true, size: 80, opacity: 0.85 },
        encoding: { x: x(null), y: y(null), shape: { field: 'name', type: 'nominal', title: 'product', legend: { labelLimit: 320 } }, fill: { field: 'name', type: 'nominal', title: 'product', legend: { labelLimit: 320 } } },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}
