import type { Grid } from '../model/grid.js';
import type { Scene } from '../model/scene.js';
import type { Series } from '../model/series.js';
import type { Stations } from '../model/stations.js';
import type { RunManifest } from '../pipeline/manifest.js';
import { colourise, cssGradient, displayRange, VIRIDIS } from './colour-map.js';
import { escapeHtml, formatNumber } from './html.js';
import { encodePng, pngDataUri } from './png.js';
import { findCoarse, findTruth, isSm, type Product } from './products.js';
import { buildViewerData, type DiffSource, type LayerSource } from './viewer-data.js';
import { viewerHtml } from './viewer-html.js';

/** Leaflet, the viewer script and the layers' JSON besides their pixels: kept out of the raster budget. */
const VIEWER_OVERHEAD_BYTES = 512 * 1024;
/** The viewer's raster payload is never squeezed below this, even on a page already near its budget. */
const MIN_VIEWER_BYTES = 1024 * 1024;

export interface MapsSection {
  readonly html: string | undefined;
  /** Bytes of raster payload embedded in the viewer. */
  readonly payloadBytes: number;
}

/**
 * The Maps section: the interactive viewer over every product, the truth on the products' grids, the
 * coarse input and the differences (product − truth, else product − coarse input), then a static
 * gallery of the other inputs the pipeline read. `budget` is the bytes the section may take; the viewer's
 * overviews are coarsened until it fits.
 */
export async function mapsSection(products: readonly Product[], scene: Scene | undefined, stations: Stations | undefined, inputKeys: readonly string[], budget: number): Promise<MapsSection> {
  const sources: LayerSource[] = products.map((p) => ({
    id: p.name,
    title: p.name,
    kind: 'product',
    grid: p.series.grid,
    dates: p.series.dates,
    unit: p.series.unit,
    group: isSm(p.series) ? 'sm' : p.name,
    categorical: p.series.categorical,
    bands: async () => p.series.values,
  }));
  const diffs: DiffSource[] = [];
  const coarse = findCoarse(scene);
  if (scene && coarse) sources.push(assetSource(scene, coarse.key, 'coarse'));
  for (const p of products) {
    if (!isSm(p.series) || !p.series.dates.length) continue;
    const truth = findTruth(scene, p.series.grid);
    if (truth && !sources.some((s) => s.id === truth.key)) sources.push(assetSource(scene!, truth.key, 'truth'));
    if (truth) diffs.push({ a: p.name, b: truth.key });
    else if (coarse) diffs.push({ a: p.name, b: coarse.key });
  }
  const dates = [...new Set(sources.flatMap((s) => s.dates))].sort();
  const gallery = await inputGallery(scene, inputKeys, coarse?.key, dates);
  const built = await buildViewerData(sources, diffs, stations, Math.max(MIN_VIEWER_BYTES, budget - (gallery?.length ?? 0) - VIEWER_OVERHEAD_BYTES));
  let html = built.data ? viewerHtml(built.data, built.notes) : '';
  if (gallery) html += `<h3>Other inputs (one date each, own colour ranges)</h3>${gallery}`;
  return { html: html || undefined, payloadBytes: built.data?.payloadBytes ?? 0 };
}

function assetSource(scene: Scene, key: string, kind: 'truth' | 'coarse'): LayerSource {
  const info = scene.info(key);
  return { id: key, title: key, kind, grid: info.grid, dates: info.dates, unit: info.unit, group: 'sm', bands: async () => (await scene.load(key)).values };
}

/** The asset key a `{"$node": <source node>, "output": <key or {$param}>}` reference reads, if it is one. */
function sourceAssetKey(m: RunManifest, sources: ReadonlySet<string>, v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.$node !== 'string' || !sources.has(o.$node)) return undefined;
  const out = o.output;
  const key = typeof out === 'string' ? out : typeof out === 'object' && out !== null && typeof (out as { $param?: unknown }).$param === 'string' ? m.params[(out as { $param: string }).$param] : undefined;
  return typeof key === 'string' ? key : undefined;
}

function sourceNodes(m: RunManifest): Set<string> {
  return new Set(m.nodes.filter((n) => n.plugin?.startsWith('source:')).map((n) => n.id));
}

/**
 * Asset keys the pipeline reads from its source nodes (`{"$node": <source>, "output": <key or $param>}`),
 * in document order: the inputs worth a map.
 */
export function sceneInputKeys(m: RunManifest): string[] {
  const sources = sourceNodes(m);
  const keys: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v !== 'object' || v === null) return;
    const key = sourceAssetKey(m, sources, v);
    if (key !== undefined || typeof (v as { $node?: unknown }).$node === 'string') {
      if (key !== undefined && key !== 'stations' && key !== 'scene' && !keys.includes(key)) keys.push(key);
      return;
    }
    Object.values(v).forEach(visit);
  };
  visit((m.pipeline.document as { nodes?: unknown } | undefined)?.nodes);
  return keys;
}

/** The scene asset the first `validator:raster` node takes as its `reference` (the truth the metrics use). */
export function rasterReferenceKey(m: RunManifest): string | undefined {
  const nodes = (m.pipeline.document as { nodes?: Record<string, { uses?: string; with?: Record<string, unknown> }> } | undefined)?.nodes ?? {};
  const sources = sourceNodes(m);
  for (const n of Object.values(nodes)) if (n.uses === 'validator:raster' && n.with) return sourceAssetKey(m, sources, n.with.reference);
  return undefined;
}

const MAX_INPUT_MAPS = 10;

/** Static maps of the predictors and other inputs, at the date nearest the middle of the viewer's dates. */
async function inputGallery(scene: Scene | undefined, inputKeys: readonly string[], coarseKey: string | undefined, dates: readonly string[] | undefined): Promise<string | undefined> {
  if (!scene) return undefined;
  const middle = dates?.length ? dates[Math.floor(dates.length / 2)] : undefined;
  const figures: string[] = [];
  for (const key of inputKeys) {
    if (figures.length >= MAX_INPUT_MAPS) break;
    if (!scene.has(key)) continue;
    const info = scene.info(key);
    if (/truth/.test(info.variable) || key === coarseKey) continue;
    const d = info.dates.length ? nearestDate(info.dates, middle) : undefined;
    const s = await scene.load(key, d ? { dates: [d] } : undefined);
    figures.push(mapFigure(key, s, d));
  }
  return figures.length ? `<div class="maps">${figures.join('\n')}</div>` : undefined;
}

function nearestDate(dates: readonly string[], date: string | undefined): string {
  if (date === undefined) return dates[Math.floor(dates.length / 2)];
  const t = Date.parse(date);
  return dates.reduce((best, d) => (Math.abs(Date.parse(d) - t) < Math.abs(Date.parse(best) - t) ? d : best), dates[0]);
}

function mapFigure(title: string, s: Series, date: string | undefined): string {
  const { width, height } = s.grid;
  const values = s.values[0];
  const range = displayRange([values]);
  const step = Math.max(1, Math.ceil(Math.max(width, height) / 480));
  const scale = Math.max(1, Math.floor(240 / Math.max(width / step, height / step)));
  const img = colourise(values, width, height, range[0], range[1], VIRIDIS, { step, scale: Math.min(scale, 8) });
  const uri = pngDataUri(encodePng(img.width, img.height, img.rgba));
  const unit = s.unit ? ` ${escapeHtml(s.unit)}` : '';
  return `<figure class="map" data-map="${escapeHtml(title)}"><img alt="${escapeHtml(title)}" src="${uri}"><figcaption><b>${escapeHtml(title)}</b>${date ? ` — ${date}` : ''}<br><span class="note">${width}×${height} px, ${pixelSize(s.grid)}</span>
<div class="colourbar"><span>${formatNumber(range[0])}</span><span class="ramp" style="background:${cssGradient(VIRIDIS)}"></span><span>${formatNumber(range[1])}${unit}</span></div></figcaption></figure>`;
}

function pixelSize(g: Grid): string {
  return `${formatNumber(Math.abs(g.transform[1]))} ${/4326|GEOGCS|GEOGCRS/.test(g.crs) ? '°' : 'm'} pixels`;
}
