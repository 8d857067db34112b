/**
 * Remote STAC: a static catalog served over HTTP by a local server (relative hrefs resolved against the
 * URL), a STAC API item search with paging, and COGs read by range requests of just the tiles a window
 * touches — each range the server serves is checked against the file's own tile offsets.
 */
import assert from 'node:assert/strict';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, normalize } from 'node:path';
import { test, type TestContext } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readGeoTiff } from '../../../core/io/geotiff-read.js';
import { ROOT } from '../pipeline/helpers.js';
import { loadGeotiff } from '../../../core/io/geotiff-read.js';
import { writeGeoTiff } from '../../../core/io/geotiff-write.js';
import { Tag } from '../../../core/io/geotiff-tags.js';
import { createGrid } from '../../../core/model/grid.js';
import type { Scene } from '../../../core/model/scene.js';
import { rasterFromBands } from '../../../core/model/raster.js';
import { readStacScene } from '../../../core/stac/index.js';
import { buildStacCatalog } from '../../../core/stac/stac-build.js';
import { validateStac } from '../../../core/stac/stac-validate.js';
import { stacSceneSource } from '../../../plugins/source-stac/src/stac-source.js';
import { CCI_FILES } from '../../support/real-cci.js';

const SIZE = 1024;
const TILE = 256;
const CCI = CCI_FILES[0];

interface Served {
  readonly path: string;
  readonly method: string;
  readonly range?: [number, number];
  readonly status: number;
  readonly bytes: number;
}

/** Values that do not compress much (so the file is large and a tile is a real share of it). */
function noisyBand(seed: number): Float32Array {
  const v = new Float32Array(SIZE * SIZE);
  let s = seed;
  for (let i = 0; i < v.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = (s >>> 8) / 2 ** 24;
  }
  return v;
}

/** A scene folder (two dated COGs + a remote-unreadable CCI file) and its collection, written by stac build. */
async function sceneFolder(t: TestContext): Promise<{ root: string; collection: string }> {
  const root = mkdtempSync(join(tmpdir(), 'soilscale-stac-remote-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'data'));
  const grid = createGrid(SIZE, SIZE, [300000, 30, 0, 5100000, 0, -30], 'EPSG:32633');
  for (const [k, d] of ['20240601', '20240611'].entries()) await writeGeoTiff(join(root, 'data', `S2_NDVI_${d}.tif`), rasterFromBands(grid, [noisyBand(k + 1)]), { tileSize: TILE });
  const collection = join(root, 'scene', 'collection.json');
  writeFileSync(join(root, 'stations.csv'), 'station,lon,lat,depth_m,date,sm\nA7,12.5,45.9,0.05,2024-06-01,0.27\n');
  await buildStacCatalog(join(root, 'data'), { out: collection, datePattern: '{YYYY}{MM}{DD}', assets: ['ndvi_30m=S2_NDVI_*.tif'], id: 'remote-test', stations: join(root, 'stations.csv') });
  return { root, collection };
}

/** A static file server with Range support and a STAC API `/search` over the collection's items; logs every response. */
async function serve(t: TestContext, root: string): Promise<{ base: string; log: Served[] }> {
  const log: Served[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    const record = (status: number, bytes: number, range?: [number, number]) => log.push({ path: url.pathname, method: req.method!, status, bytes, ...(range ? { range } : {}) });
    if (url.pathname.startsWith('/hang/')) return; // never answers: the client's timeout must fire
    if (url.pathname === '/search') return search(req.method!, url, req, base(), (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/geo+json' }).end(body);
      record(status, body.length);
    });
    // Under /norange/ the server ignores Range headers and always sends the whole file (200).
    const ignoreRange = url.pathname.startsWith('/norange/');
    const file = join(root, normalize(decodeURIComponent(url.pathname.replace(/^\/norange\//, '/'))));
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      record(404, 0);
      return void res.writeHead(404).end();
    }
    const m = ignoreRange ? null : /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) {
      record(200, size);
      res.writeHead(200, { 'Content-Length': size });
      return void createReadStream(file).pipe(res);
    }
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), size - 1);
    record(206, end - start + 1, [start, end]);
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
    createReadStream(file, { start, end }).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.after(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));

  /** STAC API item search: collections, bbox, datetime interval, limit; next links page by `page` (GET) or body `page` (POST). */
  function search(method: string, url: URL, req: import('node:http').IncomingMessage, origin: string, send: (status: number, body: string) => void): void {
    const respond = (q: Record<string, unknown>) => {
      const items = ['2024-06-01', '2024-06-11'].map((d) => {
        const item = JSON.parse(readFileSync(join(root, 'scene', 'items', `${d}.json`), 'utf8'));
        for (const a of Object.values(item.assets) as { href: string }[]) a.href = new URL(a.href, `${origin}/scene/items/${d}.json`).href;
        return item;
      });
      const [from, to] = String(q.datetime ?? '../..').split('/');
      const bbox = q.bbox ? String(q.bbox).split(',').map(Number) : undefined;
      const hits = items.filter(
        (it) =>
          (!q.collections || String(q.collections).split(',').includes(it.collection)) &&
          (from === '..' || it.properties.datetime >= from) &&
          (to === '..' || it.properties.datetime <= to) &&
          (!bbox || (it.bbox[0] <= bbox[2] && it.bbox[2] >= bbox[0] && it.bbox[1] <= bbox[3] && it.bbox[3] >= bbox[1])),
      );
      const limit = Number(q.limit ?? 10);
      const page = Number(q.page ?? 0);
      const features = hits.slice(page * limit, (page + 1) * limit);
      const links = [];
      if ((page + 1) * limit < hits.length) {
        if (method === 'GET' && q.nextmethod !== 'POST') {
          const next = new URL(url.href, origin);
          next.searchParams.set('page', String(page + 1));
          links.push({ rel: 'next', href: next.pathname + next.search, type: 'application/geo+json' });
        } else links.push({ rel: 'next', href: '/search', method: 'POST', body: { ...q, page: page + 1 } });
      }
      send(200, JSON.stringify({ type: 'FeatureCollection', features, links }));
    };
    if (method === 'GET') return respond(Object.fromEntries(url.searchParams));
    let body = '';
    req.on('data', (c) => (body += c)).on('end', () => respond(JSON.parse(body)));
  }
  return { base: base(), log };
}

/** The byte ranges [offset, offset + count − 1] of the full-resolution tiles a window touches. */
async function tileRanges(file: string, window: { x: number; y: number; width: number; height: number }): Promise<string[]> {
  const { fromFile } = await loadGeotiff();
  const tiff = await fromFile(file);
  const fd = (await tiff.getImage(0)).getFileDirectory();
  const offsets = Array.from((await fd.loadValue(Tag.TileOffsets)) as ArrayLike<number>, Number);
  const counts = Array.from((await fd.loadValue(Tag.TileByteCounts)) as ArrayLike<number>, Number);
  const across = SIZE / TILE;
  const out: string[] = [];
  for (let ty = Math.floor(window.y / TILE); ty <= Math.floor((window.y + window.height - 1) / TILE); ty++) {
    for (let tx = Math.floor(window.x / TILE); tx <= Math.floor((window.x + window.width - 1) / TILE); tx++) {
      const i = ty * across + tx;
      out.push(`${offsets[i]}-${offsets[i] + counts[i] - 1}`);
    }
  }
  return out.sort();
}

test('remote static catalog: hrefs resolve against the URL, a window reads only its tiles and equals the local read', async (t) => {
  const { root, collection } = await sceneFolder(t);
  const { base, log } = await serve(t, root);
  const local = await readStacScene(collection);
  const remote = await readStacScene(`${base}/scene/collection.json`);
  assert.deepEqual(remote.assets(), local.assets());
  assert.equal(log.filter((r) => r.path.endsWith('.tif')).length, 0, 'projection fields give the grid: no COG request at open');
  assert.deepEqual(remote.files?.(), [], 'remote files are not listed for checksums');

  const window = { x: 300, y: 200, width: 220, height: 100 }; // two tiles across, two down
  log.length = 0;
  const fromRemote = await remote.load('ndvi_30m', { dates: ['2024-06-11'], window });
  const fromLocal = await local.load('ndvi_30m', { dates: ['2024-06-11'], window });
  assert.deepEqual(fromRemote.values[0], fromLocal.values[0]);

  const file = join(root, 'data', 'S2_NDVI_20240611.tif');
  const fileSize = statSync(file).size;
  const served = log.filter((r) => r.path === '/data/S2_NDVI_20240611.tif');
  assert.ok(served.every((r) => r.status === 206 && r.range), 'only range requests');
  const heads = served.filter((r) => r.range![0] === 0);
  const blocks = served.filter((r) => r.range![0] !== 0).map((r) => `${r.range![0]}-${r.range![1]}`).sort();
  assert.deepEqual(blocks, await tileRanges(file, window), 'exactly the two tiles the window touches');
  assert.equal(heads.length, 1, 'one header request (64 KiB) shared by the format sniff, the header read and the window read');
  assert.equal(heads[0].bytes, 64 * 1024);
  const total = served.reduce((s, r) => s + r.bytes, 0);
  assert.ok(total < fileSize / 3, `${total} bytes served of a ${fileSize}-byte file`);
  t.diagnostic(`window read: ${served.length} requests (${heads.length} header, ${blocks.length} tiles), ${total} of ${fileSize} bytes`);
  // A second read of another window: tiles only, the header is not fetched again.
  log.length = 0;
  await remote.load('ndvi_30m', { dates: ['2024-06-11'], window: { x: 800, y: 800, width: 10, height: 10 } });
  assert.deepEqual(log.map((r) => `${r.range![0]}-${r.range![1]}`), await tileRanges(file, { x: 800, y: 800, width: 10, height: 10 }));

  const stations = await remote.stations();
  assert.deepEqual(stations?.stations.map((st) => [st.id, st.lon, st.lat]), [['A7', 12.5, 45.9]]);
  assert.equal(stations?.observations.get('A7')?.values[0], Math.fround(0.27));

  // A server without range support: the whole file once per open, same values.
  const noRange = await readStacScene(`${base}/norange/scene/collection.json`);
  assert.deepEqual((await noRange.load('ndvi_30m', { dates: ['2024-06-11'], window })).values[0], fromLocal.values[0]);

  const viaPlugin = (await stacSceneSource(`${base}/scene/collection.json`).load()) as Scene;
  assert.deepEqual(viaPlugin.assets().map((a) => a.key), ['ndvi_30m']);
  assert.deepEqual((await validateStac(`${base}/scene/collection.json`)).problems, []);
});

test('STAC API item search: bbox, datetime and collections filter, GET and POST next links page through', async (t) => {
  const { root } = await sceneFolder(t);
  const { base, log } = await serve(t, root);
  const all = await readStacScene(`${base}/search?collections=remote-test&bbox=12,45,13,47&limit=1`);
  assert.deepEqual(all.info('ndvi_30m').dates, ['2024-06-01', '2024-06-11']);
  assert.equal(log.filter((r) => r.path === '/search').length, 2, 'two pages of one item');
  const june10on = await readStacScene(`${base}/search?collections=remote-test&datetime=2024-06-10T00:00:00Z/..`);
  assert.deepEqual(june10on.info('ndvi_30m').dates, ['2024-06-11']);
  await assert.rejects(readStacScene(`${base}/search?collections=other`), /search\?collections=other: STAC scene has no raster assets/);
  await assert.rejects(readStacScene(`${base}/search?collections=remote-test&bbox=-80,30,-70,40`), /no raster assets/);

  // Next links with method POST and a body (as an API paging a POST search answers).
  log.length = 0;
  const viaPost = await readStacScene(`${base}/search?limit=1&collections=remote-test&nextmethod=POST`);
  assert.deepEqual(viaPost.info('ndvi_30m').dates, ['2024-06-01', '2024-06-11']);
  assert.deepEqual(log.filter((r) => r.path === '/search').map((r) => r.method), ['GET', 'POST']);
  const pages = await validateStac(`${base}/search?limit=1&collections=remote-test`);
  assert.deepEqual(pages.problems, []);
  assert.equal(pages.files.length, 2, 'stac validate follows the next link');
});

test('remote errors name the URL and status; a stalled server times out; remote HDF5 is refused with a way out', async (t) => {
  const { root } = await sceneFolder(t);
  symlinkSync(CCI, join(root, 'data', basename(CCI)));
  const { base } = await serve(t, root);
  await assert.rejects(readStacScene(`${base}/scene/nothing.json`), (e: Error) => {
    assert.match(e.message, new RegExp(`^${base}/scene/nothing\\.json: HTTP 404 Not Found \\(expected a 2xx response to GET, found status 404\\)`));
    return true;
  });
  const before = process.env.SOILSCALE_HTTP_TIMEOUT_MS;
  process.env.SOILSCALE_HTTP_TIMEOUT_MS = '300';
  t.after(() => (before === undefined ? delete process.env.SOILSCALE_HTTP_TIMEOUT_MS : (process.env.SOILSCALE_HTTP_TIMEOUT_MS = before)));
  await assert.rejects(readStacScene(`${base}/hang/collection.json`), /\/hang\/collection\.json: HTTP request timed out \(expected a response within 300 ms/);
  const item = { type: 'Feature', stac_version: '1.0.0', id: 'cci', properties: { datetime: null }, assets: { sm_coarse: { href: `${base}/data/${basename(CCI)}` } }, links: [] };
  writeFileSync(join(root, 'cci-item.json'), JSON.stringify(item));
  await assert.rejects(readStacScene(`${base}/cci-item.json`), /cci-item\.json: assets\.sm_coarse: .*ESACCI.*\.nc: HDF5\/NetCDF files are not read over HTTP \(expected a \(Cloud-Optimized\) GeoTIFF over http\(s\), or a local HDF5\/NetCDF file: download it/);
  const missingCog = { ...item, assets: { ndvi_30m: { href: '../data/missing.tif' } } };
  writeFileSync(join(root, 'scene', 'missing-item.json'), JSON.stringify(missingCog));
  await assert.rejects(readStacScene(`${base}/scene/missing-item.json`), new RegExp(`${base}/data/missing\\.tif: HTTP 404`));
});

test('soilscale run on a remote catalog: the baseline pipeline reads COGs over HTTP, fine pixels at coarse cell centres keep the coarse value', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'soilscale-stac-remote-run-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'data'));
  const coarse = createGrid(12, 12, [300000, 1000, 0, 5100000, 0, -1000], 'EPSG:32633');
  const fine = createGrid(60, 60, [300000, 200, 0, 5100000, 0, -200], 'EPSG:32633');
  const values = (day: number) => Float32Array.from({ length: 144 }, (_, i) => 0.1 + 0.01 * day + (i % 12) * 0.005 + Math.floor(i / 12) * 0.002);
  for (const day of [1, 2]) await writeGeoTiff(join(root, 'data', `sm_2024060${day}.tif`), rasterFromBands(coarse, [values(day)]));
  await writeGeoTiff(join(root, 'data', 'ndvi.tif'), rasterFromBands(fine, [new Float32Array(3600).fill(0.4)]));
  await buildStacCatalog(join(root, 'data'), { out: join(root, 'scene', 'collection.json'), datePattern: 'sm_{YYYY}{MM}{DD}', assets: ['sm_coarse=sm_*.tif', 'ndvi_200m=ndvi.tif'] });
  const { base, log } = await serve(t, root);

  const out = join(root, 'out');
  await promisify(execFile)(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'run', join(ROOT, 'pipelines', 'baseline.json'), '--out', out, '--quiet', '--param', `scene=${base}/scene/collection.json`, '--param', 'target=ndvi_200m'], { cwd: ROOT });
  assert.ok(log.some((r) => r.path === '/data/sm_20240602.tif' && r.status === 206), 'the COGs were read over HTTP');
  for (const day of [1, 2]) {
    const product = await readGeoTiff(join(out, 'sm_bilinear', `2024-06-0${day}.tif`));
    const v = values(day);
    for (let r = 1; r < 11; r++) for (let c = 1; c < 11; c++) assert.ok(Math.abs(product.bands[0][(5 * r + 2) * 60 + 5 * c + 2] - v[r * 12 + c]) < 1e-6, `day ${day} cell ${c},${r}`);
  }
});
