import { basename } from 'node:path';
import { inputError } from '../../errors.js';
import { createGrid, type Grid } from '../../model/grid.js';
import { numberAttr, stringAttr, type ArrayFile, type ArrayVariable } from '../array-file.js';
import { cfDate, dateInName } from '../cf-time.js';
import { resolveMaskRule, type MaskRule } from '../flag-mask.js';
import { cfGrid } from './cf-grid.js';
import { layerDims, makePlan, requireVariable, type GriddedLayerPlan } from './gridded-layer.js';

/** EASE-Grid 2.0 global (EPSG:6933) grids of the SMAP products: cell size and size in cells. */
export const EASE2_GLOBAL = {
  crs: 'EPSG:6933',
  /** Outer upper-left corner of both grids, metres. */
  ulx: -17367530.445,
  uly: 7314540.831,
  M09: { cell: 9008.055210146, width: 3856, height: 1624 },
  M36: { cell: 36032.220840584, width: 964, height: 406 },
} as const;

/** The EASE-Grid 2.0 global grid at 9 km (`M09`) or 36 km (`M36`). */
export function easeGrid2Global(level: 'M09' | 'M36'): Grid {
  const g = EASE2_GLOBAL[level];
  return createGrid(g.width, g.height, [EASE2_GLOBAL.ulx, g.cell, 0, EASE2_GLOBAL.uly, 0, -g.cell], EASE2_GLOBAL.crs);
}

/** `retrieval_qual_flag` bit names (0 = yes for each). */
export const SMAP_QUALITY_BITS = ['recommended_quality', 'retrieval_attempted', 'retrieval_successful', 'freeze_thaw_successful'] as const;
/** `surface_flag` bit names. */
export const SMAP_SURFACE_BITS = [
  'static_water', 'radar_water', 'coastal_proximity', 'urban', 'precipitation', 'snow', 'permanent_ice',
  'frozen_ground_radiometer', 'frozen_ground_model', 'mountainous_terrain', 'dense_vegetation', 'nadir',
] as const;
/** SMAP L3 default: keep retrievals of recommended quality (`retrieval_qual_flag` bit 0 clear). */
export const SMAP_L3_DEFAULT_MASK: MaskRule = [{ flag: 'retrieval_qual_flag', clear: ['recommended_quality'] }];

/** `surface_flag` groups: `frozen` (radiometer or model), `water` (static or radar). */
export const SMAP_SURFACE_GROUPS = { frozen: ['frozen_ground_radiometer', 'frozen_ground_model'], water: ['static_water', 'radar_water'] } as const;
const VOCABULARY = { bits: { retrieval_qual_flag: SMAP_QUALITY_BITS, surface_flag: SMAP_SURFACE_BITS }, groups: { surface_flag: SMAP_SURFACE_GROUPS } };
const L3_GROUP = { am: '/Soil_Moisture_Retrieval_Data_AM', pm: '/Soil_Moisture_Retrieval_Data_PM' } as const;
const L3_NAME = /^SMAP_L3_SM_P_(E_)?(\d{8})_/;
const L4_NAME = /^SMAP_L4_SM_gph_(\d{8})T\d{6}_/;
const FILL = -9999;

export type SmapProduct = { level: 'L3'; grid: 'M09' | 'M36' } | { level: 'L4' };

/** Options of the SMAP readers: which half-orbit (L3) and the quality mask. */
export interface SmapOptions {
  /** L3: `am` (descending, 6 am, default) or `pm` (ascending, 6 pm). */
  readonly pass?: 'am' | 'pm';
  /** Default: `retrieval_qual_flag` bit 0 clear (L3); none (L4 has no flags). */
  readonly mask?: MaskRule;
}

/**
 * Whether `file` is SMAP L3 (SPL3SMP 36 km / SPL3SMP_E 9 km) or L4 (SPL4SMGP), by its groups and
 * datasets; the size picks the grid, and a file name that says otherwise is an error.
 */
export function recognizeSmap(file: ArrayFile): SmapProduct | undefined {
  const name = basename(file.path);
  const l3 = file.variable(`${L3_GROUP.am}/soil_moisture`) ?? file.variable(`${L3_GROUP.pm}/soil_moisture_pm`);
  if (l3) {
    const level = l3.shape.join('×') === '1624×3856' ? 'M09' : l3.shape.join('×') === '406×964' ? 'M36' : undefined;
    if (!level) {
      throw inputError('unknown SMAP L3 layout', { file: file.path, path: l3.name, expected: 'the global EASE-Grid 2.0 shape 406×964 (36 km) or 1624×3856 (9 km)', found: `shape ${l3.shape.join('×')}` });
    }
    const m = L3_NAME.exec(name);
    if (m && (m[1] === 'E_') !== (level === 'M09')) {
      throw inputError('SMAP file name and contents disagree', { file: file.path, path: l3.name, expected: m[1] ? 'a 9 km (SPL3SMP_E) 1624×3856 grid' : 'a 36 km (SPL3SMP) 406×964 grid', found: `shape ${l3.shape.join('×')}` });
    }
    return { level: 'L3', grid: level };
  }
  if (file.variable('/Geophysical_Data/sm_surface')) return { level: 'L4' };
  const l4Name = L4_NAME.test(name);
  if (L3_NAME.test(name) || l4Name) {
    throw inputError('unknown SMAP layout: the file name says SMAP but the datasets are not there', {
      file: file.path,
      expected: l4Name ? '/Geophysical_Data/sm_surface' : `${L3_GROUP.am}/soil_moisture or ${L3_GROUP.pm}/soil_moisture_pm (older single-group releases are not read)`,
      found: `${file.variableNames().slice(0, 8).join(', ') || 'no numeric datasets'}`,
    });
  }
  return undefined;
}

/**
 * Plan the read of a SMAP variable: the soil moisture of `options.pass` unless `variable` names one.
 * `options.mask` applies to the soil-moisture datasets; `assetMask` (an asset's own rule) to any.
 */
export function planSmap(file: ArrayFile, product: SmapProduct, variable: string | undefined, options: SmapOptions, assetMask?: MaskRule): GriddedLayerPlan {
  return product.level === 'L3' ? planL3(file, product.grid, variable, options, assetMask) : planL4(file, variable, { ...options, ...(assetMask ? { mask: assetMask } : {}) });
}

function planL3(file: ArrayFile, level: 'M09' | 'M36', variable: string | undefined, options: SmapOptions, assetMask: MaskRule | undefined): GriddedLayerPlan {
  const pass = options.pass ?? 'am';
  const path = variable ?? `${L3_GROUP[pass]}/soil_moisture${pass === 'pm' ? '_pm' : ''}`;
  const v = requireVariable(file, path, variable === undefined ? `the ${pass.toUpperCase()} soil moisture of a SMAP L3 file` : 'a dataset of this SMAP L3 file');
  const grid = easeGrid2Global(level);
  const dims = layerDims(file, v, `a ${grid.height}×${grid.width} dataset (the ${level} grid)`);
  checkShape(file, v, grid, dims);
  const group = v.name.slice(0, v.name.lastIndexOf('/'));
  const isPm = group === L3_GROUP.pm;
  // The quality flags describe the retrieval: they mask the soil-moisture datasets, not ancillary ones.
  const masked = /^soil_moisture/.test(v.name.slice(group.length + 1));
  const rule = assetMask ?? (masked ? options.mask ?? SMAP_L3_DEFAULT_MASK : []);
  const resolved = resolveMaskRule(rule, VOCABULARY, (flag) => `${group}/${flag}${isPm && !flag.endsWith('_pm') ? '_pm' : ''}`, file.path);
  const date = dateInName(basename(file.path), L3_NAME, 2) ?? meanTimeDate(file, `${group}/tb_time_seconds${isPm ? '_pm' : ''}`);
  return makePlan(file, v, {
    product: `SMAP L3 ${level === 'M09' ? 'SPL3SMP_E (9 km)' : 'SPL3SMP (36 km)'}, ${isPm ? 'PM' : group === L3_GROUP.am ? 'AM' : group} pass`,
    grid,
    dims,
    southUp: false,
    date,
    mask: resolved,
    defaultFill: FILL,
  });
}

function planL4(file: ArrayFile, variable: string | undefined, options: SmapOptions): GriddedLayerPlan {
  if (options.pass) {
    throw inputError('a pass (am/pm) applies to SMAP L3 files only', { file: file.path, path: 'soilscale:pass', expected: 'a SMAP L3 file', found: 'a SMAP L4 file (one analysis per 3-hour step)' });
  }
  const v = requireVariable(file, variable ?? '/Geophysical_Data/sm_surface', 'a dataset of this SMAP L4 file');
  const dims = layerDims(file, v, 'a 1624×3856 dataset (the M09 grid)');
  const constants = easeGrid2Global('M09');
  checkShape(file, v, constants, dims);
  // L4 carries projected x/y: georeference from them, and insist they are the M09 grid.
  const fromFile = file.variable('/x') && file.variable('/y') ? cfGrid(file, v, dims, EASE2_GLOBAL.crs) : undefined;
  if (fromFile && (fromFile.southUp || !nearlyM09(fromFile.grid, constants))) {
    throw inputError('SMAP L4 x/y coordinates are not the EASE-Grid 2.0 9 km grid', { file: file.path, path: '/x, /y', expected: `${constants.transform.join(', ')}`, found: `${fromFile.grid.transform.join(', ')}${fromFile.southUp ? ' (y ascending)' : ''}` });
  }
  const group = v.name.slice(0, v.name.lastIndexOf('/'));
  const resolved = resolveMaskRule(options.mask ?? [], VOCABULARY, (flag) => `${group}/${flag}`, file.path);
  const date = dateInName(basename(file.path), L4_NAME) ?? meanTimeDate(file, '/time');
  return makePlan(file, v, { product: 'SMAP L4 SPL4SMGP (9 km)', grid: constants, dims, southUp: false, date, mask: resolved, defaultFill: FILL });
}

function checkShape(file: ArrayFile, v: ArrayVariable, grid: Grid, dims: { yDim: number; xDim: number }): void {
  if (v.shape[dims.yDim] !== grid.height || v.shape[dims.xDim] !== grid.width) {
    throw inputError('dataset is not on the product grid', { file: file.path, path: v.name, expected: `${grid.height}×${grid.width}`, found: `shape ${v.shape.join('×')}` });
  }
}

/** Same grid as `m09` to 1/100 of a cell at the corner and 1 mm in cell size (x/y may be float32: ~2 m steps at 17 000 km). */
function nearlyM09(a: Grid, m09: Grid): boolean {
  const cell = m09.transform[1];
  return a.width === m09.width && a.height === m09.height && a.crs === m09.crs && a.transform.every((t, i) => Math.abs(t - m09.transform[i]) <= (i === 0 || i === 3 ? 0.01 * cell : 1e-3));
}

/** The date of the mean of a CF time variable's valid values (files renamed away from the SMAP pattern). */
function meanTimeDate(file: ArrayFile, path: string): string | undefined {
  const t = file.variable(path);
  const units = t ? stringAttr(t.attr('units')) : undefined;
  if (!t || !units) return undefined;
  const fill = numberAttr(t.attr('_FillValue')) ?? FILL;
  const values = t.read(t.shape.map((s) => [0, s] as const));
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== fill && Number.isFinite(values[i])) (sum += values[i]), n++;
  return n ? cfDate(sum / n, units) : undefined;
}
