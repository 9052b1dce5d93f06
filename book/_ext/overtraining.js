/* The over-training explorer of practice/overtraining_explorer: at the loss of a Chinchilla-
 * optimal model, the training and the lifetime (training plus inference) compute of every model
 * that reaches that loss, against its tokens per parameter; the compute-optimal and the
 * inference-aware choices are marked. The laws are lawlib's presets (window.LAWLIB_PRESETS,
 * written at build time), the formulas window.lawlibChinchilla; tests/test_site.py moves the
 * controls and compares the page with lawlib.inference_optimal. */
"use strict";

(function () {
  const { K_TRAIN, K_INF, computeOptimal, computeForParameters, inferenceOptimal, atRatio } =
    window.lawlibChinchilla;

  /* Everything the page shows: the law, the reference (Chinchilla-optimal) model of size
   * `reference`, its loss as the target, the inference-aware model for `served` tokens and the
   * model at the reader's ratio, each with training and total compute [FLOPs]. */
  function answer(presetName, reference, served, ratio) {
    const law = window.LAWLIB_PRESETS[presetName];
    const budget = computeForParameters(law, reference);
    const optimum = computeOptimal(law, budget);
    const cost = (model) => Object.assign(model, {
      ratio: model.D / model.N,
      training: K_TRAIN * model.N * model.D,
      total: K_TRAIN * model.N * model.D + K_INF * model.N * served,
    });
    const models = {
      chinchilla: cost({ N: optimum.N, D: optimum.D }),
      inference: cost(served > 0 ? inferenceOptimal(law, optimum.loss, served) : { N: optimum.N, D: optimum.D }),
      chosen: cost(atRatio(law, optimum.loss, ratio)),
    };
    return {
      law: law,
      budget: budget,
      target: optimum.loss,
      models: models,
      penalty: models.inference.training / models.chinchilla.training - 1,
      saving: 1 - models.inference.total / models.chinchilla.total,
    };
  }

  function draw(form, result, served) {
    const P = window.lawlibPlot;
    const base = result.models.chinchilla.training;
    const m = result.models;
    // tokens per parameter drawn: from 1 to a decade that holds every marked model
    const widest = Math.max(1e4, 2 * m.inference.ratio, 2 * m.chosen.ratio);
    const ratios = [1, Math.pow(10, Math.ceil(Math.log10(widest)))];
    const grid = [];
    for (let i = 0; i <= 160; i++) grid.push(ratios[0] * Math.pow(ratios[1] / ratios[0], i / 160));
    const along = grid.map((r) => atRatio(result.law, result.target, r));
    const training = along.map((model, i) => [grid[i], (K_TRAIN * model.N * model.D) / base]);
    const total = along.map((model, i) => [grid[i], (K_TRAIN * model.N * model.D + K_INF * model.N * served) / base]);
    const top = Math.max(10, (1.2 * m.inference.total) / base, (1.2 * m.chosen.total) / base);
    const f = P.frame(form.querySelector("svg"), {
      id: "ot",
      x: ratios,
      y: [0.5, Math.pow(10, Math.ceil(Math.log10(top)))],
      logX: true,
      logY: true,
      xLabel: "tokens per parameter D/N (log scale)",
      yLabel: "compute ÷ Chinchilla training",
    });
    P.line(f, training, { class: "ot-curve", stroke: P.palette[0], "stroke-width": 2 });
    P.line(f, total, { class: "ot-curve", stroke: P.palette[1], "stroke-width": 2, "stroke-dasharray": "6 3" });
    P.dot(f, m.chinchilla.ratio, 1, { class: "ot-point", fill: P.palette[0] });
    P.dot(f, m.inference.ratio, m.inference.total / base, { class: "ot-point", fill: P.palette[1] });
    P.dot(f, m.chosen.ratio, m.chosen.total / base, { class: "ot-point", fill: "none", stroke: "currentColor", "stroke-width": 1.5, r: 5 });
  }

  function sci(value) {
    return value.toExponential(1).replace("e+", "e");
  }

  function update(form) {
    const value = (name) => Number(form.elements[name].value);
    const preset = form.elements["ot-preset"].value;
    const reference = Math.pow(10, value("ot-logN"));
    const served = Math.pow(10, value("ot-logDinf"));
    const ratio = Math.pow(10, value("ot-logr"));
    const result = answer(preset, reference, served, ratio);
    const base = result.models.chinchilla.training;
    form.querySelectorAll("td[data-model]").forEach((cell) => {
      const model = result.models[cell.dataset.model];
      const key = cell.dataset.output;
      if (key === "N" || key === "D") window.lawlibCount(cell, model[key], 3);
      else if (key === "ratio") window.lawlibFixed(cell, model.ratio, 0);
      else window.lawlibFixed(cell, model[key] / base, 2);
    });
    [["penalty", result.penalty], ["saving", result.saving]].forEach(([key, v]) => {
      const cell = form.querySelector(`[data-output=${key}]`);
      cell.dataset.value = String(v);
      cell.textContent = `${(100 * v).toFixed(1)}%`;
    });
    window.lawlibShow(form.querySelector("[data-output=target]"), result.target, 4);
    window.lawlibShow(form.querySelector("[data-output=budget]"), result.budget, 3);
    const range = (window.LAWLIB_RANGES || {})[preset];
    const note = form.querySelector(".calc-message");
    note.textContent = range && (result.budget > range[1] || result.budget < range[0])
      ? `This model's budget, ${sci(result.budget)} FLOPs, lies outside the runs behind this law (${sci(range[0])} to ${sci(range[1])} FLOPs): an extrapolation.`
      : "";
    window.lawlibPlot.showControls(form, () => 2);
    draw(form, result, served);
  }

  function start() {
    const form = document.getElementById("lawlib-overtraining");
    if (!form || !window.LAWLIB_PRESETS) return;
    window.lawlibPlot.presets(form.elements["ot-preset"]);
    const palette = window.lawlibPlot.palette;
    window.lawlibPlot.key(form.querySelector(".ot-key"), [
      { text: "training compute", colour: palette[0] },
      { text: "training + inference", colour: palette[1], dash: true },
      { text: "your ratio", colour: "currentColor", symbol: "○" },
    ]);
    window.lawlibPlot.listen(form, () => update(form));
    form.hidden = false;
    update(form);
  }

  window.lawlibOvertraining = { answer: answer };
  window.lawlibPlot.whenReady(start);
})();
