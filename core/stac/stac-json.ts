import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputError } from '../errors.js';
import { httpRequest, isRemote, responseBytes } from '../io/http-source.js';
import { jsonErrorPosition } from './json-error-position.js';

/** An HTTP request for JSON other than a plain GET (a STAC API `next` link with `method: POST` and a `body`). */
export interface JsonRequest {
  readonly method: string;
  readonly body?: unknown;
}

/**
 * Read and parse a JSON file or http(s) URL; a syntax error becomes an input error with the line and
 * column, an HTTP failure an error naming the URL and status.
 */
export async function readJsonFile(path: string, request?: JsonRequest): Promise<unknown> {
  let text: string;
  if (isRemote(path)) {
    const init = request ? { method: request.method, ...(request.body !== undefined ? { body: JSON.stringify(request.body), headers: { 'Content-Type': 'application/json' } } : {}) } : {};
    const response = await httpRequest(path, init);
    text = new TextDecoder().decode(await responseBytes(response, path));
  } else {
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw inputError('cannot read STAC file', { file: path, expected: 'a readable JSON file', found: (e as NodeJS.ErrnoException).code ?? String(e) });
    }
  }
  try {
    text = text.replace(/^\uFEFF/, '');
    return JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = jsonErrorPosition(text);
    let where = 'JSON';
    if (at >= 0) {
      const before = text.slice(0, at);
      const line = before.split('\n').length;
      const column = at - before.lastIndexOf('\n');
      where = `line ${line}, column ${column} (position ${at})`;
    }
    throw inputError('malformed JSON', { file: path, path: where, expected: 'valid JSON', found: message });
  }
}

/**
 * Resolve an href against the JSON file (or URL) that contains it: relative paths, absolute paths,
 * `file://` and `http(s)://` URLs. In a remote file, every href is resolved as a URL against it.
 */
export function resolveHref(href: unknown, containingFile: string, fieldPath: string): string {
  if (typeof href !== 'string' || href === '') {
    throw inputError('missing href', { file: containingFile, path: fieldPath, expected: 'a file path, file:// or http(s):// URL', found: JSON.stringify(href) });
  }
  const resolved = isRemote(containingFile) ? new URL(href, containingFile).href : href;
  if (/^file:\/\//i.test(resolved)) return fileURLToPath(resolved);
  if (isRemote(resolved)) return resolved;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(resolved)) {
    throw inputError('unsupported href scheme', { file: containingFile, path: fieldPath, expected: 'a local path (relative to this file), file:// or http(s):// URL', found: href });
  }
  return isAbsolute(href) ? href : resolve(dirname(containingFile), decodeURIComponent(href));
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
