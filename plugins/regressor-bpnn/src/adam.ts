/** Adam (Kingma & Ba 2015) on a flat parameter vector, with scikit-learn's defaults. */
export interface Adam {
  step(theta: Float64Array, grad: Float64Array): void;
}

export function createAdam(parameters: number, learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8): Adam {
  const m = new Float64Array(parameters);
  const v = new Float64Array(parameters);
  let t = 0;
  return {
    step(theta, grad) {
      t++;
      // Bias corrections folded into the step size, as scikit-learn does.
      const lr = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      for (let i = 0; i < parameters; i++) {
        const g = grad[i];
        const mi = (m[i] = beta1 * m[i] + (1 - beta1) * g);
        const vi = (v[i] = beta2 * v[i] + (1 - beta2) * g * g);
        theta[i] -= (lr * mi) / (Math.sqrt(vi) + epsilon);
      }
    },
  };
}
