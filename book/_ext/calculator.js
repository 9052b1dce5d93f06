/* The live calculator of practice/live_calculator: the Chinchilla closed form and the
 * inference-aware optimum, in the reader's browser. The presets come from lawlib at build
 * time (window.LAWLIB_PRESETS, written by lawlib_site.py), so the page and the library
 * cannot drift; tests/test_site.py compares the answers with lawlib's to 1e-6. */
"use strict";

(function () {
  const K_TRAIN = 6.0; // training FLOPs per parameter per token
  const K_INF = 2.0; // inference FLOPs per parameter per token (one forward pass)

  // Chinchilla's compute-optimal split (the closed form of Approach 3).
  function computeOptimal(law, budget) {
    const s = law.alpha + law.beta;
    const G = Math.pow((law.alpha * law.A) / (law.beta * law.B), 1 / s);
    const N = G * Math.pow(budget / K_TRAIN, law.beta / s);
    const D = budget / (K_TRAIN * N);
    return { N: N, D: D };
  }

  function loss(law, N, D) {
    return law.E + law.A * Math.pow(N, -law.alpha) + law.B * Math.pow(D, -law.beta);
  }

  // Least training plus inference compute at the target loss: the root in log D of
  // alpha X / (beta Y) = 1 + k_inf D_inf / (k D), with X + Y = loss - E (increasing in D).
  function inferenceOptimal(law, target, served) {
    const reducible = target - law.E;
    const logDMin = Math.log(law.B / reducible) / law.beta;
    const gap = function (u) {
      const Y = law.B * Math.exp(-law.beta * u);
      const X = reducible - Y;
      return (law.alpha * X) / (law.beta * Y) - 1 - (K_INF * served) / (K_TRAIN * Math.exp(u));
    };
    let low = logDMin + 1e-12;
    let high = logDMin + 1;
    while (gap(high) < 0) high += 1;
    for (let i = 0; i < 200 && high - low > 1e-15 * Math.abs(high); i++) {
      const mid = 0.5 * (low + high);
      if (gap(mid) < 0) low = mid; else high = mid;
    }
    const D = Math.exp(0.5 * (low + high));
    const N = Math.pow(law.A / (reducible - law.B * Math.pow(D, -law.beta)), 1 / law.alpha);
    return { N: N, D: D };
  }

  function answer(presetName, budget, served) {
    const law = window.LAWLIB_PRESETS[presetName];
    const optimum = computeOptimal(law, budget);
    const target = loss(law, optimum.N, optimum.D);
    const chosen = served > 0 ? inferenceOptimal(law, target, served) : optimum;
    const total = K_TRAIN * chosen.N * chosen.D + K_INF * chosen.N * served;
    const totalOfOptimum = K_TRAIN * optimum.N * optimum.D + K_INF * optimum.N * served;
    return {
      N: chosen.N,
      D: chosen.D,
      ratio: chosen.D / chosen.N,
      loss: loss(law, chosen.N, chosen.D),
      training: K_TRAIN * chosen.N * chosen.D,
      total: total,
      total_of_optimum: totalOfOptimum,
      saving: 1 - total / totalOfOptimum,
    };
  }

  // 1.3e22, as the book writes it (not JavaScript's 1.3e+22).
  function sci(value) {
    return value.toExponential(1).replace("e+", "e");
  }

  // Plain words for an answer the laws cannot vouch for (nothing here stops the answer).
  function cautions(presetName, budget, result) {
    const range = (window.LAWLIB_RANGES || {})[presetName];
    const notes = [];
    if (result.N < 1e6) {
      notes.push("a model of " + result.N.toPrecision(2) + " parameters is far smaller than any " +
        "model behind these laws; the answer means nothing at this budget");
    } else if (range && budget < range[0]) {
      notes.push("the budget is " + (range[0] / budget).toPrecision(2) + "× below the smallest " +
        "run behind this law (" + sci(range[0]) + " FLOPs): an extrapolation");
    }
    if (range && budget > range[1]) {
      notes.push("the budget is " + (budget / range[1]).toPrecision(2) + "× beyond the largest " +
        "run behind this law (" + sci(range[1]) + " FLOPs): an extrapolation");
    }
    if (result.training > budget * (1 + 1e-9)) {
      notes.push("training this model costs " + (result.training / budget).toPrecision(3) +
        "× the budget; the inference it saves pays for it");
    }
    return notes;
  }

  // A decimal number as people type it (5.76e23, 1e13, 0); not hexadecimal, not "Infinity".
  function number(text) {
    const trimmed = String(text).trim();
    return /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed) ? Number(trimmed) : NaN;
  }

  function update(form) {
    const message = form.querySelector(".calc-message");
    const budget = number(form.elements["calc-budget"].value);
    const served = number(form.elements["calc-inference"].value);
    const problems = [];
    if (!(budget > 0 && Number.isFinite(budget))) {
      problems.push("the compute budget must be a positive number of FLOPs, such as 5.76e23");
    }
    if (!(served >= 0 && Number.isFinite(served))) {
      problems.push("the inference tokens must be 0 or a positive number, such as 1e13");
    }
    const outputs = form.querySelectorAll("[data-output]");
    if (problems.length) {
      message.textContent = "Cannot compute: " + problems.join("; ") + ".";
      outputs.forEach(function (cell) {
        cell.textContent = "—";
        cell.removeAttribute("data-value");
      });
      return;
    }
    const preset = form.elements["calc-preset"].value;
    const result = answer(preset, budget, served);
    const notes = cautions(preset, budget, result);
    message.textContent = notes.length ? "Note: " + notes.join("; ") + "." : "";
    outputs.forEach(function (cell) {
      const key = cell.dataset.output;
      const value = result[key];
      if (key === "saving") {
        cell.dataset.value = String(value);
        cell.textContent = (100 * value).toFixed(1) + "%";
      } else {
        window.lawlibShow(cell, value, key === "loss" ? 5 : 4);
      }
    });
  }

  function start() {
    const form = document.getElementById("lawlib-calculator");
    if (!form || !window.LAWLIB_PRESETS) return;
    const select = form.elements["calc-preset"];
    Object.keys(window.LAWLIB_PRESETS).forEach(function (name) {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      select.appendChild(option);
    });
    select.value = "besiroglu2024" in window.LAWLIB_PRESETS ? "besiroglu2024" : select.options[0].value;
    form.addEventListener("input", function () { update(form); });
    form.addEventListener("submit", function (event) { event.preventDefault(); update(form); });
    form.hidden = false;
    update(form);
  }

  window.lawlibCalculator = { answer: answer };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
