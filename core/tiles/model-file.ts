import { join } from 'node:path';
import { readSavedModelFile } from '../io/saved-model-file.js';
import type { SavedModel } from '../plugin/artifact.js';
import { writeArtifact } from '../pipeline/outputs.js';
import { modelChecksum } from './store.js';

type BinaryArray = NonNullable<SavedModel['binary']>[string];
const MARK = '$tileBinary';
/** JSON has no NaN or ±Infinity (the run's model files write null): kept as text in a stage model. */
const NUMBER = '$tileNumber';

/**
 * Write a stage's model with the run's model files (`<dir>/model.model.json` + `.bin` parts); typed
 * arrays nested in `data` (a stacked model's member models) become binary parts too, and NaN and
 * infinities are kept, so the model reads back exactly. Returns the files' checksum.
 */
export async function writeStageModel(dir: string, model: SavedModel): Promise<string> {
  const binary: Record<string, BinaryArray> = { ...(model.binary ?? {}) };
  const data = hoist(model.data, 'data', binary);
  await writeArtifact(dir, 'model', { ...model, data, binary });
  return modelChecksum(join(dir, 'model.model.json'));
}

/** Read a model written by `writeStageModel`: nested typed arrays put back where they were. */
export async function readStageModel(file: string): Promise<SavedModel> {
  const saved = await readSavedModelFile(file);
  const binary = { ...(saved.binary ?? {}) };
  const data = restore(saved.data, binary);
  for (const key of Object.keys(binary)) if (key.startsWith('data.')) delete binary[key];
  return { ...saved, data, binary: Object.keys(binary).length ? binary : undefined };
}

function hoist(v: unknown, path: string, out: Record<string, BinaryArray>): unknown {
  if (ArrayBuffer.isView(v)) {
    out[path] = v as BinaryArray;
    return { [MARK]: path };
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return { [NUMBER]: String(v) };
  if (Array.isArray(v)) return v.map((x, i) => hoist(x, `${path}.${i}`, out));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hoist(x, `${path}.${k}`, out)]));
  return v;
}

function restore(v: unknown, binary: Readonly<Record<string, BinaryArray>>): unknown {
  if (Array.isArray(v)) return v.map((x) => restore(x, binary));
  if (v && typeof v === 'object') {
    const key = (v as Record<string, unknown>)[MARK];
    if (typeof key === 'string' && Object.keys(v).length === 1) return binary[key];
    const number = (v as Record<string, unknown>)[NUMBER];
    if (typeof number === 'string' && Object.keys(v).length === 1) return Number(number);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, restore(x, binary)]));
  }
  return v;
}
