import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { usageError } from '../core/index.js';

/** Parse `--param k=v` strings into a map (values stay strings; the engine types them by declaration). */
export function parseParamArgs(args: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args ?? []) {
    const i = a.indexOf('=');
    if (i <= 0) throw usageError(`--param ${a}: expected name=value`, { path: '--param', expected: 'name=value', found: JSON.stringify(a) });
    out[a.slice(0, i)] = a.slice(i + 1);
  }
  return out;
}

/** `--seed`: an integer (the manifest records it; a seed that is not one would be recorded as null). */
export function parseSeed(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(Array.isArray(raw) ? raw[raw.length - 1] : raw).trim();
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw usageError('must be an integer', { path: '--seed', expected: 'an integer, e.g. --seed 7', found: JSON.stringify(text) });
  }
  return Number(text);
}

/**
 * Pipeline arguments with simple wildcards expanded (`*` and `?` in the file name, as in a quoted
 * `'pipelines/*.json'`); a pattern that matches nothing is kept so that it is reported as a missing file.
 */
export function expandPipelineArgs(args: readonly string[]): string[] {
  return args.flatMap((arg) => {
    const name = basename(arg);
    if (!/[*?]/.test(name) || /[*?]/.test(dirname(arg))) return [arg];
    const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    let entries: string[];
    try {
      entries = readdirSync(dirname(arg));
    } catch {
      return [arg];
    }
    const matches = entries.filter((e) => re.test(e)).sort();
    return matches.length ? matches.map((m) => join(dirname(arg), m)) : [arg];
  });
}
