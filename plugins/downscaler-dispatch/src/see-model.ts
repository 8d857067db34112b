/**
 * SEE(SM) models, their SMp calibration at LR and the derivative used in the first-order
 * downscaling relation (`dispatch.md` §3.6–3.7).
 */

export type SeeModel = 'linear' | 'cosine';

/**
 * SMp from the LR soil moisture and the LR mean SEE; NaN when the model cannot be calibrated
 * (linear: ⟨SEE⟩ ≤ 0; cosine: ⟨SEE⟩ outside (0, 1)).
 *
 * @example
 * ```ts
 * soilMoistureParameter('linear', 0.2, 0.46854377104377215); // 0.4268544634676526
 * ```
 */
export function soilMoistureParameter(model: SeeModel, smLR: number, meanSee: number): number {
  if (model === 'linear') return meanSee > 0 ? smLR / meanSee : Number.NaN;
  if (!(meanSee > 0 && meanSee < 1)) return Number.NaN;
  return (Math.PI * smLR) / Math.acos(1 - 2 * meanSee);
}

/**
 * ∂SM/∂SEE of the inverse model SM(SEE) at `see`: SMp (linear) or SMp/(π·√(SEE(1−SEE))) (cosine).
 * Evaluated at the LR mean SEE (the Taylor point) this conserves the LR value exactly.
 */
export function seeDerivative(model: SeeModel, smp: number, see: number): number {
  if (model === 'linear') return smp;
  const q = see * (1 - see);
  return q > 0 ? smp / (Math.PI * Math.sqrt(q)) : Number.NaN;
}
