/* Numbers as the book's interactive pages show them (the live calculator, the IsoFLOP explorer):
 * loaded before their own scripts, which call window.lawlibShow. */
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
