/** The parameter sets of a Water Cloud Model calibration: the saved model, and which set each pixel uses. */
import { checkSavedModel, inputError, type SavedModel } from '../../../core/index.js';
import type { WcmForm, WcmParameters } from './wcm-model.js';

export const WCM_PLUGIN_ID = 'inverter:wcm';
export const WCM_PLUGIN_VERSION = '1.0.0';

/** One fitted parameter set: for all samples, one land-cover class, one orbit, or both. */
export interface WcmParameterSet {
  readonly key: string;
  readonly landcover: number | null;
  readonly orbit: number | null;
  readonly parameters: WcmParameters;
}

/** `SavedModel.data` of `inverter:wcm`. */
export interface WcmModelData {
  readonly form: WcmForm;
  readonly sets: readonly WcmParameterSet[];
}

/** Key of a (class, orbit) parameter set. */
export function setKey(landcover: number | null, orbit: number | null): string {
  if (landcover === null && orbit === null) return 'all';
  return [landcover === null ? '' : `class=${landcover}`, orbit === null ? '' : `orbit=${orbit}`].filter(Boolean).join(',');
}

/** The parameter sets of a saved calibration, checked. */
export function readModel(saved: SavedModel): WcmModelData {
  const data = checkSavedModel(saved, { id: WCM_PLUGIN_ID, version: WCM_PLUGIN_VERSION }, `${WCM_PLUGIN_ID}.model`).data as WcmModelData | undefined;
  if (!data || !Array.isArray(data.sets) || !data.form) {
    throw inputError('not a Water Cloud Model calibration', { path: `${WCM_PLUGIN_ID}.model`, expected: `a SavedModel of ${WCM_PLUGIN_ID} with form and parameter sets`, found: `a model of ${saved.pluginId}` });
  }
  if (!data.sets.some((s) => s.key === 'all')) throw inputError('calibration has no pooled parameter set', { path: `${WCM_PLUGIN_ID}.model.data.sets`, expected: "a set with key 'all'", found: data.sets.map((s) => s.key).join(', ') || 'no sets' });
  return data;
}

/**
 * Parameter sets for one date and the set index of every pixel: (class, orbit) → class → orbit →
 * pooled, with the orbit taken as the nearest calibrated one.
 */
export function selectSets(data: WcmModelData, orbit: number, landcover: Float32Array | undefined, n: number) {
  const orbits = [...new Set(data.sets.map((s) => s.orbit).filter((o): o is number => o !== null))];
  let orbitUsed: number | null = null;
  if (orbits.length && orbit === orbit) orbitUsed = orbits.reduce((best, o) => (Math.abs(o - orbit) < Math.abs(best - orbit) ? o : best), orbits[0]);
  const byKey = new Map(data.sets.map((s) => [s.key, s]));
  const pooled = byKey.get(setKey(null, orbitUsed)) ?? byKey.get('all')!;
  const sets: WcmParameters[] = [pooled.parameters];
  const classes = [...new Set(data.sets.map((s) => s.landcover).filter((c): c is number => c !== null))];
  if (!landcover || classes.length === 0) return { sets, setOfPixel: undefined, orbitUsed };
  const indexOfClass = new Map<number, number>();
  for (const c of classes) {
    const set = byKey.get(setKey(c, orbitUsed)) ?? byKey.get(setKey(c, null));
    if (set) {
      indexOfClass.set(c, sets.length);
      sets.push(set.parameters);
    }
  }
  const setOfPixel = new Int32Array(n);
  for (let p = 0; p < n; p++) setOfPixel[p] = indexOfClass.get(landcover[p]) ?? 0;
  return { sets, setOfPixel, orbitUsed };
}
