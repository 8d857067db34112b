/**
 * Worker thread of `readLayersSync` (core/io/layer-read-sync.ts): reads the layers it is given whole, with
 * `openRasterLayer(...).read()`, posts each array (transferred, not copied) and wakes the waiting thread.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { RasterAddress } from './raster-source.js';

const { layers, port, signal } = workerData as { layers: RasterAddress[]; port: MessagePort; signal: Int32Array };

function wake(): void {
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

// Everything that can fail, imports included, is inside the try: the waiting thread must always be woken.
try {
  const { openRasterLayer } = await import('./raster-source.js');
  const values: Float32Array[] = [];
  for (const address of layers) values.push((await (await openRasterLayer(address)).read()).values);
  port.postMessage({ values }, values.map((v) => v.buffer as ArrayBuffer));
} catch (e) {
  const s = e as { name?: string; kind?: string; message?: string; details?: unknown; problems?: unknown };
  const error = s?.name === 'SoilscaleError' ? { kind: s.kind, message: s.message, details: s.details, problems: s.problems } : { message: e instanceof Error ? e.message : String(e) };
  port.postMessage({ error });
}
wake();
parentPort?.close();
