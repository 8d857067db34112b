import { dispatchDownscaler, type DispatchParams } from '../index.js';

/** The defaults of the manifest's params schema, overridden by `over`. */
export function dispatchParams(over: Partial<DispatchParams> = {}): DispatchParams {
  const props = dispatchDownscaler.params.properties as Record<string, { default?: unknown }>;
  return { ...Object.fromEntries(Object.entries(props).filter(([, p]) => 'default' in p).map(([k, p]) => [k, p.default])), ...over } as DispatchParams;
}

/**
 * The published algorithm the spec vector follows: no shrinkage, no SMp cap, per-date SMp, the LR value as the base,
 * one member, no topographic correction. The plugin's robustness additions (its defaults) are tested in robustness.test.ts.
 */
export const SPEC = { lstNoise: 0, smpMax: 0, smpCalibration: 'date', base: 'cell', ensembleDays: 0, topographicCorrection: false } as const satisfies Partial<DispatchParams>;
