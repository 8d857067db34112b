import { inputError } from '../../errors.js';
import type { ArrayFile } from '../array-file.js';
import { maskRuleSchema, resolveMaskRule, type MaskRule } from '../flag-mask.js';
import { cfGrid } from './cf-grid.js';
import { CCI_DEFAULT_MASK, isEsaCci, planEsaCci, type CciOptions } from './esa-cci.js';
import { layerDims, listVariables, makePlan, requireVariable, singleTimeDate, type GriddedLayerPlan } from './gridded-layer.js';
import { planSmap, recognizeSmap, SMAP_L3_DEFAULT_MASK, type SmapOptions } from './smap.js';

/** Per-product reading options (a `source:stac` param; STAC asset fields override them per asset). */
export interface ProductOptions {
  /** SMAP L3 (SPL3SMP, SPL3SMP_E). */
  readonly smap?: SmapOptions;
  /** SMAP L4 (SPL4SMGP): a mask only (the geophysical files carry no quality flags; default none). */
  readonly smapL4?: { readonly mask?: MaskRule };
  readonly cci?: CciOptions;
}

/** JSON Schema of `ProductOptions`, with the products' defaults (so a run manifest records the rules used). */
export const productOptionsSchema = {
  type: 'object',
  default: {},
  description: 'how recognised products are read; a STAC asset\'s soilscale:pass / soilscale:mask fields win',
  properties: {
    smap: {
      type: 'object',
      default: {},
      properties: {
        pass: { enum: ['am', 'pm'], default: 'am', description: 'SMAP L3 half-orbit: am (descending, 6 am) or pm (ascending, 6 pm)' },
        mask: { ...maskRuleSchema, default: SMAP_L3_DEFAULT_MASK, description: 'SMAP L3 quality rules (retrieval_qual_flag / surface_flag bits by index or name)' },
      },
      additionalProperties: false,
    },
    smapL4: {
      type: 'object',
      default: {},
      properties: { mask: { ...maskRuleSchema, default: [], description: 'SMAP L4 quality rules (none by default)' } },
      additionalProperties: false,
    },
    cci: {
      type: 'object',
      default: {},
      properties: { mask: { ...maskRuleSchema, default: CCI_DEFAULT_MASK, description: 'ESA CCI / C3S quality rules on flag (bits by value index or name)' } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

/** Options of one asset (STAC `soilscale:pass`, `soilscale:mask`): they win over `ProductOptions`. */
export interface LayerOverrides {
  readonly pass?: 'am' | 'pm';
  readonly mask?: MaskRule;
}

/**
 * How to read a 2-D layer of an HDF5/NetCDF file: a recognised product (SMAP L3/L4, ESA CCI / C3S)
 * picks its soil-moisture variable, grid, date and quality mask; `variable` (GDAL subdataset path)
 * picks another variable of it. Other files need `variable` and CF coordinates.
 *
 * @throws SoilscaleError (input) for an unknown layout without `variable`, a missing variable, a
 * variable that cannot be georeferenced or a bad mask, naming the file, the variable and the expected.
 */
export function planLayer(file: ArrayFile, variable: string | undefined, products: ProductOptions = {}, overrides: LayerOverrides = {}): GriddedLayerPlan {
  const smap = recognizeSmap(file);
  const pass = overrides.pass ? { pass: overrides.pass } : {};
  if (smap) return planSmap(file, smap, variable, { ...(smap.level === 'L3' ? products.smap : products.smapL4), ...pass }, overrides.mask);
  if (overrides.pass) {
    throw inputError('a pass (am/pm) applies to SMAP L3 files only', { file: file.path, path: 'soilscale:pass', expected: 'a SMAP L3 file', found: `a ${file.formatName} file that is not SMAP L3` });
  }
  if (isEsaCci(file)) return planEsaCci(file, variable, products.cci ?? {}, overrides.mask);
  if (variable === undefined) {
    throw inputError('unknown product layout', {
      file: file.path,
      expected: 'a SMAP L3/L4 or ESA CCI / C3S SM file, or an href naming the variable (HDF5:"file"://group/var or NETCDF:"file":var)',
      found: `a ${file.formatName} file with ${listVariables(file)}`,
    });
  }
  return planCfVariable(file, variable, overrides.mask ?? []);
}

/** A variable of any CF-style file: grid from its coordinates, date from a one-step `time`, optional flag mask. */
function planCfVariable(file: ArrayFile, variable: string, mask: MaskRule): GriddedLayerPlan {
  const v = requireVariable(file, variable, 'a variable of this file');
  const dims = layerDims(file, v);
  const { grid, southUp } = cfGrid(file, v, dims);
  const group = v.name.slice(0, v.name.lastIndexOf('/'));
  const resolved = resolveMaskRule(mask, { bits: {} }, (flag) => `${group}/${flag}`, file.path);
  const date = singleTimeDate(file, `${group}/time`) ?? singleTimeDate(file, '/time');
  return makePlan(file, v, { product: `${file.formatName} variable`, grid, dims, southUp, date, mask: resolved });
}

export { easeGrid2Global, EASE2_GLOBAL, SMAP_QUALITY_BITS, SMAP_SURFACE_BITS, SMAP_SURFACE_GROUPS, SMAP_L3_DEFAULT_MASK, type SmapOptions, type SmapProduct } from './smap.js';
export { CCI_FLAG_BITS, CCI_DEFAULT_MASK, type CciOptions } from './esa-cci.js';
export { readLayerWindow, planMaskText, type GriddedLayerPlan, type LayerRead } from './gridded-layer.js';
