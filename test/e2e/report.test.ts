/**
 * The run report opens from disk in headless Chromium with no errors, and holds the maps, plots and tables.
 * Skipped when Chromium is not installed, except under CI (where `.ci/run` installs it).
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const SMALL = { days: 30, coarseCells: [3, 3], fineFactor: 11, stations: 15 };

function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('which', [name], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

function run(cmd: string, args: string[], timeoutMs = 240_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, CI: '1', SOILSCALE_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const chromium = findChromium();

describe('report.html in headless Chromium', () => {
  it('renders maps, station plots, a Taylor diagram, importance bars and tables with no page errors', { skip: !chromium && !process.env.CI ? 'chromium not installed' : false }, async () => {
    assert.ok(chromium, 'chromium must be installed under CI');
    const out = join(tempDir(), 'cmp');
    const rf = { uses: 'downscaler:regression', with: { predictors: { ndvi: { $node: 'scene', output: 'ndvi_1km' }, lst: { $node: 'scene', output: 'lst_1km' } }, regressor: { uses: 'regressor:rf', with: { trees: 20 } } } };
    const r = await run(process.execPath, [CLI, 'compare', join(ROOT, 'pipelines', 'baseline.json'), '--node', 'bilinear', '--alt', 'nearest=downscaler:nearest', '--alt', `rf=${JSON.stringify(rf)}`, '--out', out, '--quiet', '--param', `demo=${JSON.stringify(SMALL)}`]);
    assert.equal(r.code, 0, r.stderr);
    const file = join(out, 'report.html');
    const html = readFileSync(file, 'utf8');
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, 'self-contained: no network references');

    const profile = tempDir('soilscale-chromium-');
    const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', '--virtual-time-budget=10000'];
    const page = await run(chromium!, [...flags, '--dump-dom', `file://${file}`]);
    assert.equal(page.code, 0, page.stderr.slice(-2000));
    const dom = page.stdout;
    const body = /<body([^>]*)>/.exec(dom)?.[1] ?? '';
    const attr = (name: string): string | undefined => new RegExp(`data-${name}="([^"]*)"`).exec(body)?.[1];
    assert.equal(attr('ok'), 'true', `page checks failed: ${body}`);
    assert.equal(attr('broken'), '0', 'every map image decodes');
    assert.doesNotMatch(/<html([^>]*)>/.exec(dom)?.[1] ?? '', /data-error/, 'no script error');
    // Inputs, three products, truth; three differences.
    assert.ok(Number(attr('maps')) >= 8, `maps: ${attr('maps')}`);
    assert.ok(Number(attr('charts')) >= 5, `charts: ${attr('charts')}`);
    assert.ok(Number(attr('tables')) >= 5, `tables: ${attr('tables')}`);
    for (const chart of ['taylor', 'stations', 'importance']) assert.match(dom, new RegExp(`data-chart="${chart}"[^>]*>\\s*<svg`), `${chart} chart rendered`);
    assert.match(dom, /data-table="All metrics, one row per method, with ranks"/);
    assert.match(dom, /<figure class="map" data-map="sm_bilinear-rf">/);
    assert.match(dom, /data-map="sm_bilinear-rf − sm_truth_1km"/);
    assert.match(dom, /manifest\.json<\/summary>/);
    // Console errors from the page (uncaught exceptions, CSP violations, failed loads).
    const consoleErrors = page.stderr.split('\n').filter((l) => /CONSOLE|Uncaught|Refused to|Failed to load/.test(l));
    assert.deepEqual(consoleErrors, []);
  });
});
