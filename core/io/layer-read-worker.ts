/**
 * Worker thread of `readLayersSync` (core/io/layer-read-sync.ts): for each request on its port, reads the
 * layers whole with `openRasterLayer(...).read()`, posts the arrays (transferred, not copied) or the error,
 * and wakes the waiting thread through the request's shared flag.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { RasterAddress } from './raster-source.js';
import { FILES_IN_FLIGHT, forEachLimited } from '../util/for-each-limited.js';
import { ANSWERED, RECEIVED } from './layer-read-signal.js';

const { port } = workerData as { port: MessagePort };
const reader = import('./raster-source.js');
reader.catch(() => {}); // reported to each request

async function readAll(layers: readonly RasterAddress[]): Promise<Float32Array[]> {
  const { openRasterLayer } = await reader;
  const values: Float32Array[] = new Array(layers.length);
  await forEachLimited(layers, FILES_IN_FLIGHT, async (layer, i) => void (values[i] = (await (await openRasterLayer(layer)).read()).values));
  return values;
}

function errorReply(e: unknown) {
  const s = e as { name?: string; kind?: string; message?: string; details?: unknown; problems?: unknown };
  return { error: s?.name === 'SoilscaleError' ? { kind: s.kind, message: s.message, details: s.details, problems: s.problems } : { message: e instanceof Error ? e.message : String(e) } };
}

/** Flags of the requests not yet answered: if this thread ends with one pending, its waiter is woken (and finds no reply). */
const pending = new Set<Int32Array>();
const wake = (signal: Int32Array) => {
  pending.delete(signal);
  Atomics.store(signal, 0, ANSWERED);
  Atomics.notify(signal, 0);
};
process.on('exit', () => pending.forEach(wake));

port.on('message', ({ layers, signal }: { layers: RasterAddress[]; signal: Int32Array }) => {
  pending.add(signal);
  Atomics.store(signal, 0, RECEIVED); // the waiter now waits as long as the read takes
  Atomics.notify(signal, 0);
  // Whatever happens, a reply is posted and the waiting thread woken.
  void readAll(layers)
    .then(
      (values) => port.postMessage({ values }, values.map((v) => v.buffer as ArrayBuffer)),
      (e: unknown) => port.postMessage(errorReply(e)),
    )
    .catch((e: unknown) => port.postMessage(errorReply(e)))
    .finally(() => wake(signal));
});
