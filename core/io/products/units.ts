/** One spelling for volumetric water content (`cm**3/cm**3`, `m3 m-3`, … → `m3/m3`); other units as given. */
export function normaliseUnit(unit: string | undefined): string | undefined {
  if (unit === undefined) return undefined;
  const compact = unit.replace(/\s+/g, ' ').trim();
  if (/^(c?m\*{0,2}\^?3\s*\/\s*c?m\*{0,2}\^?3|c?m3 c?m-3)$/i.test(compact)) return 'm3/m3';
  return compact === '' ? undefined : compact;
}
