import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { inputError } from '../errors.js';
import type { SavedModel } from '../plugin/artifact.js';

type BinaryArray = NonNullable<SavedModel['binary']>[string];

const ARRAYS: Readonly<Record<string, { new (buffer: ArrayBuffer): BinaryArray; BYTES_PER_ELEMENT: number }>> = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
};

/**
 * Read a model a run wrote (`<name>.model.json` plus its `<name>.model.<key>.bin` files, as
 * `writeArtifact` lays them out). Errors name the file: missing, not JSON, not a soilscale model, a
 * binary part missing or of the wrong size. Whether the model's plugin and version can read it is
 * the plugin's check (`checkSavedModel` in its `load`).
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * const linear = await linearRegressor.create({}, createPluginContext());
 * const model = await linear.fit(train);
 * writeFileSync('out/linear.model.json', JSON.stringify(model.save())); // as a run's models/ hold it
 * const again = await linear.load(await readSavedModelFile('out/linear.model.json'));
 * assert.deepEqual((await again.predict(train)).mean, (await model.predict(train)).mean);
 * ```
 */
export async function readSavedModelFile(path: string): Promise<SavedModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw inputError('cannot read the model file', { file: path, expected: 'a <name>.model.json file a run wrote', found: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw inputError('the model file is not JSON', { file: path, expected: 'a <name>.model.json file a run wrote', found: (e as Error).message });
  }
  if (json?.kind !== 'model' || json.format !== 'soilscale-model') {
    throw inputError('not a soilscale model', { file: path, path: 'format', expected: '"soilscale-model"', found: JSON.stringify(json?.format ?? json?.kind ?? typeof json) });
  }
  const parts = (json.binary ?? {}) as Record<string, { file?: string; type?: string; length?: number }>;
  const binary: Record<string, BinaryArray> = {};
  for (const [key, part] of Object.entries(parts)) binary[key] = await readPart(path, key, part);
  return { ...(json as unknown as SavedModel), ...(Object.keys(binary).length ? { binary } : { binary: undefined }) };
}

async function readPart(path: string, key: string, part: { file?: string; type?: string; length?: number }): Promise<BinaryArray> {
  const Type = ARRAYS[part.type ?? ''];
  if (!Type || typeof part.file !== 'string' || !Number.isInteger(part.length)) {
    throw inputError('bad binary part of the model', { file: path, path: `binary.${key}`, expected: `{ file, type: ${Object.keys(ARRAYS).join('|')}, length }`, found: JSON.stringify(part) });
  }
  const file = join(dirname(path), part.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw inputError('a binary part of the model is missing', { file, path: `binary.${key}`, expected: 'the file written beside the model JSON', found: (e as NodeJS.ErrnoException).code ?? String(e) });
  }
  if (bytes.length !== part.length! * Type.BYTES_PER_ELEMENT) {
    throw inputError('a binary part of the model has the wrong size', { file, path: `binary.${key}`, expected: `${part.length} × ${Type.BYTES_PER_ELEMENT} bytes`, found: `${bytes.length} bytes` });
  }
  // Copied into an aligned buffer of its own (a Buffer may share a pool at any offset).
  return new Type(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
}
