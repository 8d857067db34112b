import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wcmHashes } from '../../support/wcm-tiles.js';

/**
 * inverter:wcm's inversion runs through context.tiles. The sha256 (first 16 hex digits) of its product
 * and inversion table were recorded with the untiled code before the switch; the tiled engine gives the
 * same bytes with one tile and with many.
 */
const BEFORE_TILES = { product: 'e89ac19c049aeead', table: 'd115238918f2f5e5' };

test('WCM inversion: tiled product and inversion table are the untiled bytes, whatever the tile size', async () => {
  for (const tileSize of [undefined, 6, 13]) assert.deepEqual(await wcmHashes(tileSize), BEFORE_TILES, `tile size ${tileSize ?? 'default'}`);
});
