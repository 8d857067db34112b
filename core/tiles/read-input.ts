import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { inputError } from '../errors.js';
import { openRasterLayer } from '../io/raster-source.js';
import { windowGrid, type Grid, type PixelWindow } from '../model/grid.js';
import type { TileBlock, TileInputSource } from './types.js';
import { checkLayerUnchanged } from './raster-identity.js';
import { inputWindow } from './windows.js';

/**
 * One input's block for one output tile: the tile window mapped into the input's grid, grown by its
 * halo, clipped; every date read (one array for a static input). A raster layer whose file changed
 * since the stage `stage` was written is an error naming it.
 */
export async function readTileInput(store: string, source: TileInputSource, output: Grid, tile: PixelWindow, stage: string): Promise<TileBlock> {
  const window = inputWindow(output, tile, source.grid, source.halo);
  const values =
    source.kind === 'raw'
      ? await Promise.all(source.files.map((f) => readRawWindow(join(store, f), source.grid.width, source.grid.height, window)))
      : await Promise.all(
          source.layers.map(async (address, i) => {
            await checkLayerUnchanged(stage, address, source.files?.[i]);
            return (await (await openRasterLayer(address)).read(window)).values;
          }),
        );
  return { grid: windowGrid(source.grid, window), window, dates: source.dates, values };
}

/** A window is read in one piece, rows and the gaps between them, while that is at most this many times its own bytes… */
const SPAN_READ_FACTOR = 4;
/** …or at most this many bytes (a narrow window of a wide file); else row by row. */
const SPAN_READ_BYTES = 1 << 20;

/** Read `window` of a row-major float32 little-endian file of `width × height` values: its span in one read when that is cheap, else row by row. */
export async function readRawWindow(file: string, width: number, height: number, window: PixelWindow): Promise<Float32Array> {
  const out = new Float32Array(window.width * window.height);
  const bytes = new Uint8Array(out.buffer);
  const handle = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw inputError('a spilled tile input is missing', { file, expected: 'the raw float32 file the run wrote into its tile store', found: e.code ?? String(e) });
  });
  try {
    const { size } = await handle.stat();
    if (size !== width * height * 4) throw inputError('a spilled tile input has the wrong size', { file, expected: `${width} × ${height} float32 values (${width * height * 4} bytes)`, found: `${size} bytes` });
    const rowBytes = window.width * 4;
    const first = (window.y * width + window.x) * 4;
    // The bytes from the window's first pixel to its last: all of them when the window is full-width.
    const span = ((window.height - 1) * width + window.width) * 4;
    if (span === bytes.length) {
      await readFully(handle, bytes, 0, bytes.length, first, file);
    } else if (span <= Math.max(SPAN_READ_FACTOR * bytes.length, SPAN_READ_BYTES)) {
      // One read and a copy per row: a read per row cost more than the tile's work (ESTARFM's windows).
      const all = new Uint8Array(span);
      await readFully(handle, all, 0, span, first, file);
      for (let r = 0; r < window.height; r++) bytes.set(all.subarray(r * width * 4, r * width * 4 + rowBytes), r * rowBytes);
    } else {
      for (let r = 0; r < window.height; r++) await readFully(handle, bytes, r * rowBytes, rowBytes, first + r * width * 4, file);
    }
  } finally {
    await handle.close();
  }
  return out;
}

async function readFully(handle: Awaited<ReturnType<typeof open>>, into: Uint8Array, offset: number, length: number, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(into, offset + done, length - done, position + done);
    if (bytesRead === 0) throw inputError('a spilled tile input ended early', { file, expected: `${length} bytes at ${position}`, found: `${done}` });
    done += bytesRead;
  }
}
