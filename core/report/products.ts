import { sameGrid, type Grid } from '../model/grid.js';
import type { AssetInfo, Scene } from '../model/scene.js';
import type { Series } from '../model/series.js';
import type { Artifact } from '../plugin/artifact.js';

/** A mapped output: a series output (compare alternatives expanded as `<name>-<alternative>`). */
export interface Product {
  readonly name: string;
  readonly series: Series;
}

export function collectProducts(artifacts: ReadonlyMap<string, Artifact>): Product[] {
  const out: Product[] = [];
  for (const [name, a] of artifacts) {
    if (a.kind === 'series') out.push({ name, series: a });
    else if (a.kind === 'alternatives') for (const [alt, v] of a.items) if (v.kind === 'series') out.push({ name: `${name}-${alt}`, series: v });
  }
  return out;
}

export function isSm(s: Series): boolean {
  return /^sm(_|$)/.test(s.variable) || s.unit === 'm3/m3' || s.unit === 'm³/m³';
}

/** Soil-moisture products with dates: the ones validated, compared and plotted at stations. */
export function temporalSm(products: readonly Product[]): Product[] {
  return products.filter((p) => p.series.dates.length > 0 && isSm(p.series));
}

/** The scene's truth asset on `grid` (synthetic scenes carry one per product grid). */
export function findTruth(scene: Scene | undefined, grid: Grid): AssetInfo | undefined {
  return scene?.assets().find((a) => /truth/.test(a.variable) && sameGrid(a.grid, grid));
}

/** The coarse soil-moisture input: the `_coarse` asset, else the coarsest dated `sm` asset. */
export function findCoarse(scene: Scene | undefined): AssetInfo | undefined {
  const sm = scene?.assets().filter((a) => a.variable === 'sm' && a.dates.length > 0) ?? [];
  return sm.find((a) => a.resolution === 'coarse') ?? sm.sort((a, b) => Math.abs(b.grid.transform[1]) - Math.abs(a.grid.transform[1]))[0];
}

/** Evenly spaced subset of at most `max` items. */
export function thin<T>(list: readonly T[], max: number): T[] {
  if (list.length <= max) return [...list];
  return Array.from({ length: max }, (_, k) => list[Math.floor((k * list.length) / max)]);
}

/** Dates without one valid pixel, by product name (`static` for an empty static layer); products with none are left out. */
export function emptyProductDates(products: readonly Product[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of products) {
    const empty = p.series.values.map((b, i) => (b.some((v) => Number.isFinite(v)) ? undefined : (p.series.dates[i] ?? 'static'))).filter((d): d is string => d !== undefined);
    if (empty.length) out.set(p.name, empty);
  }
  return out;
}
