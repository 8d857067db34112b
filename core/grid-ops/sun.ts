/**
 * The sun's position and the illumination of a slope (textbook spherical astronomy; declination and
 * Earth–Sun distance after FAO-56 eqs. 23–24). Used by the synthetic scene's energy balance and by
 * DISPATCH's topographic LST correction, so both see the same geometry.
 */

const RAD = Math.PI / 180;

export interface SunPosition {
  /** Cosine of the solar zenith angle (≤ 0 when the sun is below the horizon). */
  readonly cosZenith: number;
  /** Solar azimuth, degrees clockwise from north. */
  readonly azimuth: number;
  /** Inverse relative Earth–Sun distance d_r (FAO-56 eq. 23). */
  readonly distanceFactor: number;
}

/**
 * Sun position at `solarHour` (local solar time, hours) on day of year `doy` at latitude `latDeg`.
 *
 * @example
 * ```ts
 * sunPosition(36.6, 172, 12).azimuth;            // 180: due south at solar noon
 * Math.acos(sunPosition(36.6, 172, 12).cosZenith); // ≈ 13.2° (latitude − declination)
 * ```
 */
export function sunPosition(latDeg: number, doy: number, solarHour: number): SunPosition {
  const phi = latDeg * RAD;
  const decl = 0.409 * Math.sin((2 * Math.PI * doy) / 365 - 1.39);
  const omega = (solarHour - 12) * 15 * RAD;
  const cosZenith = Math.sin(phi) * Math.sin(decl) + Math.cos(phi) * Math.cos(decl) * Math.cos(omega);
  const az = Math.atan2(-Math.cos(decl) * Math.sin(omega), Math.sin(decl) * Math.cos(phi) - Math.cos(decl) * Math.sin(phi) * Math.cos(omega)) / RAD;
  return { cosZenith, azimuth: (az + 360) % 360, distanceFactor: 1 + 0.033 * Math.cos((2 * Math.PI * doy) / 365) };
}

/**
 * Cosine of the incidence angle of the sun's beam on a slope: cos i = cos θz·cos s + sin θz·sin s·cos(φ_sun − aspect),
 * slope and aspect (downslope direction, clockwise from north) in degrees. Negative: the slope is in its own shadow.
 *
 * @example
 * ```ts
 * slopeIllumination(sunPosition(36.6, 172, 12), 10, 180); // cos(13.2° − 10°): a south slope faces the noon sun
 * ```
 */
export function slopeIllumination(sun: SunPosition, slopeDeg: number, aspectDeg: number): number {
  const sz = Math.sqrt(Math.max(0, 1 - sun.cosZenith * sun.cosZenith));
  const s = slopeDeg * RAD;
  return sun.cosZenith * Math.cos(s) + sz * Math.sin(s) * Math.cos((sun.azimuth - aspectDeg) * RAD);
}
