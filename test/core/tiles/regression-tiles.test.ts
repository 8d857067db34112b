import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REGRESSION_CASES, regressionHashes } from '../../support/regression-tiles.js';

/**
 * downscaler:regression's prediction and residual correction run through context.tiles. These are the
 * sha256 (first 16 hex digits) of its outputs recorded with the untiled code before the switch, on a
 * fine grid offset from the coarse cells with a coarse gap: the tiled engine must give the same bytes
 * with one tile and with tiles that cut cells and need halos.
 */
const BEFORE_TILES: Record<string, Record<string, string>> = {
  block: { product: '2a9cb8a345344afc' },
  bilinear: { product: '448e0bf7c35ff540' },
  atpk: { product: '3859f76f665c0162' },
  ratioModel: { product: '3d20b9ce27ab4e12' },
  rfIntervals: { product: '1e35a7dd9ac85bfd', uncertainty: '5f218ab86b3ebf52', lower: '4d112e30ca449346', upper: '1e2fbd2258e71f7a' },
};

for (const [name, params] of Object.entries(REGRESSION_CASES)) {
  test(`regression ${name}: tiled outputs are the untiled bytes, whatever the tile size`, async () => {
    for (const tileSize of [undefined, 7, 16]) assert.deepEqual(await regressionHashes(params, tileSize), BEFORE_TILES[name], `tile size ${tileSize ?? 'default'}`);
  });
}
