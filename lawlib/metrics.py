"""Accuracy of predicted losses on held-out runs: every measure a reader may meet, computed one way."""

from __future__ import annotations

import numpy as np

from .errors import ValidationError


def held_out_metrics(observed, predicted, mask=None) -> dict[str, float]:
    """R² (pooled, in logs, per domain) and the mean absolute percentage error of predictions.

    Parameters
    ----------
    observed, predicted : array_like, shape (runs, domains)
        Losses [nats/token], positive.
    mask : array_like of bool, shape (runs, domains), optional
        The pairs to score (e.g. those where a law is defined); default all.

    Returns
    -------
    dict
        ``"R², losses pooled"``, ``"R², log losses pooled"``,
        ``"R² per domain, mean"``, ``"R² per domain, worst"`` and
        ``"mean abs. % error"``.

    Raises
    ------
    ValidationError
        Shapes that differ, or losses that are not positive where scored.

    Examples
    --------
    >>> observed = np.array([[2.0, 3.0], [2.5, 3.5], [3.0, 4.0]])
    >>> held_out_metrics(observed, observed)["R², losses pooled"]
    1.0
    >>> round(held_out_metrics(observed, 1.01 * observed)["mean abs. % error"], 6)
    1.0
    """
    observed, predicted = np.asarray(observed, dtype=float), np.asarray(predicted, dtype=float)
    mask = np.ones(observed.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if observed.ndim != 2 or observed.shape != predicted.shape or mask.shape != observed.shape:
        shapes = f"{observed.shape}, {predicted.shape}, {mask.shape}"
        raise ValidationError(
            [f"observed, predicted and mask must share one (runs, domains) shape, got {shapes}"],
            "held_out_metrics",
        )
    y, p = observed[mask], predicted[mask]
    if not ((y > 0).all() and (p > 0).all()):
        raise ValidationError(["losses must be positive where scored"], "held_out_metrics")

    def r_squared(obs, pred):
        return 1 - np.sum((obs - pred) ** 2) / np.sum((obs - obs.mean()) ** 2)

    per_domain = [
        r_squared(observed[mask[:, j], j], predicted[mask[:, j], j])
        for j in range(observed.shape[1])
    ]
    return {
        "R², losses pooled": float(r_squared(y, p)),
        "R², log losses pooled": float(r_squared(np.log(y), np.log(p))),
        "R² per domain, mean": float(np.mean(per_domain)),
        "R² per domain, worst": float(np.min(per_domain)),
        "mean abs. % error": 100 * float(np.mean(np.abs(p / y - 1))),
    }
