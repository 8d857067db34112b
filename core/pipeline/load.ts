import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from '../errors.js';
import type { PipelineDocument } from './types.js';

/** A pipeline as read: the document plus where it came from. */
export interface PipelineSource {
  readonly doc: PipelineDocument;
  /** Absolute path of the pipeline file (undefined for an in-memory object). */
  readonly file?: string;
  /** Folder relative paths in the pipeline (plugins, geojson) are resolved against. */
  readonly dir: string;
  /** sha256 of the file bytes (or of the JSON text of an in-memory object). */
  readonly sha256: string;
}

/**
 * Read a pipeline file or take an object. Missing file, unreadable file or malformed JSON → usageError
 * naming the file (with line and column for JSON errors).
 *
 * @example
 * ```ts
 * const { doc, sha256 } = loadPipeline('pipelines/example.json');
 * ```
 */
export function loadPipeline(pathOrObject: string | PipelineDocument | object): PipelineSource {
  if (typeof pathOrObject !== 'string') {
    const text = JSON.stringify(pathOrObject);
    return { doc: pathOrObject as PipelineDocument, dir: process.cwd(), sha256: sha256(text) };
  }
  const file = resolve(pathOrObject);
  let bytes: Buffer;
  try {
    if (statSync(file).isDirectory()) {
      throw usageError('the pipeline is a folder', { file: pathOrObject, expected: 'a pipeline JSON file', found: 'a directory' });
    }
    bytes = readFileSync(file);
  } catch (e) {
    if ((e as { kind?: string }).kind) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw usageError(code === 'ENOENT' ? 'pipeline file not found' : `cannot read the pipeline file (${code ?? (e as Error).message})`, {
      file: pathOrObject,
      expected: 'a readable pipeline JSON file',
      found: code === 'ENOENT' ? 'no such file' : String(code),
    });
  }
  const text = bytes.toString('utf8');
  return { doc: parseJson(text, pathOrObject) as PipelineDocument, file, dir: dirname(file), sha256: sha256(bytes) };
}

/** JSON.parse with errors as usageError naming the file, line and column. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    const message = (e as Error).message;
    const m = /position (\d+)/.exec(message);
    const pos = m ? Number(m[1]) : /Unexpected end/.test(message) ? text.length : undefined;
    let where = '';
    if (pos !== undefined) {
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const column = pos - before.lastIndexOf('\n');
      where = `line ${line}, column ${column}`;
    }
    const reason = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw usageError(`malformed JSON: ${reason}`, { file, path: where || undefined });
  }
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
