import { sameCrs } from '../crs/resolve.js';
import { transformCoordinates } from '../crs/transform.js';
import { type Grid } from '../model/grid.js';
import type { Stations } from '../model/stations.js';
import { displayRange, DIVERGING, VIRIDIS } from './colour-map.js';
import { thin } from './products.js';
import { encodeBand, overviewOf, type EncodedBand } from './raster-payload.js';

/** A raster the viewer can show: one band per date (or one static band), loaded on demand. */
export interface LayerSource {
  readonly id: string;
  readonly title: string;
  readonly kind: 'product' | 'truth' | 'coarse';
  readonly grid: Grid;
  readonly dates: readonly string[];
  readonly unit?: string;
  /** Layers of a group share one colour scale (soil moisture: products, truth and the coarse input). */
  readonly group: string;
  readonly categorical?: boolean;
  bands(): Promise<readonly Float32Array[]>;
}

/** A difference layer `a − b`, computed in the page (b sampled at a's pixel centres). */
export interface DiffSource {
  readonly a: string;
  readonly b: string;
}

export interface ViewerGrid {
  readonly width: number;
  readonly height: number;
  readonly transform: readonly number[];
  readonly crs: string;
  /** Overview level embedded: 2^level full-resolution pixels per side of an embedded pixel. */
  readonly level: number;
  readonly fullWidth: number;
  readonly fullHeight: number;
  /** lon/lat at a lattice of full-grid pixel positions (col = i·W/(n−1), row = j·H/(n−1)), for bilinear lookup. */
  readonly lonlat: { readonly n: number; readonly lon: readonly number[]; readonly lat: readonly number[]; readonly maxErrorDeg: number };
}

export interface ViewerLayer {
  readonly id: string;
  readonly title: string;
  readonly kind: 'product' | 'truth' | 'coarse' | 'diff';
  readonly group: string;
  readonly unit?: string;
  readonly dates: readonly string[];
  readonly grid?: ViewerGrid;
  readonly bands?: readonly EncodedBand[];
  readonly a?: string;
  readonly b?: string;
}

export interface ViewerStation {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly lon: number;
  readonly lat: number;
}

export interface ViewerData {
  readonly crs: string;
  readonly dates: readonly string[];
  readonly layers: readonly ViewerLayer[];
  readonly groups: Readonly<Record<string, { range: [number, number]; unit?: string; colours: readonly (readonly number[])[] }>>;
  readonly stations: readonly ViewerStation[];
  /** Bytes of base64 raster payload embedded. */
  readonly payloadBytes: number;
}

export interface ViewerBuild {
  readonly data: ViewerData | undefined;
  /** What the viewer left out or degraded, for the page. */
  readonly notes: string[];
}

/** Largest embedded side before the budget is considered: a map panel is about this wide. */
const MAX_SIDE = 600;
const LATTICE = 9;
const MAX_LATTICE = 129;
/** Half the readout's last printed digit (1e-5°, about 1 m). */
const LATTICE_TOLERANCE_DEG = 5e-6;

/**
 * The map viewer's data: every layer as quantised overviews (levels raised grid by grid, largest payload
 * first, until the total fits `budget`), difference layers, a shared colour range per group, lon/lat
 * lattices and the stations in the view CRS (the CRS of the first layer; layers in another CRS are left out
 * with a note).
 */
export async function buildViewerData(sources: readonly LayerSource[], diffs: readonly DiffSource[], stations: Stations | undefined, budget: number): Promise<ViewerBuild> {
  const notes: string[] = [];
  if (!sources.length) return { data: undefined, notes };
  const crs = sources[0].grid.crs;
  const usable = sources.filter((s) => {
    const t = s.grid.transform;
    if (!sameCrs(s.grid.crs, crs)) notes.push(`${s.title} is in ${s.grid.crs}, not the view's ${crs}: not in the map viewer.`);
    else if (t[2] !== 0 || t[4] !== 0) notes.push(`${s.title} has a rotated grid: not in the map viewer.`);
    else return true;
    return false;
  });
  const loaded = new Map<string, readonly Float32Array[]>();
  for (const s of usable) loaded.set(s.id, await s.bands());

  // Overview levels per full grid, raised until the payload fits the budget.
  const gridKey = (g: Grid): string => `${g.width}x${g.height}:${g.transform.join(',')}`;
  const levels = new Map<string, number>();
  for (const s of usable) levels.set(gridKey(s.grid), Math.max(0, Math.ceil(Math.log2(Math.max(s.grid.width, s.grid.height) / MAX_SIDE))));
  const encoded = new Map<string, { level: number; bands: EncodedBand[]; bytes: number }>();
  const encode = async (s: LayerSource): Promise<void> => {
    const level = levels.get(gridKey(s.grid))!;
    if (encoded.get(s.id)?.level === level) return;
    const bands: EncodedBand[] = [];
    for (const b of loaded.get(s.id)!) {
      const o = await overviewOf(b, s.grid.width, s.grid.height, level, s.categorical ? 'mode' : 'average');
      bands.push(encodeBand(o.values, o.width, o.height));
    }
    encoded.set(s.id, { level, bands, bytes: bands.reduce((n, b) => n + b.data.length, 0) });
  };
  // Raise the level of the grid with the largest payload; false when it is already tiny.
  const coarsen = (bytesOf: (s: LayerSource) => number): boolean => {
    const perGrid = new Map<string, number>();
    for (const s of usable) perGrid.set(gridKey(s.grid), (perGrid.get(gridKey(s.grid)) ?? 0) + bytesOf(s));
    const [largest] = [...perGrid].sort((a, b) => b[1] - a[1])[0];
    const at = usable.find((s) => gridKey(s.grid) === largest)!;
    if (Math.max(at.grid.width, at.grid.height) >> levels.get(largest)! <= 8) return false;
    levels.set(largest, levels.get(largest)! + 1);
    return true;
  };
  // First from a few bands per layer (cheap), then exactly.
  for (;;) {
    const estimates = new Map<string, number>();
    for (const s of usable) estimates.set(s.id, await estimateBytes(s, loaded.get(s.id)!, levels.get(gridKey(s.grid))!));
    if ([...estimates.values()].reduce((n, b) => n + b, 0) <= budget || !coarsen((s) => estimates.get(s.id)!)) break;
  }
  for (;;) {
    for (const s of usable) await encode(s);
    if ([...encoded.values()].reduce((n, e) => n + e.bytes, 0) <= budget) break;
    if (!coarsen((s) => encoded.get(s.id)!.bytes)) throw new Error(`map layers do not fit the ${budget}-byte budget even as 8-pixel overviews`);
  }
  for (const [key, level] of levels) {
    const s = usable.find((x) => gridKey(x.grid) === key)!;
    if (level > 0) notes.push(`${s.grid.width}×${s.grid.height} grid (${usable.filter((x) => gridKey(x.grid) === key).map((x) => x.title).join(', ')}) shown as its 1:${2 ** level} overview (mean of ${2 ** level}×${2 ** level} pixels, as in the COG's overview) to keep the page small.`);
  }

  const lattices = new Map<string, ViewerGrid['lonlat']>();
  const layers: ViewerLayer[] = usable.map((s) => {
    const e = encoded.get(s.id)!;
    const key = gridKey(s.grid);
    if (!lattices.has(key)) lattices.set(key, lonLatLattice(s.grid));
    const f = 2 ** e.level;
    const t = s.grid.transform;
    const grid: ViewerGrid = { width: e.bands[0].width, height: e.bands[0].height, transform: [t[0], t[1] * f, 0, t[3], 0, t[5] * f], crs: s.grid.crs, level: e.level, fullWidth: s.grid.width, fullHeight: s.grid.height, lonlat: lattices.get(key)! };
    return { id: s.id, title: s.title, kind: s.kind, group: s.group, unit: s.unit, dates: s.dates, grid, bands: e.bands };
  });
  const byId = new Map(usable.map((s) => [s.id, s]));
  for (const d of diffs) {
    const a = byId.get(d.a);
    const b = byId.get(d.b);
    if (a && b) layers.push({ id: `${d.a}−${d.b}`, title: `${a.title} − ${b.title}`, kind: 'diff', group: 'difference', unit: a.unit, dates: a.dates.filter((x) => b.dates.length === 0 || b.dates.includes(x)), a: d.a, b: d.b });
  }

  const groups: Record<string, ViewerData['groups'][string]> = {};
  for (const g of new Set(usable.map((s) => s.group))) {
    const members = usable.filter((s) => s.group === g);
    groups[g] = { range: displayRange(members.flatMap((s) => thin(loaded.get(s.id)!, 12))), unit: members[0].unit, colours: VIRIDIS.stops };
  }
  if (layers.some((l) => l.kind === 'diff')) groups.difference = { range: diffRange(layers, byId, loaded), unit: layers.find((l) => l.kind === 'diff')!.unit, colours: DIVERGING.stops };

  const dates = [...new Set(usable.flatMap((s) => s.dates))].sort();
  const payloadBytes = [...encoded.values()].reduce((n, e) => n + e.bytes, 0);
  return { data: { crs, dates, layers, groups, stations: stationsIn(stations, crs), payloadBytes }, notes };
}

/** Payload of a layer at an overview level, extrapolated from at most 6 evenly spaced bands. */
async function estimateBytes(s: LayerSource, bands: readonly Float32Array[], level: number): Promise<number> {
  const sample = thin(bands, 6);
  let bytes = 0;
  for (const b of sample) {
    const o = await overviewOf(b, s.grid.width, s.grid.height, level, s.categorical ? 'mode' : 'average');
    bytes += encodeBand(o.values, o.width, o.height).data.length;
  }
  return (bytes * bands.length) / sample.length;
}

/** Symmetric 98th-percentile range of |a − b| over a few dates of every same-grid difference. */
function diffRange(layers: readonly ViewerLayer[], byId: ReadonlyMap<string, LayerSource>, loaded: ReadonlyMap<string, readonly Float32Array[]>): [number, number] {
  const samples: Float32Array[] = [];
  for (const l of layers) {
    if (l.kind !== 'diff') continue;
    const a = byId.get(l.a!)!;
    const b = byId.get(l.b!)!;
    if (a.grid.width !== b.grid.width || a.grid.height !== b.grid.height) continue;
    for (const d of thin(l.dates, 6)) {
      const av = loaded.get(a.id)![a.dates.indexOf(d)];
      const bv = loaded.get(b.id)![b.dates.length ? b.dates.indexOf(d) : 0];
      samples.push(av.map((v, i) => v - bv[i]));
    }
  }
  return samples.length ? displayRange(samples, true) : [-0.1, 0.1];
}

/**
 * lon/lat of an n × n set of positions across the grid (corners included), refined (9, 17, 33, … 129
 * per side) until bilinear interpolation between them is within 5e-6° (half the readout's last digit),
 * and the largest error measured at the lattice cells' centres.
 */
export function lonLatLattice(grid: Grid): ViewerGrid['lonlat'] {
  let lattice = latticeOf(grid, LATTICE);
  while (lattice.maxErrorDeg > LATTICE_TOLERANCE_DEG && lattice.n < MAX_LATTICE) lattice = latticeOf(grid, 2 * lattice.n - 1);
  return lattice;
}

function latticeOf(grid: Grid, n: number): ViewerGrid['lonlat'] {
  const t = grid.transform;
  const at = (cols: number[], rows: number[]): { x: Float64Array; y: Float64Array } =>
    transformCoordinates(grid.crs, 'EPSG:4326', Float64Array.from(cols.map((c, k) => t[0] + c * t[1] + rows[k] * t[2])), Float64Array.from(cols.map((c, k) => t[3] + c * t[4] + rows[k] * t[5])));
  const cols: number[] = [];
  const rows: number[] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) (cols.push((i * grid.width) / (n - 1)), rows.push((j * grid.height) / (n - 1)));
  const { x: lon, y: lat } = at(cols, rows);
  // Check: exact vs interpolated at cell centres.
  const mc: number[] = [];
  const mr: number[] = [];
  for (let j = 0; j < n - 1; j++) for (let i = 0; i < n - 1; i++) (mc.push(((i + 0.5) * grid.width) / (n - 1)), mr.push(((j + 0.5) * grid.height) / (n - 1)));
  const exact = at(mc, mr);
  let maxErrorDeg = 0;
  for (let j = 0, k = 0; j < n - 1; j++) {
    for (let i = 0; i < n - 1; i++, k++) {
      const c = [j * n + i, j * n + i + 1, (j + 1) * n + i, (j + 1) * n + i + 1];
      const ilon = c.reduce((s, q) => s + lon[q], 0) / 4;
      const ilat = c.reduce((s, q) => s + lat[q], 0) / 4;
      maxErrorDeg = Math.max(maxErrorDeg, Math.abs(ilon - exact.x[k]), Math.abs(ilat - exact.y[k]));
    }
  }
  const round = (v: number): number => Math.round(v * 1e9) / 1e9;
  return { n, lon: [...lon].map(round), lat: [...lat].map(round), maxErrorDeg };
}

function stationsIn(stations: Stations | undefined, crs: string): ViewerStation[] {
  if (!stations?.stations.length) return [];
  const lon = Float64Array.from(stations.stations.map((s) => s.lon));
  const lat = Float64Array.from(stations.stations.map((s) => s.lat));
  const { x, y } = transformCoordinates('EPSG:4326', crs, lon, lat);
  return stations.stations.map((s, i) => ({ id: s.id, x: x[i], y: y[i], lon: s.lon, lat: s.lat })).filter((s) => Number.isFinite(s.x) && Number.isFinite(s.y));
}
