/* Numbers as the book's interactive pages show them (the live calculator and the explorers):
 * loaded before their own scripts, which call window.lawlibShow, window.lawlibFixed and window.lawlibCount. */
"use strict";

// Write value into cell with `digits` significant digits, large numbers as m × 10^e, and keep the
// exact value in data-value (which the browser test reads).
window.lawlibShow = function (cell, value, digits) {
  cell.dataset.value = String(value);
  cell.textContent = "";
  if (Math.abs(value) < 1e4) {
    cell.textContent = value.toPrecision(digits);
    return;
  }
  const [mantissa, exponent] = value.toExponential(digits - 1).split("e");
  const power = document.createElement("sup");
  power.textContent = String(Number(exponent));
  cell.append(mantissa + " × 10", power);
};

// Write value into cell with a fixed number of decimals (one per table column, so a column's
// numbers line up), keeping the exact value in data-value.
window.lawlibFixed = function (cell, value, decimals) {
  cell.dataset.value = String(value);
  cell.textContent = value.toLocaleString("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
};

// Write a count of parameters or tokens as the book's tables do (lawlib.formatting.format_count):
// `digits` significant digits and a suffix, 7.00B, 144B, 1.20T; the exact value in data-value.
window.lawlibCount = function (cell, value, digits) {
  const suffixes = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]];
  const [scale, suffix] = suffixes.find(([s]) => Math.abs(value) >= s) || [1, ""];
  const scaled = value / scale;
  cell.dataset.value = String(value);
  cell.textContent = (Math.abs(scaled) >= Math.pow(10, digits)
    ? scaled.toFixed(0)
    : scaled.toPrecision(digits)) + suffix;
};
