import { createHash } from 'node:crypto';
import { createPluginContext, createWorkerPool, makeSeries } from '../../core/index.js';
import { wcmInverter } from '../../plugins/inverter-wcm/index.js';
import { exactScene, TRUTH, wcmParams } from '../../plugins/inverter-wcm/test/fixtures.js';

/**
 * sha256 (16 hex digits) of inverter:wcm's product and inversion table on an exact scene with two
 * land-cover classes (per-class sets), a porosity cap, a σ⁰ gap and the default 3 × 3 multilook:
 * every per-pixel path of the inversion (valid, clipped low/high, vegetation-dominated, no data, masked).
 */
export async function wcmHashes(tileSize?: number): Promise<{ product: string; table: string }> {
  const scene = exactScene({ cells: 7, factor: 5, dates: 3, classParams: { 12: TRUTH, 10: { ...TRUTH, A: 0.3, B: 0.9 } } });
  const size = scene.fine.width;
  const porosity = Float32Array.from({ length: size * size }, (_, p) => 0.2 + 0.2 * ((p * 7) % 11) / 10);
  const sigma = scene.input.observations.sigma0_vv;
  sigma.values[1].fill(Number.NaN, 3 * size + 4, 3 * size + 12);
  const input = { ...scene.input, auxiliary: { ...scene.input.auxiliary, porosity: makeSeries({ variable: 'porosity', grid: scene.fine, dates: [], values: [porosity] }) } };
  const context = createPluginContext({ seed: 5, workers: createWorkerPool(1), tileSize });
  const wcm = await wcmInverter.create(wcmParams({ perClass: true, perOrbit: true, maskClasses: [], smMax: 0.35, maxIncidence: 42 }), context);
  const { model } = await wcm.calibrate(input);
  const { product, tables } = await wcm.invert(input, model);
  const h = createHash('sha256');
  for (const v of product.values) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return { product: h.digest('hex').slice(0, 16), table: createHash('sha256').update(JSON.stringify(tables!.inversion)).digest('hex').slice(0, 16) };
}
