import { inputError, usageError } from '../../errors.js';
import type { Grid, PixelWindow } from '../../model/grid.js';
import { stringAttr, type ArrayFile, type ArrayVariable, type IndexRange } from '../array-file.js';
import { decodeValues, flipRows, valueCoding, type ValueCoding } from '../cf-decode.js';
import { cfDate } from '../cf-time.js';
import { applyFlagRule, describeMask, type ResolvedFlagRule } from '../flag-mask.js';
import { normaliseUnit } from './units.js';

/**
 * How to read one georeferenced 2-D layer out of an HDF5/NetCDF variable: decided once per file by
 * a product reader (SMAP, ESA CCI, generic CF), then read for any window.
 */
export interface GriddedLayerPlan {
  /** What was recognised, for messages and the manifest: `SMAP L3 SPL3SMP_E (9 km), AM pass`. */
  readonly product: string;
  readonly variable: ArrayVariable;
  readonly coding: ValueCoding;
  /** North-up grid of the layer (rows flipped on read when the file is stored south-up). */
  readonly grid: Grid;
  /** Indices of the row and column dimensions in `variable.shape`; other dimensions have length 1. */
  readonly yDim: number;
  readonly xDim: number;
  readonly southUp: boolean;
  /** The date the file says it holds (`YYYY-MM-DD`), if it says one. */
  readonly date?: string;
  readonly unit?: string;
  /** Quality rules, each with its flag variable (same shape as the data) and that flag's fill values. */
  readonly mask: readonly { rule: ResolvedFlagRule; flag: ArrayVariable; fill: readonly number[] }[];
}

/**
 * A plan from what a product reader decided: value coding, unit and flag variables come from the file
 * (CF attributes), `defaultFill` is used when the variable declares none.
 */
export function makePlan(
  file: ArrayFile,
  v: ArrayVariable,
  decided: { product: string; grid: Grid; dims: { yDim: number; xDim: number }; southUp: boolean; date?: string; mask: readonly ResolvedFlagRule[]; defaultFill?: number },
): GriddedLayerPlan {
  const unit = normaliseUnit(stringAttr(v.attr('units')));
  return {
    product: decided.product,
    variable: v,
    coding: valueCoding(v, decided.defaultFill),
    grid: decided.grid,
    ...decided.dims,
    southUp: decided.southUp,
    ...(decided.date ? { date: decided.date } : {}),
    ...(unit ? { unit } : {}),
    mask: attachFlags(file, v, decided.mask),
  };
}

/** The date of a one-step CF `time` variable at `path`, or undefined. */
export function singleTimeDate(file: ArrayFile, path: string): string | undefined {
  const t = file.variable(path);
  if (!t || t.shape.length !== 1 || t.shape[0] !== 1) return undefined;
  return cfDate(Number(t.read([[0, 1]])[0]), stringAttr(t.attr('units')), stringAttr(t.attr('calendar')));
}

/** Values of a window and how many valid values the quality mask removed. */
export interface LayerRead {
  readonly values: Float32Array;
  /** Valid (non-fill, in range) values before the mask. */
  readonly validBeforeMask: number;
  readonly validAfterMask: number;
}

/** The variable at `path`, or an input error listing the file's variables. */
export function requireVariable(file: ArrayFile, path: string, expected: string): ArrayVariable {
  const v = file.variable(path);
  if (v) return v;
  throw inputError('variable not found', { file: file.path, path, expected, found: `no such variable (the file has ${listVariables(file)})` });
}

/** `variables /a, /b, …` (the first dozen), for messages. */
export function listVariables(file: ArrayFile): string {
  const names = file.variableNames();
  if (names.length === 0) return 'no numeric variables';
  return `variables ${names.length > 12 ? `${names.slice(0, 12).join(', ')}, … (${names.length} in all)` : names.join(', ')}`;
}

/** Check that `v` is a layer of `grid`'s size: 2-D, or n-D with every other dimension of length 1. */
export function layerDims(file: ArrayFile, v: ArrayVariable, expected = 'a 2-D [y][x] variable (or [1][y][x])'): { yDim: number; xDim: number } {
  const n = v.shape.length;
  if (n < 2 || v.shape.slice(0, n - 2).some((s) => s !== 1)) {
    throw inputError('unsupported variable layout', { file: file.path, path: v.name, expected, found: `shape [${v.shape.join(', ')}]` });
  }
  return { yDim: n - 2, xDim: n - 1 };
}

/** Resolve each rule's flag variable in `file` (same shape as the data). */
export function attachFlags(file: ArrayFile, data: ArrayVariable, rules: readonly ResolvedFlagRule[]): GriddedLayerPlan['mask'] {
  return rules.map((rule) => {
    const flag = file.variable(rule.flagPath);
    if (!flag) {
      throw inputError(`quality flag variable missing for mask rule "${rule.text}"`, { file: file.path, path: rule.flagPath, expected: `a flag variable beside ${data.name}`, found: 'no such variable' });
    }
    if (flag.shape.join('×') !== data.shape.join('×') || !/int/.test(flag.dtype)) {
      throw inputError('quality flag variable does not match the data', { file: file.path, path: rule.flagPath, expected: `an integer variable of shape [${data.shape.join(', ')}]`, found: `${flag.dtype} [${flag.shape.join(', ')}]` });
    }
    return { rule, flag, fill: valueCoding(flag).fill };
  });
}

/** Read `window` (default: the whole grid) of a planned layer: decoded, north-up, masked. */
export function readLayerWindow(plan: GriddedLayerPlan, window?: PixelWindow): LayerRead {
  const { width, height } = plan.grid;
  const w = window ?? { x: 0, y: 0, width, height };
  const inside = [w.x, w.y, w.width, w.height].every(Number.isInteger) && w.x >= 0 && w.y >= 0 && w.width > 0 && w.height > 0 && w.x + w.width <= width && w.y + w.height <= height;
  if (!inside) {
    throw usageError('read window is outside the layer', { path: plan.variable.name, expected: `integers inside ${width}×${height}`, found: `x=${w.x} y=${w.y} width=${w.width} height=${w.height}` });
  }
  const rowStart = plan.southUp ? height - w.y - w.height : w.y;
  const ranges: IndexRange[] = plan.variable.shape.map((_, d) => (d === plan.yDim ? [rowStart, rowStart + w.height] : d === plan.xDim ? [w.x, w.x + w.width] : [0, 1]));
  const values = decodeValues(plan.variable.read(ranges), plan.coding);
  if (plan.southUp) flipRows(values, w.width);
  const validBeforeMask = countValid(values);
  for (const m of plan.mask) {
    let flags = m.flag.read(ranges);
    if (plan.southUp) flags = flipRows(Array.from(flags), w.width);
    applyFlagRule(values, flags, m.rule, m.fill);
  }
  return { values, validBeforeMask, validAfterMask: plan.mask.length ? countValid(values) : validBeforeMask };
}

/** The mask of a plan in words (`none` without rules). */
export function planMaskText(plan: GriddedLayerPlan): string {
  return describeMask(plan.mask.map((m) => m.rule));
}

function countValid(values: Float32Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  return n;
}
