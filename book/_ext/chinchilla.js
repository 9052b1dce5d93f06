/* The Chinchilla law as the book's interactive pages compute it (the live calculator, the
 * IsoFLOP and over-training explorers): its loss, the closed-form compute-optimal split and the
 * inference-aware optimum, the formulas of lawlib.chinchilla and lawlib.inference. Loaded
 * before the pages' own scripts, which call window.lawlibChinchilla; tests/test_site.py
 * compares every page's numbers with lawlib's. A law is {E, A, B, alpha, beta}. */
"use strict";

(function () {
  const K_TRAIN = 6.0; // training FLOPs per parameter per token
  const K_INF = 2.0; // inference FLOPs per parameter per token (one forward pass)

  function loss(law, N, D) {
    return law.E + law.A * Math.pow(N, -law.alpha) + law.B * Math.pow(D, -law.beta);
  }

  // G = (alpha A / (beta B))^(1/(alpha+beta)), the constant of the compute-optimal frontier.
  function frontierConstant(law) {
    return Math.pow((law.alpha * law.A) / (law.beta * law.B), 1 / (law.alpha + law.beta));
  }

  // The closed form of Approach 3: N_opt = G (C/6)^(beta/(alpha+beta)), D_opt = C / (6 N_opt).
  function computeOptimal(law, budget) {
    const N = frontierConstant(law) * Math.pow(budget / K_TRAIN, law.beta / (law.alpha + law.beta));
    const D = budget / (K_TRAIN * N);
    return { N: N, D: D, loss: loss(law, N, D) };
  }

  // The budget whose compute-optimal model has N parameters: C = 6 (N / G)^((alpha+beta)/beta)
  // (lawlib's ChinchillaLaw.compute_for_parameters).
  function computeForParameters(law, N) {
    return K_TRAIN * Math.pow(N / frontierConstant(law), (law.alpha + law.beta) / law.beta);
  }

  // Parameters that reach `target` with D tokens: N = (A / (target - E - B D^-beta))^(1/alpha).
  function parametersFor(law, target, D) {
    return Math.pow(law.A / (target - law.E - law.B * Math.pow(D, -law.beta)), 1 / law.alpha);
  }

  // The model on the iso-loss curve L = target where increasing(u), a function of u = ln D that
  // rises along the curve, crosses zero (bisection above the curve's smallest D, where
  // B D^-beta = target - E).
  function onCurve(law, target, increasing) {
    const logDMin = Math.log(law.B / (target - law.E)) / law.beta;
    let low = logDMin + 1e-12;
    let high = logDMin + 1;
    while (increasing(high) < 0) high += 1;
    for (let i = 0; i < 200 && high - low > 1e-15 * Math.abs(high); i++) {
      const mid = 0.5 * (low + high);
      if (increasing(mid) < 0) low = mid; else high = mid;
    }
    const D = Math.exp(0.5 * (low + high));
    return { N: parametersFor(law, target, D), D: D };
  }

  // Least training plus inference compute at the target loss: the root in u = ln D of
  // alpha X / (beta Y) = 1 + k_inf D_inf / (k D), with X + Y = target - E (increasing in D).
  function inferenceOptimal(law, target, served) {
    return onCurve(law, target, (u) => {
      const Y = law.B * Math.exp(-law.beta * u);
      const X = target - law.E - Y;
      return (law.alpha * X) / (law.beta * Y) - 1 - (K_INF * served) / (K_TRAIN * Math.exp(u));
    });
  }

  // The model reaching `target` at r tokens per parameter: the root of u - ln N(u) = ln r
  // (N falls as D grows, so the left side increases).
  function atRatio(law, target, r) {
    return onCurve(law, target, (u) => u - Math.log(parametersFor(law, target, Math.exp(u))) - Math.log(r));
  }

  window.lawlibChinchilla = {
    K_TRAIN: K_TRAIN,
    K_INF: K_INF,
    loss: loss,
    computeOptimal: computeOptimal,
    computeForParameters: computeForParameters,
    parametersFor: parametersFor,
    inferenceOptimal: inferenceOptimal,
    atRatio: atRatio,
  };
})();
