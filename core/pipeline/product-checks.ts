import { sameCrs } from '../crs/resolve.js';
import { runtimeError } from '../errors.js';
import type { Grid } from '../model/grid.js';
import { seriesLayersOf, type Series } from '../model/series.js';
import { layersHaveValidValue } from '../io/layer-valid.js';
import type { Artifact } from '../plugin/artifact.js';
import type { RecordTable } from '../model/table.js';
import type { WarningCollector } from './warnings.js';

/**
 * Checks that keep a run from succeeding with nothing in it: an input asset or an output product
 * without a single valid value is an error; a product that is mostly masked, or a validator that found
 * no valid pair, is a warning.
 */

/** A product whose masked (NaN) share is above this is reported (`product-mostly-masked`). */
export const MASKED_SHARE_WARNING = 0.5;

/** Valid (finite) and total values of a series or raster (`counted` when a writer counted them already); undefined for other artifacts. */
export function validCount(a: Artifact, counted?: ReadonlyMap<Artifact, { valid: number; total: number }>): { valid: number; total: number } | undefined {
  const known = counted?.get(a);
  if (known) return known;
  const arrays = a.kind === 'series' ? a.values : a.kind === 'raster' ? a.bands : undefined;
  if (!arrays) return undefined;
  let valid = 0;
  let total = 0;
  for (const band of arrays) {
    total += band.length;
    for (let i = 0; i < band.length; i++) if (Number.isFinite(band[i])) valid++;
  }
  return { valid, total };
}

/** Where an input came from: a source node's asset and the files behind it. */
export interface AssetOrigin {
  readonly node: string;
  readonly key: string;
  readonly files: readonly string[];
}

function listFiles(files: readonly string[]): string {
  return files.length ? files.slice(0, 3).join(', ') + (files.length > 3 ? `, … (${files.length} files)` : '') : 'no file recorded';
}

/**
 * Fail when an asset a node reads holds no valid value: every product made from it would be empty. A
 * layer-backed series is scanned in strips up to its first valid value, not loaded.
 */
export async function checkInputAsset(a: Artifact, where: AssetOrigin): Promise<void> {
  const layers = a.kind === 'series' ? seriesLayersOf(a) : undefined;
  const scan = layers && (await layersHaveValidValue(layers, (a as Series).grid));
  const c = scan ? { valid: scan.valid ? 1 : 0, total: scan.total } : validCount(a);
  if (!c || c.valid > 0) return;
  throw runtimeError(`asset '${where.key}' of node '${where.node}' has no valid value (every pixel is nodata/NaN); nothing can be made from it`, {
    file: listFiles(where.files),
    expected: 'at least one valid pixel',
    found: c.total === 0 ? 'no pixels' : `${c.total} values, all NaN`,
  });
}

/**
 * Check one pipeline output before the run may succeed: empty → error; mostly masked → warning.
 * Alternatives (compare nodes) are checked one by one. `counted`: counts the product writer took while
 * streaming (so a product streamed from the tile store is not read back whole).
 */
export function checkOutputProduct(name: string, a: Artifact, warnings: WarningCollector, node: string, counted?: ReadonlyMap<Artifact, { valid: number; total: number }>): void {
  if (a.kind === 'alternatives') {
    for (const [alt, item] of a.items) checkOutputProduct(`${name}-${alt}`, item, warnings, `${node}/${alt}`, counted);
    return;
  }
  const c = validCount(a, counted);
  if (!c) return;
  if (c.valid === 0) {
    throw runtimeError(`output '${name}' of node '${node}' is empty: ${c.total === 0 ? 'it has no pixels' : `all ${c.total} values are NaN`}`, {
      path: `outputs.${name}`,
      expected: 'a product with valid values',
      found: c.total === 0 ? 'no pixels' : 'only NaN',
    });
  }
  const masked = 1 - c.valid / c.total;
  if (masked > MASKED_SHARE_WARNING) {
    warnings.warn('product-mostly-masked', `output '${name}': ${(masked * 100).toFixed(1)} % of its values are NaN (above ${MASKED_SHARE_WARNING * 100} %)`, node);
  }
}

/** A validator's summary with zero valid pairs measured nothing: a warning (the product may be fine). */
export function checkValidatorTables(tables: ReadonlyMap<string, RecordTable>, warnings: WarningCollector, node: string): void {
  for (const [name, t] of tables) {
    if (!t.columns.includes('n') || t.rows.length === 0) continue;
    if (t.rows.every((r) => !(typeof r.n === 'number' && r.n > 0))) {
      warnings.warn('validator-no-pairs', `table '${name}': no valid product/reference pair, so its metrics are empty`, node);
    }
  }
}

/**
 * A downscaler's series inputs (coarse, predictors) must be in the CRS of the grid it produces: no
 * built-in downscaler reprojects (warping happens in the source), and failing here names the input,
 * its asset and files instead of a bare "different CRSs" deep inside a plugin.
 */
export function checkDownscalerCrs(node: string, target: Grid, inputs: Readonly<Record<string, Series | undefined>>, origin: (s: Series) => AssetOrigin | undefined): void {
  for (const [name, s] of Object.entries(inputs)) {
    if (!s || sameCrs(s.grid.crs, target.crs)) continue;
    const o = origin(s);
    throw runtimeError(`node '${node}': ${name} ${o ? `(asset '${o.key}' of node '${o.node}') ` : ''}is in another CRS than the grid the node produces`, {
      file: o ? listFiles(o.files) : undefined,
      path: `nodes.${node}.with.${name.replace(/^predictor '(.*)'$/, 'predictors.$1')}`,
      expected: `${crsLabel(target.crs)} (the target grid)`,
      found: crsLabel(s.grid.crs),
    });
  }
}

function crsLabel(crs: string): string {
  return crs.length > 40 ? crs.slice(0, 37) + '...' : crs;
}
