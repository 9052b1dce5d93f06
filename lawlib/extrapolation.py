"""How far extrapolation holds: fit a law on the small end of the runs, predict the rest, measure.

:func:`extrapolation_audit` cuts each dataset at a share of its log range of
compute (or steps), fits on the runs below the cut and predicts those above,
recording the relative error of every prediction against its distance beyond
the largest fitted run; a fit to every run gives the law's own misfit.
:func:`audit_summary` reduces the errors to one row per dataset and
:func:`audit_bins` to medians in bins of distance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import ValidationError

#: A fitter for the audit: ``fit_predict(train, test) -> (predicted losses of test, params or None)``.
FitPredict = Callable[[pd.DataFrame, pd.DataFrame], tuple]


def extrapolation_audit(
    datasets: Mapping[str, tuple[pd.DataFrame, str, FitPredict]],
    fractions: Sequence[float] = (0.4, 0.55, 0.7, 0.85),
    *,
    loss: str = "loss",
) -> tuple[pd.DataFrame, list[dict]]:
    """Fit on the lower share of each dataset's log scale, predict the rest, and record every error.

    Parameters
    ----------
    datasets : mapping of name to (frame, scale, fit_predict)
        Each dataset's runs, the column along which it is cut (``"C"`` for
        compute [FLOPs], ``"step"``), and a function fitting a law to its
        first argument and predicting the losses of its second (it returns
        the predictions, shape (len(test),), and the fitted constants as a
        mapping, or None).
    fractions : sequence of float
        Shares of the log range (between 0 and 1) below which runs are fitted.
    loss : str
        The loss column.

    Returns
    -------
    errors : DataFrame
        One row per prediction: ``dataset``, ``share`` (1.0 for the fit to
        every run), ``distance`` [decades beyond the largest fitted run; NaN
        in-sample] and ``error`` (relative, ``|predicted / observed - 1|``).
        Predictions a fitter could not make (NaN) are left out.
    constants : list of dict
        The fitted constants per dataset and share, where the fitter gives
        them (laws differ in their constants, so one dict per fit).

    Raises
    ------
    ValidationError
        A share outside (0, 1), a scale or loss column missing, or values of
        the scale that are not positive.

    Examples
    --------
    >>> import lawlib
    >>> law = lawlib.PowerLaw(E=1.7, A=400.0, alpha=0.3)
    >>> runs = pd.DataFrame({"N": np.geomspace(1e7, 1e10, 12)})
    >>> runs["loss"] = law(runs["N"])
    >>> def fit_predict(train, test):
    ...     fit = lawlib.fit_power_law("N", "loss", data=train)
    ...     return fit.law(test["N"]), fit.law.params
    >>> errors, _ = extrapolation_audit({"toy": (runs, "N", fit_predict)}, [0.5])
    >>> bool(errors["error"].max() < 1e-6)  # a law fitted to its own curve extrapolates exactly
    True
    """
    problems = [f"fractions: {f!r} is not between 0 and 1" for f in fractions if not 0 < f < 1]
    for name, (frame, scale, _) in datasets.items():
        missing = [c for c in (scale, loss) if c not in frame]
        if missing:
            problems.append(f"{name}: no column {', '.join(missing)}")
        elif not (frame[scale].to_numpy(dtype=float) > 0).all():
            problems.append(f"{name}: column {scale!r} must be positive")
    if problems:
        raise ValidationError(problems, "extrapolation_audit")
    rows, constants = [], []
    for name, (frame, scale, fit_predict) in datasets.items():
        logs = np.log10(frame[scale].to_numpy(dtype=float))
        low, high = logs.min(), logs.max()
        for share in fractions:
            inside = logs <= low + share * (high - low) + 1e-9
            train, test = frame[inside], frame[~inside]
            if test.empty:
                continue
            predicted, params = fit_predict(train, test)
            observed = test[loss].to_numpy()
            reach = np.log10(test[scale].to_numpy(dtype=float) / train[scale].max())
            rows.append(_errors(name, share, reach, predicted, observed))
            if params is not None:
                constants.append({"dataset": name, "share": share, **dict(params)})
        predicted, _ = fit_predict(frame, frame)  # every point: the misfit alone
        rows.append(_errors(name, 1.0, np.nan, predicted, frame[loss].to_numpy()))
    errors = pd.concat(rows, ignore_index=True).dropna(subset=["error"])
    return errors, constants


def _errors(name, share, distance, predicted, observed) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dataset": name,
            "share": share,
            "distance": distance,
            "error": np.abs(np.asarray(predicted, dtype=float) / observed - 1),
        }
    )


def audit_bins(errors: pd.DataFrame, width: float = 0.25) -> pd.DataFrame:
    """Median relative error of the out-of-sample predictions in bins of distance.

    Parameters
    ----------
    errors : DataFrame
        From :func:`extrapolation_audit`.
    width : float
        Bin width [decades]; bins are labeled by their centers.

    Returns
    -------
    DataFrame
        Columns ``dataset``, ``bin`` and ``error`` (the median).
    """
    audit = errors[errors["share"] < 1.0].copy()
    audit["bin"] = (np.floor(audit["distance"] / width) + 0.5) * width
    return audit.groupby(["dataset", "bin"])["error"].median().reset_index()


def audit_summary(errors: pd.DataFrame) -> pd.DataFrame:
    """One row per dataset: predictions, the in-sample misfit, reach, errors near and far, the worst.

    Parameters
    ----------
    errors : DataFrame
        From :func:`extrapolation_audit`.

    Returns
    -------
    DataFrame
        Indexed by dataset (in the order given), with ``count``,
        ``in-sample [%]`` (median), ``reach [decades]``, ``within ½ decade [%]``,
        ``beyond 1 decade [%]`` (medians) and ``worst [%]``.
    """
    in_sample = errors[errors["share"] == 1.0].groupby("dataset", sort=False)["error"].median()
    audit = errors[errors["share"] < 1.0]
    rows = {}
    for name, part in audit.groupby("dataset", sort=False):
        rows[name] = {
            "count": len(part),
            "in-sample [%]": 100 * in_sample[name],
            "reach [decades]": part["distance"].max(),
            "within ½ decade [%]": 100 * part.loc[part["distance"] <= 0.5, "error"].median(),
            "beyond 1 decade [%]": 100 * part.loc[part["distance"] > 1, "error"].median(),
            "worst [%]": 100 * part["error"].max(),
        }
    return pd.DataFrame.from_dict(rows, orient="index")
