import { dispatchDownscaler, type DispatchParams } from '../index.js';

/** The defaults of the manifest's params schema, overridden by `over`. */
export function dispatchParams(over: Partial<DispatchParams> = {}): DispatchParams {
  const props = dispatchDownscaler.params.properties as Record<string, { default?: unknown }>;
  return { ...Object.fromEntries(Object.entries(props).filter(([, p]) => 'default' in p).map(([k, p]) => [k, p.default])), ...over } as DispatchParams;
}
