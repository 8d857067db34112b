/**
 * The run report in a real browser: Debian's Chromium driven by puppeteer-core. A small compare run
 * (30 days on a 27×27 grid, two methods) keeps it quick. The page must load with no console error and no
 * network request; the map viewer must draw, react to the date slider and the layer switch, read the
 * value of a known pixel (checked against the product's GeoTIFF) and open a station's chart from its
 * marker. Screenshots go to $SOILSCALE_TEST_OUTPUT (default: a temp folder) for review.
 * Skipped when Chromium is not installed, except under CI (where `.ci/run` installs it).
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'puppeteer-core';
import { pixelCenter, readGeoTiff, transformCoordinates } from '../../core/index.js';
import { ROOT, tempDir } from '../core/pipeline/helpers.js';
import { soilscale } from '../support/pipeline-cli.js';

const CHROMIUM = '/usr/bin/chromium';
const SMALL = { days: 30, coarseCells: [3, 3], fineFactor: 11, stations: 15 };
const SHOTS = process.env.SOILSCALE_TEST_OUTPUT ?? join(tmpdir(), 'soilscale-report-screenshots');

const run = (args: string[]) => soilscale(...args);

/**
 * Evaluate browser code given as source text (this project compiles without the DOM library): `fn` is a
 * function expression, called with `args` (JSON).
 */
function inPage<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(`(${fn})(${args.map((a) => JSON.stringify(a)).join(', ')})`) as Promise<T>;
}

function waitInPage(page: Page, fn: string, ...args: unknown[]): Promise<unknown> {
  return page.waitForFunction(`(${fn})(${args.map((a) => JSON.stringify(a)).join(', ')})`);
}

/** Canvas statistics of the drawn layer: opaque pixels, distinct colours, a content hash. */
function canvasStats(page: Page): Promise<{ opaque: number; total: number; colours: number; hash: number }> {
  return inPage(
    page,
    `() => {
    const c = window.soilscaleViewer.canvas;
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let opaque = 0, hash = 0;
    const colours = new Set();
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3]) opaque++;
      colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      hash = (Math.imul(hash, 31) + px[i] + 7 * px[i + 1] + 13 * px[i + 2] + 17 * px[i + 3]) | 0;
    }
    return { opaque, total: px.length / 4, colours: colours.size, hash };
  }`,
  );
}

/** The `layer@date` the viewer last finished drawing. */
async function drawn(page: Page): Promise<string> {
  await waitInPage(page, `() => !!document.getElementById('viewer').dataset.drawn`);
  return inPage(page, `() => document.getElementById('viewer').dataset.drawn`);
}

/** Page coordinates of a world point (x, y in the view CRS) on the map. */
function screenPoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  return inPage(
    page,
    `(x, y) => {
    const p = window.soilscaleViewer.map.latLngToContainerPoint([y, x]);
    const box = document.getElementById('vw-map').getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }`,
    x,
    y,
  );
}

const skip = !existsSync(CHROMIUM) && !process.env.CI ? 'chromium not installed' : false;

describe('report.html in headless Chromium', { skip }, () => {
  let out: string;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const requests: string[] = [];

  before(async () => {
    out = join(tempDir(), 'cmp');
    const r = await run(['compare', join(ROOT, 'pipelines', 'baseline.json'), '--node', 'bilinear', '--alt', 'nearest=downscaler:nearest', '--out', out, '--quiet', '--param', `demo=${JSON.stringify(SMALL)}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`open the report: ${join(out, 'report.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    mkdirSync(SHOTS, { recursive: true });
    const { default: puppeteer } = await import('puppeteer-core');
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      userDataDir: tempDir('soilscale-chromium-'),
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${(e as Error).message}`));
    await page.setRequestInterception(true);
    const file = `file://${join(out, 'report.html')}`;
    page.on('request', (req) => {
      if (req.url() === file || req.url().startsWith('data:')) return void req.continue();
      requests.push(req.url());
      void req.abort();
    });
    await page.goto(file, { waitUntil: 'load' });
    await inPage(page, '() => window.soilscaleViewer.ready');
  });

  after(async () => {
    await browser?.close();
  });

  it('loads with no console error and no network request; self-contained', async () => {
    // Markup (scripts aside: Leaflet's source holds an attribution link it never shows here) and the live DOM.
    const html = readFileSync(join(out, 'report.html'), 'utf8').replace(/<script>[\s\S]*?<\/script>/g, '');
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i, 'no network references');
    const external = await inPage<string[]>(page, `() => [...document.querySelectorAll('[src], [href]')].map((e) => e.getAttribute('src') || e.getAttribute('href')).filter((u) => /^(https?:)?\\/\\//i.test(u))`);
    assert.deepEqual(external, []);
    const body = await inPage<Record<string, string>>(page, '() => ({ ...document.body.dataset, error: document.documentElement.dataset.error })');
    assert.equal(body.ok, 'true', JSON.stringify(body));
    assert.equal(body.error, undefined);
    for (const chart of ['taylor', 'stations', 'metric-by-date', 'hexbin']) assert.ok(await page.$(`[data-chart="${chart}"] svg`), `${chart} chart rendered`);
    assert.ok(await page.$('table[data-table="run-index"]'), 'run folder index');
    await page.screenshot({ path: join(SHOTS, 'report-top.png') });
    assert.deepEqual(requests, []);
    assert.deepEqual(errors, []);
  });

  it('draws a non-blank map; the date slider and the layer switch change the pixels', async () => {
    const first = await drawn(page);
    const a = await canvasStats(page);
    assert.ok(a.opaque > 0.9 * a.total, `drawn pixels: ${a.opaque} of ${a.total}`);
    assert.ok(a.colours > 20, `colours: ${a.colours}`);
    const viewer = await page.$('#viewer');
    await viewer!.screenshot({ path: join(SHOTS, 'viewer.png') });

    await page.focus('#vw-date');
    for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowRight');
    await waitInPage(page, `(f) => { const d = document.getElementById('viewer').dataset.drawn; return !!d && d !== f; }`, first);
    const afterDate = await drawn(page);
    assert.notEqual(afterDate.split('@')[1], first.split('@')[1], 'the date moved');
    const b = await canvasStats(page);
    assert.notEqual(b.hash, a.hash, 'other date, other pixels');

    const ids = await inPage<string[]>(page, `() => [...document.querySelectorAll('#vw-layer option')].map((o) => o.value)`);
    const diff = ids.find((id) => id.includes('−'));
    assert.ok(diff, `a difference layer among ${ids.join(', ')}`);
    await page.select('#vw-layer', diff!);
    await waitInPage(page, `(id) => (document.getElementById('viewer').dataset.drawn || '').startsWith(id + '@')`, diff);
    const c = await canvasStats(page);
    assert.notEqual(c.hash, b.hash, 'other layer, other pixels');
    assert.ok(c.opaque > 0.9 * c.total);
    await viewer!.screenshot({ path: join(SHOTS, 'viewer-difference.png') });

    // The colour-range control: a narrower range recolours the same values; the colour bar follows.
    await page.click('#vw-max', { count: 3 });
    await page.keyboard.type('0.01');
    await page.keyboard.press('Tab');
    await waitInPage(page, `() => document.getElementById('vw-max').value === '0.01' && !!document.getElementById('viewer').dataset.drawn`);
    const d = await canvasStats(page);
    assert.notEqual(d.hash, c.hash, 'other range, other colours');
    const ticks = await inPage<string[]>(page, `() => [...document.querySelectorAll('#vw-colourbar .vw-ticks span')].map((t) => t.textContent)`);
    assert.ok(ticks.length >= 3 && ticks.every((t) => Number(t) >= Number(ticks[0])), `ticks ${ticks.join(' ')}`);
    assert.ok(Number(ticks[ticks.length - 1]) <= 0.01, `ticks end at the new max: ${ticks.join(' ')}`);
  });

  it('the cursor readout shows the GeoTIFF value and the lon/lat of a known pixel', async () => {
    const product = 'sm_bilinear-bilinear';
    await page.select('#vw-layer', product);
    const date = (await drawn(page)).split('@')[1];
    const tif = await readGeoTiff(join(out, product, `${date}.tif`));
    const [col, row] = [19, 6];
    const expected = tif.bands[0][row * tif.grid.width + col];
    assert.ok(Number.isFinite(expected));
    const [x, y] = pixelCenter(tif.grid, col, row);
    const at = await screenPoint(page, x, y);
    await page.mouse.move(at.x, at.y);
    await waitInPage(page, `() => !!document.getElementById('vw-readout').dataset.value`);
    const readout = await inPage<{ text: string; value: number }>(page, `() => { const e = document.getElementById('vw-readout'); return { text: e.textContent, value: Number(e.dataset.value) }; }`);
    // Within half the band's quantisation step (1/4094 of its range).
    const step = await inPage<number>(page, `(id, date) => { const l = window.soilscaleViewer.data.layers.find((x) => x.id === id); return l.bands[l.dates.indexOf(date)].scale; }`, product, date);
    assert.ok(step > 0 && step < 1e-4, `step ${step}`);
    assert.ok(Math.abs(readout.value - expected) <= step / 2 + 1e-7, `readout ${readout.value} vs GeoTIFF ${expected} (step ${step})`);
    assert.match(readout.text, new RegExp(`pixel col ${col}, row ${row}`));
    assert.match(readout.text, new RegExp(date));
    // lon/lat of the cursor's own CRS coordinates, from the page's lattice vs proj4 here.
    const xy = /EPSG:\d+ x (-?[\d.]+), y (-?[\d.]+)/.exec(readout.text)!;
    assert.ok(Math.abs(Number(xy[1]) - x) < Math.abs(tif.grid.transform[1]) / 2 && Math.abs(Number(xy[2]) - y) < Math.abs(tif.grid.transform[5]) / 2, `${xy[0]} is in pixel (${col}, ${row})`);
    const ll = transformCoordinates(tif.grid.crs, 'EPSG:4326', Float64Array.of(Number(xy[1])), Float64Array.of(Number(xy[2])));
    const m = /lon (-?[\d.]+)°, lat (-?[\d.]+)°/.exec(readout.text)!;
    assert.ok(Math.abs(Number(m[1]) - ll.x[0]) < 2e-5 && Math.abs(Number(m[2]) - ll.y[0]) < 2e-5, `${m[0]} vs ${ll.x[0]}, ${ll.y[0]}`);
    await (await page.$('#viewer'))!.screenshot({ path: join(SHOTS, 'viewer-readout.png') });
  });

  it('a station marker opens the station chart', async () => {
    const station = await inPage<string>(page, `() => document.querySelector('.station-chart').dataset.station`);
    const ll = await inPage<{ lat: number; lng: number }>(page, `(id) => window.soilscaleViewer.markers[id].getLatLng()`, station);
    const at = await screenPoint(page, ll.lng, ll.lat);
    await page.mouse.click(at.x, at.y);
    await page.waitForSelector(`.leaflet-popup .station-chart[data-station="${station}"] svg`);
    assert.equal(await inPage(page, `() => document.getElementById('station-pick').value`), station);
    await (await page.$('#viewer'))!.screenshot({ path: join(SHOTS, 'viewer-station.png') });
    await page.screenshot({ path: join(SHOTS, 'report-full.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
  });
});
