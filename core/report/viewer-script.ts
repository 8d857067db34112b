/**
 * The map viewer's page script (plain ES2017, runs in the browser next to the inlined Leaflet). It reads
 * the JSON in `#viewer-data` (see viewer-data.ts), inflates bands on demand with DecompressionStream,
 * colours them on a canvas placed by Leaflet in the grid's own CRS coordinates (L.CRS.Simple: x = easting,
 * y = northing), and wires the layer select, date slider, colour-range inputs, cursor readout, scale bar
 * and station markers. `window.soilscaleViewer` exposes the state for tests.
 */
export const VIEWER_SCRIPT = String.raw`
// Started once the whole page is parsed: station markers look up the charts further down.
document.addEventListener('DOMContentLoaded', function () {
  'use strict';
  var root = document.getElementById('viewer');
  var dataEl = document.getElementById('viewer-data');
  if (!root || !dataEl) return;
  if (typeof DecompressionStream === 'undefined' || typeof L === 'undefined') {
    var note = document.createElement('p');
    note.className = 'banner';
    note.textContent = 'This browser cannot show the map viewer (it needs DecompressionStream: Chrome/Edge 80, Firefox 113, Safari 16.4 or later). The rest of the report is complete.';
    root.before(note);
    return;
  }
  var D = JSON.parse(dataEl.textContent);
  var byId = {};
  D.layers.forEach(function (l) { byId[l.id] = l; });
  var $ = function (id) { return document.getElementById(id); };
  var layerSel = $('vw-layer'), slider = $('vw-date'), dateOut = $('vw-date-label'), dateNote = $('vw-date-note');
  var minIn = $('vw-min'), maxIn = $('vw-max'), resetBtn = $('vw-reset'), bar = $('vw-colourbar'), readout = $('vw-readout');
  var ranges = {};
  Object.keys(D.groups).forEach(function (g) { ranges[g] = D.groups[g].range.slice(); });
  var state = { layer: D.layers[0].id, date: D.dates.length ? D.dates[Math.floor(D.dates.length / 2)] : null, drawn: null, values: null, vgrid: null };

  // --- decoding --------------------------------------------------------------------------------
  var cache = {};
  function inflate(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
    return new Response(stream).arrayBuffer().then(function (buf) { return new Uint8Array(buf); });
  }
  function band(layer, index) {
    var key = layer.id + '#' + index;
    if (!cache[key]) {
      var b = layer.bands[index];
      cache[key] = inflate(b.data).then(function (planes) {
        // Inverse of encodeBand (raster-payload.ts): zigzag residual + mean of left and upper codes.
        var n = b.width * b.height, w = b.width, out = new Float32Array(n), codes = new Uint16Array(n);
        for (var i = 0; i < n; i++) {
          var x = i % w, left = x ? codes[i - 1] : i >= w ? codes[i - w] : 0, up = i >= w ? codes[i - w] : left;
          var z = (planes[i] << 8) | planes[n + i];
          var q = (((left + up) >> 1) + ((z >>> 1) ^ -(z & 1))) & 0xffff;
          codes[i] = q;
          out[i] = q === 65535 ? NaN : b.offset + q * b.scale;
        }
        return out;
      });
    }
    return cache[key];
  }
  function bandIndex(layer, date) {
    if (!layer.dates.length) return 0;
    return layer.dates.indexOf(date);
  }
  // Values of a layer on a date on its own overview grid (differences: b sampled at a's pixel centres).
  function layerValues(layer, date) {
    if (layer.kind !== 'diff') {
      var i = bandIndex(layer, date);
      return i < 0 ? Promise.resolve(null) : band(layer, i).then(function (v) { return { values: v, grid: layer.grid }; });
    }
    var a = byId[layer.a], b = byId[layer.b];
    return Promise.all([layerValues(a, date), layerValues(b, date)]).then(function (r) {
      if (!r[0] || !r[1]) return null;
      var ga = r[0].grid, gb = r[1].grid, va = r[0].values, vb = r[1].values, out = new Float32Array(va.length);
      for (var row = 0; row < ga.height; row++) {
        var y = ga.transform[3] + (row + 0.5) * ga.transform[5];
        var rb = Math.floor((y - gb.transform[3]) / gb.transform[5]);
        for (var col = 0; col < ga.width; col++) {
          var x = ga.transform[0] + (col + 0.5) * ga.transform[1];
          var cb = Math.floor((x - gb.transform[0]) / gb.transform[1]);
          var k = row * ga.width + col;
          out[k] = rb >= 0 && cb >= 0 && rb < gb.height && cb < gb.width ? va[k] - vb[rb * gb.width + cb] : NaN;
        }
      }
      return { values: out, grid: ga };
    });
  }
  // Quantisation step of a layer's band on a date (a difference carries both of its layers' steps).
  function stepOf(layer, date) {
    if (layer.kind === 'diff') return stepOf(byId[layer.a], date) + stepOf(byId[layer.b], date);
    var i = bandIndex(layer, date);
    return i < 0 ? NaN : layer.bands[i].scale;
  }
  function gridOf(layer) { return layer.kind === 'diff' ? byId[layer.a].grid : layer.grid; }

  // --- colour ---------------------------------------------------------------------------------
  function lut(stops) {
    var out = new Uint8ClampedArray(256 * 3);
    for (var k = 0; k < 256; k++) {
      var t = k / 255, i = 1;
      while (i < stops.length - 1 && stops[i][0] < t) i++;
      var s0 = stops[i - 1], s1 = stops[i], f = s1[0] > s0[0] ? (t - s0[0]) / (s1[0] - s0[0]) : 0;
      for (var c = 1; c <= 3; c++) out[k * 3 + c - 1] = Math.round(s0[c] + f * (s1[c] - s0[c]));
    }
    return out;
  }
  var luts = {};
  Object.keys(D.groups).forEach(function (g) { luts[g] = lut(D.groups[g].colours); });
  function css(stops) {
    return 'linear-gradient(to right,' + stops.map(function (s) { return 'rgb(' + s[1] + ',' + s[2] + ',' + s[3] + ') ' + (s[0] * 100).toFixed(1) + '%'; }).join(',') + ')';
  }
  function niceTicks(lo, hi, count) {
    var span = hi - lo;
    if (!(span > 0)) return [lo];
    var raw = span / count, mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
    var step = (r >= 5 ? 10 : r >= 2 ? 5 : r >= 1 ? 2 : 1) * mag;
    if (r < 1.5) step = mag;
    var ticks = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return ticks;
  }
  function fmt(v) {
    if (!isFinite(v)) return '—';
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
    return String(Number(v.toPrecision(4)));
  }
  function drawColourbar() {
    var layer = byId[state.layer], g = D.groups[layer.group], r = ranges[layer.group];
    var ticks = niceTicks(r[0], r[1], 5);
    var html = '<div class="vw-ramp" style="background:' + css(g.colours) + '"></div><div class="vw-ticks">';
    ticks.forEach(function (t) {
      var p = ((t - r[0]) / (r[1] - r[0])) * 100;
      html += '<span style="left:' + p.toFixed(2) + '%">' + fmt(t) + '</span>';
    });
    html += '</div><div class="vw-unit">' + (layer.kind === 'diff' ? 'difference, ' : '') + (g.unit || 'no unit') + '</div>';
    bar.innerHTML = html;
    minIn.value = fmt(r[0]);
    maxIn.value = fmt(r[1]);
  }

  // --- map --------------------------------------------------------------------------------------
  var CanvasOverlay = L.ImageOverlay.extend({
    _initImage: function () {
      var el = (this._image = this._url);
      L.DomUtil.addClass(el, 'leaflet-image-layer');
      if (this._zoomAnimated) L.DomUtil.addClass(el, 'leaflet-zoom-animated');
      el.onselectstart = L.Util.falseFn;
      el.onmousemove = L.Util.falseFn;
    },
  });
  var canvas = document.createElement('canvas');
  canvas.className = 'vw-canvas';
  var first = gridOf(byId[state.layer]);
  var map = L.map('vw-map', { crs: L.CRS.Simple, minZoom: -20, maxZoom: 20, zoomSnap: 0.25, attributionControl: false, fadeAnimation: false });
  // Overview pixels span exactly 2^level full pixels except at the right/bottom edge: bounds use the full extent.
  function extentOf(g) {
    var t = g.transform, f = Math.pow(2, g.level);
    var x1 = t[0] + g.fullWidth * (t[1] / f), y1 = t[3] + g.fullHeight * (t[5] / f);
    return L.latLngBounds([Math.min(t[3], y1), Math.min(t[0], x1)], [Math.max(t[3], y1), Math.max(t[0], x1)]);
  }
  var overlay = new CanvasOverlay(canvas, extentOf(first), { interactive: false }).addTo(map);
  map.fitBounds(extentOf(first));
  // Dashed outlines of every grid's extent, so a small fine-resolution area can be found from a coarse view.
  var outlined = {};
  D.layers.forEach(function (l) {
    if (!l.grid) return;
    var b = extentOf(l.grid), key = b.toBBoxString();
    if (outlined[key]) return;
    outlined[key] = L.rectangle(b, { color: '#333', weight: 1, dashArray: '4 3', fill: false, interactive: false }).addTo(map);
  });
  function area(b) { return (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()); }
  // A layer whose extent is out of view, or tiny in it, is brought into view; a larger one keeps the view.
  function frame(layer) {
    var b = extentOf(gridOf(layer)), view = map.getBounds();
    if ((!view.contains(b) && !b.contains(view)) || area(b) < area(view) / 16) map.fitBounds(b);
  }

  function draw() {
    var layer = byId[state.layer], date = state.date, token = layer.id + '@' + date;
    root.dataset.drawn = '';
    return layerValues(layer, date).then(function (r) {
      if (byId[state.layer] !== layer || state.date !== date) return;
      var g = gridOf(layer);
      state.values = r ? r.values : null;
      state.step = r ? stepOf(layer, date) : NaN;
      state.vgrid = g;
      canvas.width = g.width;
      canvas.height = g.height;
      var ctx = canvas.getContext('2d');
      ctx.clearRect(0, 0, g.width, g.height);
      if (r) {
        var img = ctx.createImageData(g.width, g.height), px = img.data, v = r.values, rg = ranges[layer.group], lo = rg[0], span = rg[1] - rg[0] || 1, lu = luts[layer.group];
        for (var i = 0; i < v.length; i++) {
          var x = v[i];
          if (x !== x) continue;
          var k = Math.round(Math.min(1, Math.max(0, (x - lo) / span)) * 255) * 3;
          px[i * 4] = lu[k]; px[i * 4 + 1] = lu[k + 1]; px[i * 4 + 2] = lu[k + 2]; px[i * 4 + 3] = 255;
        }
        ctx.putImageData(img, 0, 0);
      }
      overlay.setBounds(extentOf(g));
      var dates = layer.dates;
      if (!r) {
        var near = nearest(dates, date);
        dateNote.textContent = layer.title + ' has no band on ' + date + ' (' + dates.length + ' dates' + (near ? '; nearest ' + near : '') + ').';
      } else dateNote.textContent = layer.dates.length ? '' : 'static layer (same on every date)';
      drawColourbar();
      root.dataset.drawn = token;
      root.dataset.blank = r ? 'false' : 'true';
    });
  }
  function nearest(dates, date) {
    var best = null;
    dates.forEach(function (d) { if (best === null || Math.abs(Date.parse(d) - Date.parse(date)) < Math.abs(Date.parse(best) - Date.parse(date))) best = d; });
    return best;
  }

  // --- controls ------------------------------------------------------------------------------------
  D.layers.forEach(function (l) {
    var o = document.createElement('option');
    o.value = l.id;
    o.textContent = ({ product: 'product: ', truth: 'truth: ', coarse: 'coarse input: ', diff: 'difference: ' })[l.kind] + l.title;
    layerSel.appendChild(o);
  });
  layerSel.value = state.layer;
  slider.min = '0';
  slider.max = String(Math.max(0, D.dates.length - 1));
  slider.value = String(Math.max(0, D.dates.indexOf(state.date)));
  dateOut.textContent = state.date || 'static';
  layerSel.addEventListener('change', function () { state.layer = layerSel.value; frame(byId[state.layer]); draw(); });
  slider.addEventListener('input', function () { state.date = D.dates[Number(slider.value)]; dateOut.textContent = state.date; draw(); });
  function setRange() {
    var lo = Number(minIn.value), hi = Number(maxIn.value);
    if (isFinite(lo) && isFinite(hi) && hi > lo) { ranges[byId[state.layer].group] = [lo, hi]; draw(); }
    else bar.insertAdjacentHTML('beforeend', '<div class="vw-error">range needs two numbers, min &lt; max</div>');
  }
  minIn.addEventListener('change', setRange);
  maxIn.addEventListener('change', setRange);
  resetBtn.addEventListener('click', function () { var g = byId[state.layer].group; ranges[g] = D.groups[g].range.slice(); draw(); });

  // --- coordinates: readout and scale bar ----------------------------------------------------------
  function lonLat(g, col, row) {
    var L0 = g.lonlat, n = L0.n;
    var u = Math.min(n - 1.000001, Math.max(0, (col / g.fullWidth) * (n - 1))), v = Math.min(n - 1.000001, Math.max(0, (row / g.fullHeight) * (n - 1)));
    var i = Math.floor(u), j = Math.floor(v), fu = u - i, fv = v - j;
    function at(a) { return a[j * n + i] * (1 - fu) * (1 - fv) + a[j * n + i + 1] * fu * (1 - fv) + a[(j + 1) * n + i] * (1 - fu) * fv + a[(j + 1) * n + i + 1] * fu * fv; }
    return [at(L0.lon), at(L0.lat)];
  }
  function fullPixel(g, x, y) {
    var f = Math.pow(2, g.level);
    return [(x - g.transform[0]) / (g.transform[1] / f), (y - g.transform[3]) / (g.transform[5] / f)];
  }
  function readAt(x, y) {
    var layer = byId[state.layer], g = gridOf(layer), unit = D.groups[layer.group].unit || '';
    var col = Math.floor((x - g.transform[0]) / g.transform[1]), row = Math.floor((y - g.transform[3]) / g.transform[5]);
    var fp = fullPixel(g, x, y), ll = lonLat(g, fp[0], fp[1]);
    var inside = col >= 0 && row >= 0 && col < g.width && row < g.height;
    var value = inside && state.values ? state.values[row * g.width + col] : NaN;
    var text = layer.title + ' · ' + (layer.dates.length ? state.date : 'static') + '\n' +
      'value ' + (inside ? (isFinite(value) ? fmt(value) + ' ' + unit + ' (±' + fmt(state.step / 2) + ')' : 'nodata') : 'outside the grid') + '\n' +
      D.crs + ' x ' + x.toFixed(1) + ', y ' + y.toFixed(1) + '\n' +
      'lon ' + ll[0].toFixed(5) + '°, lat ' + ll[1].toFixed(5) + '°\n' +
      'pixel col ' + Math.floor(fp[0]) + ', row ' + Math.floor(fp[1]) + (g.level ? ' (value: 1:' + Math.pow(2, g.level) + ' overview)' : '');
    readout.textContent = text;
    readout.dataset.value = isFinite(value) ? String(value) : '';
    return value;
  }
  map.on('mousemove', function (e) { readAt(e.latlng.lng, e.latlng.lat); });

  function metresPerPixel() {
    var g = gridOf(byId[state.layer]), size = map.getSize(), c = map.containerPointToLatLng([size.x / 2, size.y / 2]), d = map.containerPointToLatLng([size.x / 2 + 100, size.y / 2]);
    var p = fullPixel(g, c.lng, c.lat), q = fullPixel(g, d.lng, d.lat), a = lonLat(g, p[0], p[1]), b = lonLat(g, q[0], q[1]);
    var rad = Math.PI / 180, dlat = (b[1] - a[1]) * rad, dlon = (b[0] - a[0]) * rad;
    var h = Math.sin(dlat / 2) * Math.sin(dlat / 2) + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dlon / 2) * Math.sin(dlon / 2);
    return (2 * 6371008.8 * Math.asin(Math.sqrt(h))) / 100;
  }
  var ScaleBar = L.Control.extend({
    options: { position: 'bottomleft' },
    onAdd: function () { this._el = L.DomUtil.create('div', 'vw-scale'); return this._el; },
    update: function () {
      var mpp = metresPerPixel();
      if (!(mpp > 0)) return;
      var max = 120 * mpp, mag = Math.pow(10, Math.floor(Math.log10(max))), len = [5, 2, 1].map(function (k) { return k * mag; }).filter(function (v) { return v <= max; })[0] || mag;
      this._el.style.width = Math.round(len / mpp) + 'px';
      this._el.textContent = len >= 1000 ? len / 1000 + ' km' : len + ' m';
    },
  });
  var scale = new ScaleBar().addTo(map);
  map.on('zoomend moveend', function () { scale.update(); });

  // --- stations -----------------------------------------------------------------------------------
  function openStation(id, latlng) {
    var chart = document.querySelector('.station-chart[data-station="' + id + '"]');
    var pick = $('station-pick');
    if (pick) { pick.value = id; pick.dispatchEvent(new Event('change')); }
    var box = document.createElement('div');
    box.className = 'vw-popup';
    box.innerHTML = '<b>' + id + '</b>';
    if (chart) box.appendChild(chart.cloneNode(true)).removeAttribute('hidden');
    else box.insertAdjacentHTML('beforeend', '<p>No time series for this station (no product covers it or no in-situ data in the period).</p>');
    L.popup({ maxWidth: 760, minWidth: 320, autoPanPaddingTopLeft: L.point(60, 20) }).setLatLng(latlng).setContent(box).openOn(map);
  }
  var markers = {};
  D.stations.forEach(function (s) {
    var has = !!document.querySelector('.station-chart[data-station="' + s.id + '"]');
    var m = L.circleMarker([s.y, s.x], { radius: 6, weight: 2, color: '#000', fillColor: has ? '#ff4081' : '#ccc', fillOpacity: 0.9 }).addTo(map);
    m.bindTooltip(s.id + (has ? '' : ' (no chart)'));
    m.on('click', function (e) { openStation(s.id, e.latlng); });
    markers[s.id] = m;
  });

  window.soilscaleViewer = { map: map, state: state, data: D, draw: draw, readAt: readAt, markers: markers, openStation: openStation, canvas: canvas, setDate: function (d) { state.date = d; slider.value = String(D.dates.indexOf(d)); dateOut.textContent = d; return draw(); }, setLayer: function (id) { state.layer = id; layerSel.value = id; frame(byId[id]); return draw(); } };
  window.soilscaleViewer.ready = draw().then(function () { scale.update(); });
});
`;

/** Small page script: the station selector of the "At the stations" section shows one chart at a time. */
export const STATION_PICKER_SCRIPT = String.raw`
(function () {
  var pick = document.getElementById('station-pick');
  if (!pick) return;
  function show() {
    document.querySelectorAll('#station-charts .station-chart').forEach(function (c) { c.hidden = c.dataset.station !== pick.value; });
  }
  pick.addEventListener('change', show);
  show();
})();
`;
