import { estarfmFuser } from '../index.js';
import type { EstarfmParams } from '../src/fuser.js';

/** The manifest's defaults, with overrides (as the engine applies them). */
export function paramsWith(overrides: Partial<EstarfmParams> = {}): EstarfmParams {
  const props = estarfmFuser.params.properties as Record<string, { default?: unknown }>;
  const defaults = Object.fromEntries(Object.entries(props).filter(([, s]) => 'default' in s).map(([k, s]) => [k, s.default]));
  return { ...defaults, ...overrides } as EstarfmParams;
}
