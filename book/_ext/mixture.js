/* The mixture explorer of mixtures/mixture_explorer: each domain's loss against its own share of
 * the training mixture, as BiMix and Ye et al.'s mixing law predict it, beside the trained runs,
 * as the reader moves one domain's share (the others keep their ratios). The two laws are fitted
 * by lawlib on Ye et al.'s runs at build time (window.LAWLIB_MIXTURE, from
 * lawlib.book.explorers.mixture_data); tests/test_site.py compares the page with lawlib's laws. */
"use strict";

(function () {
  const SHARE_RANGE = [0.005, 0.9]; // own shares drawn

  // The mixture with domain i at share r and the others in the base mixture's ratios.
  function mixture(base, i, r) {
    const rest = 1 - base[i];
    return base.map((b, j) => (j === i ? r : (b * (1 - r)) / rest));
  }

  // BiMix: L_i = r_i^-alpha_i (B_i s^-beta_i + C_i).
  function bimix(data, shares) {
    return data.domains.map((d, i) => {
      const c = data.bimix[d];
      return Math.pow(shares[i], -c.alpha) * (c.B * Math.pow(data.step, -c.beta) + c.C);
    });
  }

  // Ye et al.: L_i = c_i + k_i exp(sum_j t_ij r_j).
  function mixing(data, shares) {
    const m = data.mixing;
    return m.t.map((row, i) => m.c[i] + m.k[i] * Math.exp(row.reduce((s, t, j) => s + t * shares[j], 0)));
  }

  function draw(form, data, i, r) {
    const P = window.lawlibPlot;
    const grid = [];
    for (let g = 0; g <= 120; g++) grid.push(SHARE_RANGE[0] + ((SHARE_RANGE[1] - SHARE_RANGE[0]) * g) / 120);
    const ours = (law) => grid.map((u) => [u, law(data, mixture(data.base, i, u))[i]]);
    const curves = [ours(bimix), ours(mixing)];
    const runs = data.runs.shares
      .map((shares, k) => [shares[i], data.runs.losses[k][i]])
      .filter(([share]) => share > 0);
    const seen = runs.map(([, v]) => v).concat(curves.flat().filter(([u]) => u >= 0.05).map(([, v]) => v));
    const low = Math.min(...seen);
    const high = Math.max(...seen);
    const f = P.frame(form.querySelector("svg"), {
      id: "mix",
      x: [0, SHARE_RANGE[1]],
      y: [low - 0.05 * (high - low), high + 0.05 * (high - low)],
      xLabel: `share of ${data.labels[data.domains[i]]} in the mixture`,
      yLabel: "loss [nats/token]",
    });
    const [lo, hi] = data.trained[data.domains[i]];
    P.element("rect", { x: f.x(lo), y: 0, width: f.x(hi) - f.x(lo), height: f.height, fill: "currentColor", "fill-opacity": 0.07 }, f.plot);
    P.element("line", { x1: f.x(r), x2: f.x(r), y1: 0, y2: f.height, stroke: "currentColor", "stroke-dasharray": "3 3", "stroke-opacity": 0.6 }, f.plot);
    runs.forEach(([u, v]) => P.dot(f, u, v, { class: "mix-run", r: 3, fill: "none", stroke: P.palette[7] || "#000" }));
    curves.forEach((points, k) => P.line(f, points, { class: "mix-curve", stroke: P.palette[k], "stroke-width": 2, "stroke-dasharray": k ? "6 3" : null }));
    const at = [bimix(data, mixture(data.base, i, r))[i], mixing(data, mixture(data.base, i, r))[i]];
    at.forEach((v, k) => P.dot(f, r, v, { fill: P.palette[k] }));
  }

  function update(form) {
    const data = window.LAWLIB_MIXTURE;
    const i = data.domains.indexOf(form.elements["mix-domain"].value);
    const r = Number(form.elements["mix-share"].value);
    const shares = mixture(data.base, i, r);
    const predicted = [bimix(data, shares), mixing(data, shares)];
    form.querySelectorAll("tr[data-domain]").forEach((row) => {
      const j = data.domains.indexOf(row.dataset.domain);
      row.classList.toggle("explorer-best", j === i);
      window.lawlibFixed(row.querySelector("[data-output=share]"), 100 * shares[j], 1);
      window.lawlibFixed(row.querySelector("[data-output=bimix]"), predicted[0][j], 3);
      window.lawlibFixed(row.querySelector("[data-output=mixing]"), predicted[1][j], 3);
    });
    const [lo, hi] = data.trained[data.domains[i]];
    const note = form.querySelector(".calc-message");
    note.textContent = r < lo || r > hi
      ? `The runs trained ${data.labels[data.domains[i]]} at shares of ${(100 * lo).toFixed(1)}% to ${(100 * hi).toFixed(1)}% only; both laws extrapolate here.`
      : "";
    window.lawlibPlot.showControls(form, () => 3);
    draw(form, data, i, r);
  }

  function start() {
    const form = document.getElementById("lawlib-mixture");
    const data = window.LAWLIB_MIXTURE;
    if (!form || !data) return;
    const select = form.elements["mix-domain"];
    const body = form.querySelector("tbody.mix-domains");
    data.domains.forEach((d) => {
      const option = document.createElement("option");
      option.value = d;
      option.textContent = data.labels[d];
      select.appendChild(option);
      const row = document.createElement("tr");
      row.dataset.domain = d;
      row.innerHTML = `<th scope="row"></th><td data-output="share"></td><td data-output="bimix"></td><td data-output="mixing"></td>`;
      row.querySelector("th").textContent = data.labels[d];
      body.appendChild(row);
    });
    const palette = window.lawlibPlot.palette;
    window.lawlibPlot.key(form.querySelector(".mix-key"), [
      { text: "BiMix", colour: palette[0] },
      { text: "Ye et al.'s mixing law", colour: palette[1], dash: true },
      { text: "trained runs (other shares differ)", colour: palette[7] || "#000", symbol: "○" },
    ]);
    // a new domain starts at its share in the base mixture
    select.addEventListener("change", () => {
      form.elements["mix-share"].value = data.base[data.domains.indexOf(select.value)];
    });
    select.value = data.domains[0];
    form.elements["mix-share"].value = data.base[0];
    window.lawlibPlot.listen(form, () => update(form));
    form.hidden = false;
    update(form);
  }

  window.lawlibMixture = { mixture: mixture };
  window.lawlibPlot.whenReady(start);
})();
