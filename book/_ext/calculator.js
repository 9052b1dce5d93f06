/* The live calculator of practice/live_calculator: the Chinchilla closed form and the
 * inference-aware optimum, in the reader's browser. The presets come from lawlib at build
 * time (window.LAWLIB_PRESETS, written by lawlib.book.explorers.script); the formulas are
 * window.lawlibChinchilla (chinchilla.js), so the page and the library
 * cannot drift; tests/test_site.py compares the answers with lawlib's to 1e-6. */
"use strict";

(function () {
  const { K_TRAIN, K_INF, loss, computeOptimal, inferenceOptimal } = window.lawlibChinchilla;

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
    window.lawlibPlot.presets(form.elements["calc-preset"]);
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
