import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from '../../../core/index.js';

/** The TensorFlow.js namespace (`@tensorflow/tfjs`), loaded lazily: it is heavy. */
export type Tf = typeof import('@tensorflow/tfjs');

export type TfBackendName = 'wasm' | 'cpu';

let loading: Promise<{ tf: Tf; backend: TfBackendName }> | undefined;

/**
 * Loads TensorFlow.js once per process and selects its backend: WebAssembly (SIMD kernels, the
 * `.wasm` files read from `node_modules/@tensorflow/tfjs-backend-wasm/dist/` on disk), falling back to
 * the pure-JS CPU backend when WebAssembly cannot start. `SOILSCALE_TF_BACKEND=cpu` forces the CPU
 * backend. WebAssembly runs single-threaded so predictions are the same bytes on any machine;
 * soilscale parallelises across tiles instead. (`tfjs-node` is not used: it downloads a native binary at install time.)
 *
 * @example
 * ```ts
 * const { tf, backend } = await loadTf(context.logger);
 * const y = tf.tidy(() => tf.matMul(a, b));
 * ```
 */
export function loadTf(logger?: Logger): Promise<{ tf: Tf; backend: TfBackendName }> {
  loading ??= (async () => {
    const tf = (await import('@tensorflow/tfjs')) as Tf;
    tf.env().set('PROD', true);
    const wanted = process.env.SOILSCALE_TF_BACKEND === 'cpu' ? 'cpu' : 'wasm';
    if (wanted === 'wasm') {
      try {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const require = createRequire(import.meta.url);
        const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
        wasm.setWasmPaths(dist);
        // Single-threaded WebAssembly: results then cannot depend on the machine's thread count.
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        if (await tf.setBackend('wasm')) {
          await tf.ready();
          return { tf, backend: 'wasm' as const };
        }
      } catch (e) {
        logger?.warn('tfjs wasm backend unavailable, using the cpu backend', { reason: String((e as Error)?.message ?? e) });
      }
    }
    // The cpu backend prints an "install tfjs-node" banner to stdout when it sees node; stdout is for results.
    tf.env().set('IS_NODE', false);
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, backend: 'cpu' as const };
  })();
  return loading;
}
