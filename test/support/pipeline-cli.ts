/**
 * Run a published pipeline (pipelines/<name>.json) through the CLI on a demo scene and read its
 * intercomparison table: what the pipeline tests (test/e2e/pipelines.test.ts, test/pipelines/) share.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');

export interface Cli {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the CLI without blocking the test runner (the other test file keeps running). */
export function soilscale(...args: string[]): Promise<Cli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, CI: '1', SOILSCALE_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Records {
  columns: string[];
  rows: Record<string, string | number | null>[];
}

export const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

export interface RunManifest {
  nodes: { id: string; skipped: boolean; notes: string[] }[];
  notes: string[];
  files: string[];
}

/** Run pipelines/<name>.json with `demo` as its demo options (and `params` as more `--param`s); asserts exit 0 and a report. */
export async function runPipeline(name: string, demo: Record<string, unknown>, params: string[] = []): Promise<{ out: string; manifest: RunManifest }> {
  const out = join(tempDir(), name);
  const r = await soilscale('run', join(ROOT, 'pipelines', `${name}.json`), '--out', out, '--quiet', '--param', `demo=${JSON.stringify(demo)}`, ...params.flatMap((p) => ['--param', p]));
  assert.equal(r.code, 0, `${name}: ${r.stderr}`);
  assert.ok(existsSync(join(out, 'report.html')), `${name}: report.html`);
  const manifest = readJson<RunManifest>(join(out, 'manifest.json'));
  assert.ok(manifest.files.includes('report.html'));
  return { out, manifest };
}

/** The run's comparison.json (asserting comparison.csv was written too). */
export function comparison(out: string): Records {
  assert.ok(existsSync(join(out, 'comparison.csv')), 'comparison.csv written');
  return readJson<Records>(join(out, 'comparison.json'));
}

/** One numeric cell of a comparison table: the row of `method` (and the `extra` column values). */
export const value = (t: Records, method: string, column: string, extra: Record<string, string> = {}): number => {
  const row = t.rows.find((r) => r.method === method && Object.entries(extra).every(([k, v]) => r[k] === v));
  assert.ok(row, `row ${method} ${JSON.stringify(extra)} in ${t.rows.map((r) => r.method).join(', ')}`);
  const v = row[column];
  assert.equal(typeof v, 'number', `${method}.${column}`);
  return v as number;
};
