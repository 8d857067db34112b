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
export function scatterSpec(points: readonly ScatterPoint[], o: { title: string; xTitle: string; yTitle: string; order?: readonly string[] }): VlSpec {
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
          color: { field: 'series', type: 'nominal', title: null, scale: seriesColours(points.map((p) => p.series), o.order) },
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

/** Colours of series: Tableau 10 by position in the run's product order; in situ is black. */
const SERIES_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/**
 * A colour scale for the series present, each coloured by its place in `order` (so a product keeps its
 * colour in every chart of the page, whichever products a chart shows); in situ first and black.
 */
export function seriesColours(names: Iterable<string>, order: readonly string[] = []): { domain: string[]; range: string[] } {
  const present = [...new Set(names)];
  const all = [...order, ...present.filter((n) => !order.includes(n) && n !== 'in situ')];
  const domain = [...present.filter((n) => n === 'in situ'), ...all.filter((n) => present.includes(n) && n !== 'in situ')];
  return { domain, range: domain.map((n) => (n === 'in situ' ? 'black' : SERIES_COLOURS[all.indexOf(n) % SERIES_COLOURS.length])) };
}

/**
 * Lines over dates, one per series, and a legend naming every one; the series `in situ` (if present)
 * is drawn as black points and listed first.
 */
export function timeSeriesSpec(points: readonly TimePoint[], o: { title: string; yTitle: string; width?: number; order?: readonly string[] }): VlSpec {
  const color = { field: 'series', type: 'nominal', title: null, scale: seriesColours(points.map((p) => p.series), o.order), legend: { orient: 'bottom', columns: 3, labelLimit: 260 } };
  return {
    title: o.title,
    width: o.width ?? 560,
    height: 180,
    data: { values: points },
    layer: [
      {
        transform: [{ filter: "datum.series !== 'in situ'" }],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x: { field: 'date', type: 'temporal', title: null }, y: { field: 'value', type: 'quantitative', title: o.yTitle, scale: { zero: false } }, color },
      },
      {
        transform: [{ filter: "datum.series === 'in situ'" }],
        mark: { type: 'point', filled: true, size: 18 },
        encoding: { x: { field: 'date', type: 'temporal' }, y: { field: 'value', type: 'quantitative' }, color },
      },
    ],
  };
}

/**
 * Scatter density for large pixel sets: hexagonal bins (pointy-top, `bins` across the common x/y range),
 * coloured by log count, with the 1:1 line. The bins are counted here, so the chart holds at most a few
 * hundred marks whatever the number of pixels.
 */
export function hexbinSpec(x: ArrayLike<number>, y: ArrayLike<number>, o: { title: string; xTitle: string; yTitle: string; bins?: number }): VlSpec {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    lo = Math.min(lo, x[i], y[i]);
    hi = Math.max(hi, x[i], y[i]);
  }
  if (!(hi > lo)) [lo, hi] = [lo === Infinity ? 0 : lo, lo === Infinity ? 1 : lo + 1];
  const side = 300;
  const bins = o.bins ?? 30;
  // Hexagon centres on a lattice with horizontal spacing w and row spacing 1.5·r (r = w/√3).
  const w = (hi - lo) / bins;
  const r = w / Math.sqrt(3);
  const counts = new Map<string, { cx: number; cy: number; n: number }>();
  for (let i = 0; i < x.length; i++) {
    const px = x[i];
    const py = y[i];
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    // Nearest centre among the two candidate rows.
    const row0 = Math.floor((py - lo) / (1.5 * r));
    let best: [number, number, number] | undefined;
    for (const row of [row0, row0 + 1]) {
      const shift = row % 2 ? w / 2 : 0;
      const col = Math.round((px - lo - shift) / w);
      const cx = lo + shift + col * w;
      const cy = lo + row * 1.5 * r;
      const d = (px - cx) ** 2 + (py - cy) ** 2;
      if (!best || d < best[2]) best = [col, row, d];
    }
    const key = `${best![0]},${best![1]}`;
    const cell = counts.get(key);
    if (cell) cell.n++;
    else counts.set(key, { cx: lo + (best![1] % 2 ? w / 2 : 0) + best![0] * w, cy: lo + best![1] * 1.5 * r, n: 1 });
  }
  const cells = [...counts.values()];
  const domain = [lo - w, hi + w];
  const pxPerUnit = side / (domain[1] - domain[0]);
  // Vega scales a custom path in [-1, 1] by sqrt(size)/2: radius r in data units → size = (2·r·px)².
  const size = (2 * r * pxPerUnit) ** 2;
  const axis = (title: string) => ({ type: 'quantitative', title, scale: { domain, nice: false } });
  return {
    title: o.title,
    width: side,
    height: side,
    layer: [
      {
        data: { values: cells },
        mark: { type: 'point', shape: 'M0,-1L0.866,-0.5L0.866,0.5L0,1L-0.866,0.5L-0.866,-0.5Z', filled: true, opacity: 1, size, strokeWidth: 0 },
        encoding: {
          x: { field: 'cx', ...axis(o.xTitle) },
          y: { field: 'cy', ...axis(o.yTitle) },
          color: { field: 'n', type: 'quantitative', title: 'pixels', scale: { type: 'log', scheme: 'viridis' } },
        },
      },
      {
        data: { values: [{ cx: domain[0], cy: domain[0] }, { cx: domain[1], cy: domain[1] }] },
        mark: { type: 'line', color: '#c00', strokeDash: [4, 3], strokeWidth: 1 },
        encoding: { x: { field: 'cx', ...axis(o.xTitle) }, y: { field: 'cy', ...axis(o.yTitle) } },
      },
    ],
  };
}

/** One line per method of a metric over dates (validators' per-date tables), with a legend. */
export function metricByDateSpec(points: readonly TimePoint[], o: { title: string; yTitle: string }): VlSpec {
  const names = [...new Set(points.map((p) => p.series))];
  return {
    title: o.title,
    width: 520,
    height: 170,
    data: { values: points },
    mark: { type: 'line', strokeWidth: 1.4, point: { size: 10 } },
    encoding: {
      x: { field: 'date', type: 'temporal', title: null },
      y: { field: 'value', type: 'quantitative', title: o.yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: 'method', scale: seriesColours(names), legend: { orient: 'right' } },
    },
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
  /** `baseline` points (the coarse input) are drawn as open diamonds. */
  readonly kind?: 'method' | 'baseline';
}

/**
 * Label positions (data units) beside each point, moved up or down in steps until no two labels overlap
 * (`dx`×`dy` boxes): close or identical points stay readable, with a leader line back to the point.
 */
export function placeLabels(points: readonly { x: number; y: number }[], dx: number, dy: number): { x: number; y: number }[] {
  const placed: { x: number; y: number }[] = new Array(points.length);
  const order = points.map((_, i) => i).sort((a, b) => points[b].y - points[a].y || points[a].x - points[b].x);
  const taken: { x: number; y: number }[] = [];
  for (const i of order) {
    const x = points[i].x + dx * 0.15;
    let y = points[i].y;
    for (let k = 0; k < 40; k++) {
      const cand = points[i].y + (k % 2 ? -1 : 1) * Math.ceil(k / 2) * dy;
      if (cand < 0) continue;
      if (!taken.some((t) => Math.abs(t.x - x) < dx && Math.abs(t.y - cand) < dy)) {
        y = cand;
        break;
      }
    }
    taken.push({ x, y });
    placed[i] = { x, y };
  }
  return placed;
}

/**
 * Taylor (2001) diagram: each product at radius = normalised standard deviation and angle = arccos(R);
 * the reference sits at (1, 0); distance to it is the normalised centred RMS difference. Grid arcs of
 * constant standard deviation, rays of constant R and arcs of constant centred RMSD are drawn as lines.
 * Every point is labelled (labels moved apart when points are close).
 */
export function taylorSpec(points: readonly TaylorPoint[], o: { title: string; reference?: string }): VlSpec {
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
  const rLabels = (negative ? [-0.5, 0, 0.5, 0.9, 0.99] : [0.2, 0.6, 0.9, 0.99]).map((r) => ({ x: maxStd * 1.04 * r, y: maxStd * 1.04 * Math.sin(Math.acos(r)), text: `R=${r}` }));
  const pts = points
    .filter((p) => Number.isFinite(p.std) && Number.isFinite(p.r))
    .map((p) => ({ ...p, kind: p.kind ?? 'method', x: p.std * p.r, y: p.std * Math.sin(Math.acos(Math.max(-1, Math.min(1, p.r)))) }));
  const labelAt = placeLabels(pts, maxStd * 0.32, maxStd * 0.055);
  const labels = pts.map((p, i) => ({ name: p.name, px: p.x, py: p.y, x: labelAt[i].x, y: labelAt[i].y }));
  const xDomain = [negative ? -maxStd : 0, maxStd * 1.3];
  const yDomain = [0, maxStd * 1.08];
  const xTitle = 'normalised standard deviation (σ / σ reference) · R = cos θ';
  const yTitle = 'normalised standard deviation';
  // No rectangular grid: the diagram's own arcs and rays are its grid.
  const x = { field: 'x', type: 'quantitative', title: xTitle, scale: { domain: xDomain, nice: false }, axis: { grid: false } };
  const y = { field: 'y', type: 'quantitative', title: yTitle, scale: { domain: yDomain, nice: false }, axis: { grid: false } };
  return {
    title: o.title,
    width: negative ? 560 : 420,
    height: 340,
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line', strokeWidth: 0.8, clip: true },
        encoding: {
          x,
          y,
          detail: { field: 'g' },
          order: { field: 'k' },
          color: { field: 'kind', type: 'nominal', title: 'grid', scale: { domain: ['std', 'reference std', 'R', 'centred RMSD'], range: ['#bbb', '#444', '#ccc', '#9ecae1'] } },
          strokeDash: { condition: { test: "datum.kind === 'centred RMSD'", value: [4, 3] }, value: [1, 0] },
        },
      },
      { data: { values: rLabels }, mark: { type: 'text', fontSize: 9, color: '#777' }, encoding: { x, y, text: { field: 'text' } } },
      {
        data: { values: [{ x: 1, y: 0, text: o.reference ?? 'reference' }] },
        layer: [
          { mark: { type: 'point', shape: 'square', filled: true, size: 70, color: 'black' }, encoding: { x, y } },
          { mark: { type: 'text', dy: -10, fontSize: 10, fontWeight: 'bold' }, encoding: { x, y, text: { field: 'text' } } },
        ],
      },
      {
        data: { values: labels },
        layer: [
          { mark: { type: 'rule', color: '#999', strokeWidth: 0.6 }, encoding: { x: { ...x, field: 'px' }, y: { ...y, field: 'py' }, x2: { field: 'x' }, y2: { field: 'y' } } },
          { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10 }, encoding: { x, y, text: { field: 'name' } } },
        ],
      },
      {
        data: { values: pts },
        mark: { type: 'point', filled: true, size: 80, opacity: 0.9, stroke: 'black', strokeWidth: 0.5 },
        encoding: {
          x,
          y,
          shape: { field: 'kind', type: 'nominal', title: 'point', scale: { domain: ['method', 'baseline'], range: ['circle', 'diamond'] } },
          fill: { field: 'name', type: 'nominal', title: 'method', legend: { labelLimit: 320 } },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}
