/* The IsoFLOP explorer of chinchilla/isoflop_explorer: the loss along five IsoFLOP lines of a
 * Chinchilla law, and the compute-optimal split, redrawn as the reader moves the law's constants
 * or the budget. The starting constants are lawlib's presets (window.LAWLIB_PRESETS, written at
 * build time); tests/test_site.py moves the controls and compares the numbers with lawlib's. */
"use strict";

(function () {
  const K_TRAIN = 6.0; // training FLOPs per parameter per token
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"]; // the book's palette
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

  function loss(l, N, D) {
    return l.E + l.A * Math.pow(N, -l.alpha) + l.B * Math.pow(D, -l.beta);
  }

  // The closed form of Approach 3: N_opt = G (C/6)^(beta/(alpha+beta)).
  function optimum(l, budget) {
    const s = l.alpha + l.beta;
    const G = Math.pow((l.alpha * l.A) / (l.beta * l.B), 1 / s);
    const N = G * Math.pow(budget / K_TRAIN, l.beta / s);
    const D = budget / (K_TRAIN * N);
    return { N: N, D: D, loss: loss(l, N, D) };
  }

  function element(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    Object.entries(attributes).forEach(([k, v]) => node.setAttribute(k, String(v)));
    if (parent) parent.appendChild(node);
    return node;
  }

  function draw(svg, l) {
    const width = Math.max(280, svg.parentElement.clientWidth);
    const height = Math.round(Math.min(360, width * 0.62));
    const margin = { left: 52, right: 12, top: 12, bottom: 40 };
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.replaceChildren();
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
    const lowest = curves[4].best.loss - 0.05 * span;
    const top = curves[0].best.loss + 0.6 * span;
    const plotWidth = width - margin.left - margin.right;
    const plotHeight = height - margin.top - margin.bottom;
    const x = (N) => margin.left + ((Math.log10(N) - logN[0]) / (logN[1] - logN[0])) * plotWidth;
    const y = (L) => margin.top + ((top - L) / (top - lowest)) * plotHeight;
    const clip = element("clipPath", { id: "iso-clip" }, element("defs", {}, svg));
    element("rect", { x: margin.left, y: margin.top, width: plotWidth, height: plotHeight }, clip);
    const plot = element("g", { "clip-path": "url(#iso-clip)" }, svg);
    curves.forEach((curve, i) => {
      const d = curve.points.map(([N, L], j) => `${j ? "L" : "M"}${x(N).toFixed(1)},${y(L).toFixed(1)}`).join("");
      element("path", { d: d, fill: "none", stroke: COLOURS[i], "stroke-width": i === 2 ? 2.5 : 1.5 }, plot);
      element("circle", { cx: x(curve.best.N), cy: y(curve.best.loss), r: 4, fill: COLOURS[i] }, plot);
    });
    const frontier = curves.map((c) => `${x(c.best.N).toFixed(1)},${y(c.best.loss).toFixed(1)}`).join(" ");
    element("polyline", { points: frontier, fill: "none", stroke: "#000", "stroke-dasharray": "4 3" }, plot);
    const axis = element("g", { "font-size": 12, fill: "currentColor" }, svg);
    for (let e = Math.ceil(logN[0]); e <= Math.floor(logN[1]); e++) {
      element("line", { x1: x(Math.pow(10, e)), x2: x(Math.pow(10, e)), y1: height - margin.bottom, y2: height - margin.bottom + 4, stroke: "currentColor" }, axis);
      element("text", { x: x(Math.pow(10, e)), y: height - margin.bottom + 16, "text-anchor": "middle" }, axis).textContent = `1e${e}`;
    }
    element("text", { x: (width + margin.left) / 2, y: height - 6, "text-anchor": "middle" }, axis).textContent = "parameters N (log scale)";
    const label = element("text", { x: 14, y: height / 2, "text-anchor": "middle", transform: `rotate(-90 14 ${height / 2})` }, axis);
    label.textContent = "loss [nats/token]";
    [lowest, (lowest + top) / 2, top].forEach((L) => {
      element("text", { x: margin.left - 6, y: y(L) + 4, "text-anchor": "end" }, axis).textContent = L.toFixed(2);
    });
  }

  function update(form) {
    const l = law(form);
    const best = optimum(l, l.budget);
    const values = { N: best.N, D: best.D, ratio: best.D / best.N, loss: best.loss, a: l.beta / (l.alpha + l.beta) };
    form.querySelectorAll("[data-output]").forEach((cell) => {
      window.lawlibShow(cell, values[cell.dataset.output], cell.dataset.output === "loss" ? 5 : 4);
    });
    form.querySelectorAll("output[for]").forEach((out) => {
      const name = out.htmlFor.value;
      out.textContent = Number(form.elements[name].value).toFixed(name === "iso-logC" ? 2 : 4);
    });
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
    Object.keys(window.LAWLIB_PRESETS).forEach((name) => {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      select.appendChild(option);
    });
    select.value = "besiroglu2024";
    preset(form, select.value);
    select.addEventListener("change", () => { preset(form, select.value); update(form); });
    form.addEventListener("input", (event) => { if (event.target !== select) update(form); });
    form.addEventListener("submit", (event) => event.preventDefault());
    window.addEventListener("resize", () => update(form));
    const key = form.querySelector(".iso-key");
    BUDGETS.forEach((name, i) => {
      const item = document.createElement("span");
      item.style.color = COLOURS[i];
      item.textContent = `— budget ${name} `;
      key.appendChild(item);
    });
    form.hidden = false;
    update(form);
  }

  window.lawlibIsoflop = { optimum: optimum };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
