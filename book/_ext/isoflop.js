/* The IsoFLOP explorer of chinchilla/isoflop_explorer: the loss along five IsoFLOP lines of a
 * Chinchilla law, and the compute-optimal split, redrawn as the reader moves the law's constants
 * or the budget. The starting constants are lawlib's presets (window.LAWLIB_PRESETS, written at
 * build time); tests/test_site.py moves the controls and compares the numbers with lawlib's. */
"use strict";

(function () {
  const { K_TRAIN, loss, computeOptimal: optimum } = window.lawlibChinchilla;
  const BUDGETS = ["C/100", "C/10", "C", "10C", "100C"];

  function law(form) {
    const value = (name) => Number(form.elements[name].value);
    return {
      E: value("iso-E"),
      A: Math.pow(10, value("iso-logA")),
      B: Math.pow(10, value("iso-logB")),
      alpha: value("iso-alpha"),
      beta: value("iso-beta"),
      budget: Math.pow(10, value("iso-logC")),
    };
  }

  function draw(svg, l) {
    const P = window.lawlibPlot;
    const budgets = [-2, -1, 0, 1, 2].map((k) => l.budget * Math.pow(10, k));
    const centre = optimum(l, l.budget).N;
    const logN = [Math.log10(centre) - 3, Math.log10(centre) + 3];
    const curves = budgets.map((C) => {
      const points = [];
      for (let i = 0; i <= 120; i++) {
        const N = Math.pow(10, logN[0] + ((logN[1] - logN[0]) * i) / 120);
        points.push([N, loss(l, N, C / (K_TRAIN * N))]);
      }
      return { C: C, points: points, best: optimum(l, C) };
    });
    // the loss axis: from just below the largest budget's optimum to well above the smallest's
    const span = curves[0].best.loss - curves[4].best.loss + 0.05;
    const f = P.frame(svg, {
      id: "iso",
      x: [Math.pow(10, logN[0]), Math.pow(10, logN[1])],
      y: [curves[4].best.loss - 0.05 * span, curves[0].best.loss + 0.6 * span],
      logX: true,
      xLabel: "parameters N (log scale)",
      yLabel: "loss [nats/token]",
    });
    curves.forEach((curve, i) => {
      P.line(f, curve.points, { class: "iso-curve", stroke: P.palette[i], "stroke-width": i === 2 ? 2.5 : 1.5 });
      P.dot(f, curve.best.N, curve.best.loss, { class: "iso-optimum", fill: P.palette[i] });
    });
    const frontier = curves.map((c) => `${f.x(c.best.N).toFixed(1)},${f.y(c.best.loss).toFixed(1)}`).join(" ");
    P.element("polyline", { points: frontier, fill: "none", stroke: "currentColor", "stroke-dasharray": "4 3" }, f.plot);
  }

  function update(form) {
    const l = law(form);
    const best = optimum(l, l.budget);
    const values = { N: best.N, D: best.D, ratio: best.D / best.N, loss: best.loss, a: l.beta / (l.alpha + l.beta) };
    form.querySelectorAll("[data-output]").forEach((cell) => {
      window.lawlibShow(cell, values[cell.dataset.output], cell.dataset.output === "loss" ? 5 : 4);
    });
    window.lawlibPlot.showControls(form, (name) => (name === "iso-logC" ? 2 : 4));
    draw(form.querySelector("svg"), l);
  }

  function preset(form, name) {
    const p = window.LAWLIB_PRESETS[name];
    form.elements["iso-E"].value = p.E;
    form.elements["iso-logA"].value = Math.log10(p.A);
    form.elements["iso-logB"].value = Math.log10(p.B);
    form.elements["iso-alpha"].value = p.alpha;
    form.elements["iso-beta"].value = p.beta;
  }

  function start() {
    const form = document.getElementById("lawlib-isoflop");
    if (!form || !window.LAWLIB_PRESETS) return;
    const select = form.elements["iso-preset"];
    window.lawlibPlot.presets(select);
    preset(form, select.value);
    select.addEventListener("change", () => { preset(form, select.value); update(form); });
    form.addEventListener("input", (event) => { if (event.target !== select) update(form); });
    form.addEventListener("submit", (event) => event.preventDefault());
    window.addEventListener("resize", () => update(form));
    const palette = window.lawlibPlot.palette;
    window.lawlibPlot.key(
      form.querySelector(".iso-key"),
      BUDGETS.map((name, i) => ({ text: `budget ${name}`, colour: palette[i] })).concat([
        { text: "the optima (the frontier)", colour: "currentColor", dash: true },
      ]),
    );
    form.hidden = false;
    update(form);
  }

  window.lawlibIsoflop = { optimum: optimum };
  window.lawlibPlot.whenReady(start);
})();
