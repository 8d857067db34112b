import { basename } from 'node:path';
import { inputError } from '../../errors.js';
import { stringAttr, type ArrayFile } from '../array-file.js';
import { dateInName } from '../cf-time.js';
import { resolveMaskRule, type MaskRule } from '../flag-mask.js';
import { cfGrid } from './cf-grid.js';
import { layerDims, makePlan, requireVariable, singleTimeDate, type GriddedLayerPlan } from './gridded-layer.js';

/** `flag` bit names, by bit: 1 snow or T < 0 °C, 2 dense vegetation, … 64 barren-ground advisory (not masked by the producer). */
export const CCI_FLAG_BITS = ['snow_or_frozen', 'dense_vegetation', 'no_convergence', 'above_physical_bound', 'low_weight', 'all_unreliable', 'barren_ground'] as const;
/** Default: `flag == 0`, the barren-ground advisory bit allowed. */
export const CCI_DEFAULT_MASK: MaskRule = [{ flag: 'flag', allowOnly: ['barren_ground'] }];

const NAME = /^(ESACCI|C3S)-SOILMOISTURE-L3S-SSMV-(COMBINED|ACTIVE|PASSIVE)-(?:[A-Z]+-)?(\d{8})\d{6}-/;
/** The variables the quality flag describes. */
const MASKED = new Set(['/sm', '/sm_uncertainty']);

/** Options of the ESA CCI / C3S reader. */
export interface CciOptions {
  /** Default `CCI_DEFAULT_MASK`. */
  readonly mask?: MaskRule;
}

/** Whether `file` has the ESA CCI SM / C3S SM daily layout (`sm`, `flag`, `lat`, `lon`, `t0` or `dnflag`). */
export function isEsaCci(file: ArrayFile): boolean {
  return ['/sm', '/flag', '/lat', '/lon'].every((p) => file.variable(p)) && (file.variable('/t0') !== undefined || file.variable('/dnflag') !== undefined);
}

/**
 * Plan the read of a CCI variable (`sm` unless `variable` names one): EPSG:4326 from `lat`/`lon`,
 * either row order. `options.mask` applies to `sm` and `sm_uncertainty`; `assetMask` to any variable.
 */
export function planEsaCci(file: ArrayFile, variable: string | undefined, options: CciOptions, assetMask?: MaskRule): GriddedLayerPlan {
  const v = requireVariable(file, variable ?? '/sm', 'a variable of this ESA CCI SM file');
  const dims = layerDims(file, v, 'a [time=1][lat][lon] variable');
  const { grid, southUp } = cfGrid(file, v, dims);
  const rule = assetMask ?? (MASKED.has(v.name) ? options.mask ?? CCI_DEFAULT_MASK : []);
  const resolved = resolveMaskRule(rule, { bits: { flag: CCI_FLAG_BITS } }, (flag) => `/${flag}`, file.path);
  const m = NAME.exec(basename(file.path));
  const version = stringAttr(file.attr('product_version'));
  return makePlan(file, v, {
    product: `${m?.[1] === 'C3S' ? 'C3S' : 'ESA CCI'} SM${version ? ` v${version}` : ''}${m ? ` ${m[2]}` : ''} (0.25°)`,
    grid,
    dims,
    southUp,
    date: fileDate(file),
    mask: resolved,
  });
}

/** The day from the `time` variable, cross-checked with the date in the file name. */
function fileDate(file: ArrayFile): string | undefined {
  const fromName = dateInName(basename(file.path), NAME, 3);
  const fromTime = singleTimeDate(file, '/time');
  if (fromName && fromTime && fromName !== fromTime) {
    throw inputError('file name and time variable give different dates', { file: file.path, path: '/time', expected: fromName, found: fromTime });
  }
  return fromTime ?? fromName;
}

