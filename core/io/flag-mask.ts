import { inputError } from '../errors.js';

/**
 * One quality rule on a bit-field variable beside the data (`retrieval_qual_flag`, `surface_flag`,
 * `flag`). A pixel is kept only when every rule of the mask holds:
 * - `clear`: these bits must be 0 (SMAP: `retrieval_qual_flag` bit 0 = recommended quality);
 * - `allowOnly`: no bit other than these may be set (CCI: `flag == 0` but the advisory bit 64 allowed).
 * Bits are indices 0–31 or the product's bit names (`frozen_ground_radiometer`, `barren_ground`, …).
 * The flag variable's own fill value always masks.
 */
export interface FlagRule {
  readonly flag: string;
  readonly clear?: readonly (number | string)[];
  readonly allowOnly?: readonly (number | string)[];
}

/** The rules of a mask (all must hold); `[]` keeps every valid pixel. */
export type MaskRule = readonly FlagRule[];

/** A rule with its bits resolved to integer masks and its flag variable to a path. */
export interface ResolvedFlagRule {
  /** Path of the flag variable inside the file. */
  readonly flagPath: string;
  readonly clearMask: number;
  /** Bits allowed to be set; undefined = any (only `clearMask` matters). */
  readonly allowedMask?: number;
  /** The rule in words, for the manifest and messages. */
  readonly text: string;
}

/** JSON Schema of a mask rule (plugin params). */
export const maskRuleSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      flag: { type: 'string', minLength: 1, description: 'flag variable beside the data (retrieval_qual_flag, surface_flag, flag)' },
      clear: { type: 'array', items: { type: ['integer', 'string'] }, description: 'bits (index or name) that must be 0' },
      allowOnly: { type: 'array', items: { type: ['integer', 'string'] }, description: 'the only bits that may be set' },
    },
    required: ['flag'],
    additionalProperties: false,
  },
} as const;

/**
 * Check a mask rule read from JSON (a STAC asset field or a param).
 *
 * @throws SoilscaleError (input) naming the file and field when it is malformed.
 */
export function parseMaskRule(value: unknown, file: string, path: string): MaskRule {
  const bad = (where: string, expected: string, found: unknown) => inputError('bad mask rule', { file, path: where, expected, found: JSON.stringify(found) });
  if (!Array.isArray(value)) throw bad(path, 'an array of rules such as [{"flag": "retrieval_qual_flag", "clear": [0]}] ([] for no mask)', value);
  return value.map((item, i) => {
    const at = `${path}[${i}]`;
    const rule = (typeof item === 'object' && item !== null && !Array.isArray(item) ? item : {}) as Record<string, unknown>;
    if (rule !== item || typeof rule.flag !== 'string' || rule.flag === '') throw bad(at, 'an object with a "flag" variable name', item);
    const extra = Object.keys(rule).filter((k) => !['flag', 'clear', 'allowOnly'].includes(k));
    if (extra.length > 0) throw bad(`${at}.${extra[0]}`, 'only "flag", "clear" and "allowOnly"', rule[extra[0]]);
    for (const key of ['clear', 'allowOnly'] as const) {
      const bits = rule[key];
      if (bits !== undefined && (!Array.isArray(bits) || !bits.every((b) => (Number.isInteger(b) && b >= 0 && b < 32) || (typeof b === 'string' && b !== '')))) {
        throw bad(`${at}.${key}`, 'an array of bit indices 0–31 or bit names', bits);
      }
    }
    if (rule.clear === undefined && rule.allowOnly === undefined) throw bad(at, '"clear" or "allowOnly" bits', rule);
    return rule as unknown as FlagRule;
  });
}

/** A product's bit names per flag variable (by bit index) and named groups of them (`frozen` → two bits). */
export interface FlagVocabulary {
  readonly bits: Readonly<Record<string, readonly string[]>>;
  readonly groups?: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

/**
 * Resolve bit names (and group names) and the flag variable's path. `flagPath` maps a rule's flag
 * name to its path (e.g. adding SMAP's `_pm` suffix).
 *
 * @throws SoilscaleError (input) for an unknown bit name, naming the file, the rule and the names known.
 */
export function resolveMaskRule(rule: MaskRule, vocabulary: FlagVocabulary, flagPath: (flag: string) => string, file: string): ResolvedFlagRule[] {
  return rule.map((r, i) => {
    const names = vocabulary.bits[r.flag] ?? [];
    const groups = vocabulary.groups?.[r.flag] ?? {};
    const bitsOf = (b: number | string, key: string): number[] => {
      if (typeof b === 'number') return [b];
      if (groups[b]) return groups[b].map((n) => names.indexOf(n));
      const index = names.indexOf(b);
      if (index < 0) {
        const known = [...names.filter(Boolean), ...Object.keys(groups)];
        throw inputError(`unknown bit name '${b}' for flag '${r.flag}'`, { file, path: `mask[${i}].${key}`, expected: known.length ? `a bit index or one of ${known.join(', ')}` : 'a bit index (this flag has no named bits)', found: b });
      }
      return [index];
    };
    const indices = (bits: readonly (number | string)[] | undefined, key: string) => [...new Set((bits ?? []).flatMap((b) => bitsOf(b, key)))];
    const maskOf = (bits: readonly (number | string)[] | undefined, key: string) => indices(bits, key).reduce<number>((m, b) => (m | (1 << b)) >>> 0, 0);
    const label = (bits: readonly (number | string)[], key: string) => indices(bits, key).map((b) => `${b}${names[b] ? ` (${names[b]})` : ''}`).join(', ');
    const parts: string[] = [];
    if (r.clear?.length) parts.push(`bits ${label(r.clear, 'clear')} clear`);
    if (r.allowOnly !== undefined) parts.push(r.allowOnly.length ? `no bit set except ${label(r.allowOnly, 'allowOnly')}` : '== 0');
    return {
      flagPath: flagPath(r.flag),
      clearMask: maskOf(r.clear, 'clear'),
      ...(r.allowOnly !== undefined ? { allowedMask: maskOf(r.allowOnly, 'allowOnly') } : {}),
      text: `${r.flag} ${parts.join(' and ')}`,
    };
  });
}

/** Set `values[i]` to NaN where `flags[i]` fails `rule` or is the flag's fill value. */
export function applyFlagRule(values: Float32Array, flags: ArrayLike<number>, rule: ResolvedFlagRule, flagFill: readonly number[]): void {
  const clear = rule.clearMask;
  const forbidden = rule.allowedMask === undefined ? 0 : ~rule.allowedMask;
  const fill0 = flagFill[0] ?? Number.NaN;
  const fill1 = flagFill[1] ?? Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const f = flags[i];
    if (f === fill0 || f === fill1 || (f & clear) !== 0 || (f & forbidden) !== 0) values[i] = Number.NaN;
  }
}

/** The whole mask in words: `retrieval_qual_flag bits 0 (recommended_quality) clear`, or `none`. */
export function describeMask(rules: readonly ResolvedFlagRule[]): string {
  return rules.length === 0 ? 'none' : rules.map((r) => r.text).join('; ');
}
