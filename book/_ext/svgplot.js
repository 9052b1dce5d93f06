/* The one plot look of the book's explorable figures: an SVG drawn at the width it is shown (so
 * its 12 px text stays 12 px on a phone), log or linear axes with labelled ticks, the book's
 * palette (window.LAWLIB_PALETTE, lawlib.book.plotting.PALETTE, written at build time). Loaded
 * before each explorer's own script, which calls window.lawlibPlot. */
"use strict";

(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const MARGIN = { left: 56, right: 12, top: 12, bottom: 42 };

  function element(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    Object.entries(attributes).forEach(([k, v]) => node.setAttribute(k, String(v)));
    if (parent) parent.appendChild(node);
    return node;
  }

  // Tick values and their labels for a log axis from lo to hi (values, not logs): every decade,
  // and 2 and 5 times it when the axis spans fewer than two decades.
  function logTicks(lo, hi) {
    const ticks = [];
    const few = Math.log10(hi / lo) < 2;
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      (few ? [1, 2, 5] : [1]).forEach((m) => {
        const v = m * Math.pow(10, e);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push({ value: v, mantissa: m, exponent: e });
      });
    }
    return ticks;
  }

  // Four to seven ticks at 1, 2 or 5 times a power of ten, for a linear axis from lo to hi.
  function linearTicks(lo, hi) {
    const raw = (hi - lo) / 6;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
    const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
      ticks.push({ value: v, text: v.toFixed(decimals) });
    }
    return ticks;
  }

  function tickLabel(parent, tick, attributes) {
    const text = element("text", attributes, parent);
    if (tick.text !== undefined) {
      text.textContent = tick.text;
      return;
    }
    if (tick.exponent >= -2 && tick.exponent <= 3) {
      text.textContent = String(Number((tick.mantissa * Math.pow(10, tick.exponent)).toPrecision(3)));
      return;
    }
    text.textContent = (tick.mantissa === 1 ? "" : `${tick.mantissa}×`) + "10";
    element("tspan", { dy: -6, "font-size": 10 }, text).textContent = String(tick.exponent);
  }

  /* Clear `svg` and draw its axes. spec: {x: [lo, hi], y: [lo, hi], logX, logY, xLabel, yLabel,
   * aspect (height / width, 0.62 by default), id (for the clip path)}. Returns {x, y, plot,
   * width, height}: x and y map data to pixels, plot is a group clipped to the axes' box. */
  function frame(svg, spec) {
    const width = Math.max(280, svg.parentElement.clientWidth);
    const height = Math.round(Math.min(360, width * (spec.aspect || 0.62)));
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.replaceChildren();
    const m = MARGIN;
    const plotWidth = width - m.left - m.right;
    const plotHeight = height - m.top - m.bottom;
    const scale = (log, [lo, hi], from, span, flip) => (v) => {
      const t = log ? Math.log10(v / lo) / Math.log10(hi / lo) : (v - lo) / (hi - lo);
      return from + (flip ? 1 - t : t) * span;
    };
    const x = scale(spec.logX, spec.x, m.left, plotWidth, false);
    const y = scale(spec.logY, spec.y, m.top, plotHeight, true);
    const clip = element("clipPath", { id: `${spec.id}-clip` }, element("defs", {}, svg));
    element("rect", { x: m.left, y: m.top, width: plotWidth, height: plotHeight }, clip);
    const axis = element("g", { "font-size": 12, fill: "currentColor" }, svg);
    element("rect", { x: m.left, y: m.top, width: plotWidth, height: plotHeight, fill: "none", stroke: "currentColor", "stroke-opacity": 0.35 }, axis);
    const xTicks = spec.logX ? logTicks(...spec.x) : linearTicks(...spec.x);
    xTicks.forEach((tick) => {
      const px = x(tick.value);
      element("line", { x1: px, x2: px, y1: height - m.bottom, y2: height - m.bottom + 4, stroke: "currentColor" }, axis);
      tickLabel(axis, tick, { x: px, y: height - m.bottom + 17, "text-anchor": "middle" });
    });
    const yTicks = spec.logY ? logTicks(...spec.y) : linearTicks(...spec.y);
    yTicks.forEach((tick) => {
      const py = y(tick.value);
      element("line", { x1: m.left - 4, x2: m.left, y1: py, y2: py, stroke: "currentColor" }, axis);
      tickLabel(axis, tick, { x: m.left - 6, y: py + 4, "text-anchor": "end" });
    });
    element("text", { x: (width + m.left) / 2, y: height - 6, "text-anchor": "middle" }, axis).textContent = spec.xLabel;
    element("text", { x: 13, y: height / 2, "text-anchor": "middle", transform: `rotate(-90 13 ${height / 2})` }, axis).textContent = spec.yLabel;
    const plot = element("g", { "clip-path": `url(#${spec.id}-clip)` }, svg);
    return { x: x, y: y, plot: plot, width: width, height: height };
  }

  // A polyline through points [[u, v], ...] in data units, on a frame from frame().
  function line(f, points, attributes) {
    const d = points
      .filter(([u, v]) => Number.isFinite(u) && Number.isFinite(v))
      .map(([u, v], j) => `${j ? "L" : "M"}${f.x(u).toFixed(1)},${f.y(v).toFixed(1)}`)
      .join("");
    return element("path", Object.assign({ d: d, fill: "none", "stroke-width": 1.5 }, attributes), f.plot);
  }

  function dot(f, u, v, attributes) {
    return element("circle", Object.assign({ cx: f.x(u), cy: f.y(v), r: 4 }, attributes), f.plot);
  }

  // A key of coloured names above a figure: items [{text, colour, dash, symbol}], into a <p>; each
  // starts with a line (dashed if `dash`) or with its `symbol` (a marker such as "○").
  function key(paragraph, items) {
    paragraph.replaceChildren();
    items.forEach((item) => {
      const span = document.createElement("span");
      span.className = "explorer-key-item";
      span.style.color = item.colour;
      span.textContent = `${item.symbol || (item.dash ? "╌" : "—")} ${item.text}`;
      paragraph.appendChild(span);
    });
  }

  // Write each <output for=...> of a form: its control's value with `decimals(name)` decimals.
  function showControls(form, decimals) {
    form.querySelectorAll("output[for]").forEach((out) => {
      const name = out.htmlFor.value;
      out.textContent = Number(form.elements[name].value).toFixed(decimals(name));
    });
  }

  // Call `update` on every input of the form and on resize; never submit.
  function listen(form, update) {
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", (event) => event.preventDefault());
    window.addEventListener("resize", update);
  }

  // Fill a <select> with lawlib's Chinchilla presets (window.LAWLIB_PRESETS), Besiroglu et al.'s
  // replication chosen.
  function presets(select) {
    Object.keys(window.LAWLIB_PRESETS).forEach((name) => {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      select.appendChild(option);
    });
    select.value = "besiroglu2024" in window.LAWLIB_PRESETS ? "besiroglu2024" : select.options[0].value;
  }

  function whenReady(start) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }

  window.lawlibPlot = {
    palette: window.LAWLIB_PALETTE || ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"],
    element: element,
    frame: frame,
    line: line,
    dot: dot,
    key: key,
    showControls: showControls,
    listen: listen,
    presets: presets,
    whenReady: whenReady,
  };
})();
