import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputError } from '../errors.js';
import { jsonErrorPosition } from './json-error-position.js';

/** Read and parse a JSON file; a syntax error becomes an input error with the line and column. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw inputError('cannot read STAC file', { file: path, expected: 'a readable JSON file', found: (e as NodeJS.ErrnoException).code ?? String(e) });
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
 * Resolve an href against the JSON file that contains it: relative paths, absolute paths and
 * `file://` URLs. Remote hrefs are refused (the reader is local-only).
 */
export function resolveHref(href: unknown, containingFile: string, fieldPath: string): string {
  if (typeof href !== 'string' || href === '') {
    throw inputError('missing href', { file: containingFile, path: fieldPath, expected: 'a file path or file:// URL', found: JSON.stringify(href) });
  }
  if (/^file:\/\//i.test(href)) return fileURLToPath(href);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(href)) {
    throw inputError('remote hrefs are not supported', { file: containingFile, path: fieldPath, expected: 'a local path (relative to this file) or file:// URL', found: href });
  }
  return isAbsolute(href) ? href : resolve(dirname(containingFile), decodeURIComponent(href));
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
