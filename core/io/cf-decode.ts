import { numberAttr, type ArrayVariable } from './array-file.js';

/** How stored values map to physical ones (CF conventions; SMAP and CCI follow them). */
export interface ValueCoding {
  /** Stored values meaning "no data" (`_FillValue`, `missing_value`), compared in the stored precision. */
  readonly fill: readonly number[];
  /** physical = stored × scale + offset (`scale_factor`, `add_offset`). */
  readonly scale: number;
  readonly offset: number;
  /** Valid range of stored values (`valid_range` or `valid_min`/`valid_max`); outside it is no data. */
  readonly validMin?: number;
  readonly validMax?: number;
}

/** The value coding a variable's attributes declare; `defaultFill` is used when it declares none. */
export function valueCoding(v: ArrayVariable, defaultFill?: number): ValueCoding {
  const precise = (x: number) => (v.dtype === 'float32' ? Math.fround(x) : x);
  const fill = [numberAttr(v.attr('_FillValue')), numberAttr(v.attr('missing_value'))].filter((x): x is number => x !== undefined).map(precise);
  if (fill.length === 0 && defaultFill !== undefined) fill.push(precise(defaultFill));
  const range = v.attr('valid_range');
  const min = Array.isArray(range) && range.length === 2 ? range[0] : numberAttr(v.attr('valid_min'));
  const max = Array.isArray(range) && range.length === 2 ? range[1] : numberAttr(v.attr('valid_max'));
  return {
    fill,
    scale: numberAttr(v.attr('scale_factor')) ?? 1,
    offset: numberAttr(v.attr('add_offset')) ?? 0,
    ...(min !== undefined ? { validMin: precise(min) } : {}),
    ...(max !== undefined ? { validMax: precise(max) } : {}),
  };
}

/** Float32 physical values: fill, NaN and out-of-range stored values → NaN, scale/offset applied. */
export function decodeValues(raw: ArrayLike<number>, coding: ValueCoding): Float32Array {
  const n = raw.length;
  const out = new Float32Array(n);
  const { fill, scale, offset } = coding;
  const lo = coding.validMin ?? -Infinity;
  const hi = coding.validMax ?? Infinity;
  const f0 = fill[0] ?? Number.NaN;
  const f1 = fill[1] ?? Number.NaN;
  for (let i = 0; i < n; i++) {
    const v = raw[i];
    out[i] = v === f0 || v === f1 || !(v >= lo && v <= hi) ? Number.NaN : v * scale + offset;
  }
  return out;
}

/** Reverse the row order of a row-major `width`-wide array in place (south-up files). */
export function flipRows<T extends { length: number; [i: number]: number }>(values: T, width: number): T {
  const height = values.length / width;
  for (let top = 0, bottom = height - 1; top < bottom; top++, bottom--) {
    for (let x = 0; x < width; x++) {
      const a = top * width + x;
      const b = bottom * width + x;
      const t = values[a];
      values[a] = values[b];
      values[b] = t;
    }
  }
  return values;
}
