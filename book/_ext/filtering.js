/* The filtering explorer of repetition/filtering_explorer: the predicted accuracy of the four
 * cumulative pools (Top 10%, ..., Top 40%) of Goyal et al.'s released fit, and the best of them,
 * as the reader moves the compute (samples seen) and the half-life of repeated data. The pools
 * are window.LAWLIB_FILTERING (lawlib.book.explorers.filtering_pools, written at build time); the
 * error is lawlib.filtering.error_code_form, which tests/test_site.py compares with the page. */
"use strict";

(function () {
  const NORMALIZER = 1e5; // the released code's sample normalizer (lawlib.filtering.NORMALIZER)
  const N_RANGE = [1e7, 2e10]; // samples seen drawn [samples]

  // Utility on repeat j of a pool made of parts [b, tau, weight]: sum w b 2^(-j / tau).
  function utility(parts, j) {
    return parts.reduce((sum, [b, tau, w]) => sum + w * b * Math.pow(0.5, j / tau), 0);
  }

  /* The error after n samples, in the released code's form:
   * [(a/1e5 min(n, S))^u_0 + d] prod_{j>=1} (min(S (j+1), n) / (S j))^u_j. */
  function error(pool, n) {
    const S = pool.size;
    const first = Math.pow((pool.a / NORMALIZER) * Math.min(n, S), utility(pool.parts, 0));
    const epochs = Math.ceil(n / S);
    let logProduct = 0;
    if (epochs >= 2) {
      for (let j = 1; j <= epochs - 2; j++) logProduct += utility(pool.parts, j) * Math.log1p(1 / j);
      logProduct += utility(pool.parts, epochs - 1) * Math.log(n / (S * (epochs - 1)));
    }
    return (first + pool.d) * Math.exp(logProduct);
  }

  // Top 10k%: the k best pools sampled uniformly, each half-life k times longer (combine_pools),
  // every half-life multiplied by `stretch`.
  function candidates(stretch) {
    const data = window.LAWLIB_FILTERING;
    return [1, 2, 3, 4].map((k) => {
      const members = data.order.slice(0, k).map((name) => data.pools[name]);
      return {
        name: `Top ${10 * k}%`,
        parts: members.map((p) => [p.b, k * p.tau * stretch, 1 / k]),
        size: k * members[0].size,
        a: members[0].a,
        d: members[0].d,
      };
    });
  }

  function draw(form, pools, n, best) {
    const P = window.lawlibPlot;
    const grid = [];
    for (let i = 0; i <= 160; i++) grid.push(N_RANGE[0] * Math.pow(N_RANGE[1] / N_RANGE[0], i / 160));
    const curves = pools.map((pool) => grid.map((m) => [m, 100 * (1 - error(pool, m))]));
    const values = curves.flat().map(([, v]) => v);
    const low = Math.min(...values);
    const high = Math.max(...values);
    const f = P.frame(form.querySelector("svg"), {
      id: "flt",
      x: N_RANGE,
      y: [low - 0.04 * (high - low), high + 0.04 * (high - low)],
      logX: true,
      xLabel: "samples seen n (log scale)",
      yLabel: "predicted accuracy [%]",
    });
    P.element("line", { x1: f.x(n), x2: f.x(n), y1: 0, y2: f.height, stroke: "currentColor", "stroke-dasharray": "3 3", "stroke-opacity": 0.6 }, f.plot);
    curves.forEach((points, i) => {
      const chosen = pools[i].name === best;
      P.line(f, points, { class: "flt-curve", stroke: P.palette[i], "stroke-width": chosen ? 3 : 1.5 });
      P.dot(f, n, 100 * (1 - error(pools[i], n)), { class: "flt-point", fill: P.palette[i], r: chosen ? 5 : 3.5 });
    });
  }

  function update(form) {
    const n = Math.pow(10, Number(form.elements["flt-logn"].value));
    const stretch = Number(form.elements["flt-stretch"].value);
    const pools = candidates(stretch);
    const errors = pools.map((pool) => error(pool, n));
    const best = pools[errors.indexOf(Math.min(...errors))].name;
    form.querySelectorAll("tr[data-pool]").forEach((row) => {
      const i = pools.findIndex((pool) => pool.name === row.dataset.pool);
      row.classList.toggle("explorer-best", pools[i].name === best);
      window.lawlibFixed(row.querySelector("[data-output=epochs]"), n / pools[i].size, 1);
      window.lawlibFixed(row.querySelector("[data-output=accuracy]"), 100 * (1 - errors[i]), 2);
    });
    const answer = form.querySelector("[data-output=best]");
    answer.textContent = best;
    answer.dataset.value = best;
    window.lawlibShow(form.querySelector("[data-output=samples]"), n, 3);
    window.lawlibPlot.showControls(form, () => 2);
    draw(form, pools, n, best);
  }

  function start() {
    const form = document.getElementById("lawlib-filtering");
    if (!form || !window.LAWLIB_FILTERING) return;
    const body = form.querySelector("tbody.flt-pools");
    const palette = window.lawlibPlot.palette;
    candidates(1).forEach((pool, i) => {
      const row = document.createElement("tr");
      row.dataset.pool = pool.name;
      row.innerHTML = `<th scope="row"></th><td data-output="epochs"></td><td data-output="accuracy"></td>`;
      row.querySelector("th").textContent = pool.name;
      row.querySelector("th").style.color = palette[i];
      body.appendChild(row);
    });
    window.lawlibPlot.key(
      form.querySelector(".flt-key"),
      candidates(1).map((pool, i) => ({ text: pool.name, colour: palette[i] })),
    );
    window.lawlibPlot.listen(form, () => update(form));
    form.hidden = false;
    update(form);
  }

  window.lawlibFiltering = { error: error, candidates: candidates };
  window.lawlibPlot.whenReady(start);
})();
