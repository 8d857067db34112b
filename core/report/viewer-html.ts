import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { escapeHtml } from './html.js';
import type { ViewerData } from './viewer-data.js';
import { VIEWER_SCRIPT } from './viewer-script.js';

let leaflet: { js: string; css: string } | undefined;
/**
 * Leaflet 1.9's script and stylesheet, read from the installed package to be inlined. The stylesheet's
 * `url(images/…)` references are dropped: the page loads nothing (its CSP allows data: images only),
 * and the viewer uses neither marker icons nor the layers control they belong to.
 */
function leafletAssets(): { js: string; css: string } {
  if (!leaflet) {
    const require = createRequire(import.meta.url);
    const js = readFileSync(require.resolve('leaflet/dist/leaflet.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/m, '');
    const css = readFileSync(require.resolve('leaflet/dist/leaflet.css'), 'utf8').replace(/url\((?!#)[^)]*\)/g, 'none');
    leaflet = { js, css };
  }
  return leaflet;
}

/** JSON safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const VIEWER_CSS = `
.viewer { display: grid; grid-template-columns: minmax(0, 1fr) 300px; gap: 12px; }
.vw-controls { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: 14px; align-items: center; }
.vw-controls select { max-width: 420px; } .vw-controls input[type=range] { width: 320px; vertical-align: middle; }
#vw-map { height: 540px; border: 1px solid #bbb; background: repeating-conic-gradient(#eee 0 25%, #fff 0 50%) 50% / 16px 16px; }
.vw-canvas { image-rendering: pixelated; }
.vw-side { font-size: 12px; } .vw-side input { width: 80px; }
#vw-colourbar { position: relative; margin: 6px 8px 30px; } .vw-ramp { height: 14px; border: 1px solid #888; }
.vw-ticks { position: relative; height: 16px; } .vw-ticks span { position: absolute; transform: translateX(-50%); top: 2px; font-size: 11px; }
.vw-ticks span::before { content: ''; position: absolute; left: 50%; top: -4px; height: 4px; border-left: 1px solid #444; }
.vw-unit { text-align: center; margin-top: 2px; color: #444; } .vw-error { color: #b00; }
#vw-readout { white-space: pre; font: 12px/1.4 ui-monospace, monospace; background: #f7f7f7; border: 1px solid #ddd; padding: 6px; min-height: 6em; }
.vw-scale { border: 2px solid #333; border-top: none; background: rgba(255,255,255,.8); font-size: 11px; padding: 0 4px; text-align: center; }
.vw-popup svg { max-width: 720px; height: auto; }
`;

/**
 * The map viewer section: controls, the Leaflet map, the colour bar with its range inputs and the
 * cursor readout, the layer data as JSON, Leaflet and the viewer script inline.
 */
export function viewerHtml(data: ViewerData, notes: readonly string[]): string {
  const { js, css } = leafletAssets();
  const grids = data.layers.filter((l) => l.grid).map((l) => l.grid!.lonlat);
  const lattice = Math.max(...grids.map((g) => g.maxErrorDeg));
  const sides = [...new Set(grids.map((g) => g.n))].join('/');
  return `<style>${css}${VIEWER_CSS}</style>
<div class="viewer" id="viewer">
<div class="vw-controls"><label>Layer <select id="vw-layer"></select></label>
<label>Date <input type="range" id="vw-date"> <output id="vw-date-label"></output></label> <span id="vw-date-note" class="note"></span></div>
<div id="vw-map"></div>
<div class="vw-side"><b>Colour scale</b> (shared by the layers of a group)<div id="vw-colourbar"></div>
<label>min <input id="vw-min" type="number" step="any"></label> <label>max <input id="vw-max" type="number" step="any"></label> <button id="vw-reset" type="button">reset</button>
<p><b>Cursor</b></p><div id="vw-readout">Move the cursor over the map.</div>
<p class="note">Coordinates: ${escapeHtml(data.crs)}; lon/lat interpolated from a ${sides}-point-per-side lattice per grid (largest error ${lattice.toExponential(1)}°). Dashed outlines: the extents of the grids. Pink markers: stations with a time series (click one).</p></div>
</div>
${notes.length ? `<ul class="note">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<script type="application/json" id="viewer-data">${scriptJson(data)}</script>
<script>${js}</script>
<script>${VIEWER_SCRIPT}</script>`;
}
