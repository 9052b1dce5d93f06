"""Published datasets by name, as tidy DataFrames with documented columns and units.

Files live in the repository's ``data/`` folder, byte-identical to their
sources; each folder's README gives source, commit, license and columns. They
ship inside the package (``lawlib/datasets`` is that folder), so an installed
lawlib reads them with ``importlib.resources`` wherever it is installed.
The loaders here only rename columns and add derived ones (documented per
dataset). Nothing is fetched at run time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ValidationError

#: The data folder inside the installed package (in a clone, a link to the repository's ``data/``).
DATA_DIR = Path(str(resources.files("lawlib") / "datasets"))

_PORIAN_CONFIG = ["dataset", "hparams", "warmup", "decay", "param_count", "loss_split", "label"]


@dataclass(frozen=True)
class Dataset:
    """A named dataset: its file under ``data/``, a one-line description, its columns.

    `read` turns the file into a DataFrame (None: CSV); `tidy` renames and derives
    columns, given the raw frame and the data folder (to join other files from it).

    Attributes
    ----------
    path : str
        The file under ``data/``.
    description : str
    columns : dict of str to str
        Column names and their meanings, with units.
    tidy : callable
    read : callable, optional
    """

    path: str
    description: str
    columns: dict[str, str]
    tidy: Callable[[pd.DataFrame, Path], pd.DataFrame]
    read: Callable[[Path], pd.DataFrame] | None = None

    def reader(self) -> Callable[[Path], pd.DataFrame]:
        """How the file is read: `read`, or ``pandas.read_csv`` when None."""
        return pd.read_csv if self.read is None else self.read


def _epoch2024(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    frame = pd.DataFrame({"N": raw["Model Size"], "C": raw["Training FLOP"], "loss": raw["loss"]})
    frame.insert(1, "D", frame["C"] / (6 * frame["N"]))
    fifth_largest = np.sort(frame["loss"].to_numpy())[-5]
    frame["in_default_fit"] = frame["loss"] < fifth_largest
    return frame


def _projections(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    return raw.rename(
        columns={"params": "N", "flops": "C", "tokens": "D", "flops_gopher_units": "C_gopher_units"}
    )[["approach", "N", "D", "C", "C_gopher_units", "source"]]


def _exponents(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    return raw.rename(columns={"a_point": "a", "b_point": "b"})


def _models(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    frame = raw.rename(columns={"params_millions": "N"})
    frame["N"] = frame["N"] * 1e6
    return frame


def _porian_points(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    frame = raw.rename(columns={"flops": "C", "n": "N", "t": "D"})
    return frame[[*_PORIAN_CONFIG, "C", "N", "D", "loss"]]


def _porian_optima(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    frame = raw.rename(
        columns={
            "flops": "C",
            "n_star": "N_opt",
            "t_star": "D_opt",
            "tokens_per_param_star": "tokens_per_parameter",
            "loss_star": "loss_opt",
        }
    )
    return frame.drop(columns=["source_table"])


def _porian_fits(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    return raw.rename(
        columns={"a_n_exponent": "a", "b_t_exponent": "b", "n_star_at_5.88e23": "N_opt_at_5.88e23"}
    ).drop(columns=["source_table"])


def _datablations(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    frame = raw.rename(
        columns={"params": "N", "tokens": "D", "unique_tokens": "U", "val_loss": "loss"}
    )
    return frame[
        [
            "run_name",
            "N",
            "D",
            "U",
            "epochs",
            "loss",
            "dataset",
            "seed",
            "variant",
            "in_default_fit",
            "note",
        ]
    ]


def _bimix_losses(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    shares = load("bimix2024_mixtures", data_dir)
    frame = raw.rename(columns={"global_step": "step"}).merge(
        shares, on=["dataset", "mixture", "domain"], how="left", validate="many_to_one"
    )
    return frame[["dataset", "mixture", "step", "domain", "loss", "proportion"]]


#: SlimPajama's training configs name domains ``RedPajama<Name>``; the losses name them ``<Name>``.
_BIMIX_CORPORA = {"config_pile_opt.json": "pile", "config_sp_opt.json": "slimpajama"}


def _bimix_optimized(path: Path) -> pd.DataFrame:
    rows = []
    for name, corpus in _BIMIX_CORPORA.items():
        weights = json.loads((path.parent / name).read_text())["train_domain_weights"]
        rows += [
            (corpus, "BiMix", domain.removeprefix("RedPajama"), share)
            for domain, share in weights.items()
        ]
    return pd.DataFrame(rows, columns=["dataset", "mixture", "domain", "proportion"])


def _gadre_runs(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    frame = raw.assign(
        N=raw["params"].astype(float),
        D=raw["tokens"].astype(float),
        M=raw["token_multiplier"].astype(float),
    )
    frame["tokens_per_parameter"] = frame["D"] / frame["N"]
    frame["C"] = 6 * frame["N"] * frame["D"]
    return frame


def _gadre_joined(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    runs = load("gadre2024_runs", data_dir)[["run", "dataset", "N", "D", "M"]]
    return raw.merge(runs, on="run", how="left", validate="many_to_one")


def _gadre_tasks(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    frame = raw.rename(
        columns={
            "Eval Task": "task",
            "Task Category": "category",
            "Task Type": "type",
            "#shots": "shots",
            "#datapoints": "size",
            "Random baseline": "random_baseline",
            "Centered Metric?": "centered",
            "Description": "description",
        }
    )
    frame["random_baseline"] = frame["random_baseline"] / 100
    return frame


def _goyal_params(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    frame = raw.rename(columns={"pool_size_samples": "size", "a_code": "a"})
    return frame[
        [
            "fit_id",
            "objective",
            "metric",
            "pool",
            "pool_label",
            "size",
            "a",
            "b",
            "tau",
            "d",
            "fit_objective_value",
        ]
    ]


def _as_is(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    """Files already tidy, with documented column names: returned unchanged."""
    return raw


#: RegMix's model sizes: files, nominal parameters and tokens trained on (the paper, sec. 4).
_REGMIX = {"1M": ("1m", 1e6, 1e9), "60M": ("60m", 6e7, 1e9), "1B": ("1B", 1e9, 25e9)}


def _regmix(path: Path) -> pd.DataFrame:
    folder = path.parent
    pieces = []
    for model, (suffix, n, tokens) in _REGMIX.items():
        for split in ("train", "test"):
            mixture_file = folder / f"{split}_mixture_{suffix}.csv"
            if not mixture_file.exists():
                continue
            shares = pd.read_csv(mixture_file).set_index("index")
            losses = pd.read_csv(folder / f"{split}_pile_loss_{suffix}.csv").set_index("index")
            shares.columns = [c.removeprefix("train_the_pile_") for c in shares.columns]
            losses.columns = [
                c.removeprefix("metric/the_pile_").removesuffix("_val_loss") for c in losses.columns
            ]
            shares = shares.div(shares.sum(axis=1), axis=0)
            long = (
                shares.stack().rename("proportion").rename_axis(["index", "domain"]).reset_index()
            )
            long["loss"] = [
                losses.at[i, d] if d in losses.columns else np.nan
                for i, d in zip(long["index"], long["domain"], strict=True)
            ]
            long.insert(0, "run", [f"{model}/{split}/{i}" for i in long["index"]])
            long.insert(0, "split", split)
            long.insert(0, "tokens", tokens)
            long.insert(0, "N", n)
            long.insert(0, "model", model)
            pieces.append(long)
    return pd.concat(pieces, ignore_index=True)


#: The 11 validation sets of the OLMo ladder's logs.
_OLMO_SETS = (
    "c4_en",
    "dolma_books",
    "dolma_common-crawl",
    "dolma_pes2o",
    "dolma_reddit",
    "dolma_stack",
    "dolma_wiki",
    "ice",
    "m2d2_s2orc",
    "pile",
    "wikitext_103",
)


def _olmo_ladder(path: Path) -> pd.DataFrame:
    folder = path.parent
    sizes = pd.read_csv(folder / "sizes.csv").set_index("size")
    pieces = []
    for file in sorted(folder.glob("*.csv")):
        if file.name == "sizes.csv":
            continue
        raw = pd.read_csv(file)
        name = file.stem
        target = name.startswith("peteish")
        if target:
            size = "7B" if name.startswith("peteish7") else "13B"
            run = "peteish7-anneal" if name.endswith("anneal") else name.split("_")[0]
            multiple, rerun = np.nan, False
        else:
            size, rest = name.split("-", 1)
            run, rerun = name, rest.endswith("rerun")
            multiple = float(rest.split("xC")[0])
        piece = pd.DataFrame(index=raw.index)
        piece["run"], piece["size"] = run, size
        piece["N"] = float(sizes.loc[size, "params"])
        piece["multiple"], piece["rerun"], piece["target"] = multiple, rerun, target
        piece["step"] = raw["_step"].astype(float) if "_step" in raw else np.nan
        batch = raw["batch_size_in_tokens"].astype(float)
        piece["tokens"] = (
            raw["throughput/total_tokens"].astype(float)
            if "throughput/total_tokens" in raw
            else piece["step"] * batch
        )
        piece["C"] = (
            raw["throughput/total_training_Gflops"].astype(float) * 1e9
            if "throughput/total_training_Gflops" in raw
            else np.nan
        )
        piece["flops_per_token"] = float(sizes.loc[size, "flops_per_token"])
        piece["lr"] = (
            raw["optim/learning_rate_group0"].astype(float)
            if "optim/learning_rate_group0" in raw
            else np.nan
        )
        piece["batch_tokens"] = batch
        for name_set in _OLMO_SETS:
            piece[f"loss_{name_set}"] = raw[f"eval/{name_set}-validation/CrossEntropyLoss"]
        pieces.append(piece)
    frame = pd.concat(pieces, ignore_index=True)
    return frame.sort_values(["target", "N", "multiple", "rerun", "run", "tokens"]).reset_index(
        drop=True
    )


def _olmo_sizes(raw: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    return raw.rename(columns={"params": "N"}).astype({"N": float})


_PORIAN_CONFIG_DOC = {
    "dataset": "rw (RefinedWeb) or owt2 (OpenWebText2)",
    "hparams, warmup, decay": "training configuration (base/tuned, long/short, kaplan/chinchilla/const)",
    "param_count": "kaplan (non-embedding), standard (with output layer) or attention (plus attention FLOPs)",
    "loss_split": "train or val",
    "label": "the authors' panel label (Figure 1)",
}

DATASETS: dict[str, Dataset] = {
    "epoch2024": Dataset(
        "epoch2024/svg_extracted_data.csv",
        "Hoffmann et al. (2022) Fig. 4 runs, reconstructed by Besiroglu et al. (2024): 245 final losses",
        {
            "N": "parameters, embeddings included",
            "D": "tokens, C / (6 N)",
            "C": "training FLOPs",
            "loss": "final training loss [nats/token]",
            "in_default_fit": "True except the 5 highest losses (Besiroglu et al.'s filter; 240 rows)",
        },
        _epoch2024,
    ),
    "hoffmann2022_projections": Dataset(
        "hoffmann2022/table3_tableA3_projections.csv",
        "Hoffmann et al. (2022) Table 3 and Table A3: compute-optimal projections of Approaches 1-3",
        {
            "approach": "1, 2 or 3",
            "N": "parameters",
            "D": "tokens",
            "C": "FLOPs, as printed",
            "C_gopher_units": "FLOPs in units of 5.76e23 (Table 3 only)",
            "source": "table, and flagged typos",
        },
        _projections,
    ),
    "hoffmann2022_exponents": Dataset(
        "hoffmann2022/table2_exponents.csv",
        "Hoffmann et al. (2022) Tables 2 and A2: exponents a (N_opt ~ C^a) and b (D_opt ~ C^b)",
        {
            "approach": "method",
            "a, a_p10, a_p90": "point estimate and 10th/90th percentiles",
            "b, b_p10, b_p90": "same for b",
            "note": "source",
        },
        _exponents,
    ),
    "hoffmann2022_models": Dataset(
        "hoffmann2022/tableA9_models.csv",
        "Hoffmann et al. (2022) Table A9: the 50 model shapes",
        {"N": "parameters", "d_model, ffw_size, kv_size": "widths", "n_heads, n_layers": "counts"},
        _models,
    ),
    "porian2024_isoflop": Dataset(
        "porian2024/isoflop_points.csv",
        "Porian et al. (2024) IsoFLOP points: 15 configurations x 12 budgets, 1745 rows",
        {
            **_PORIAN_CONFIG_DOC,
            "C": "FLOP budget under the configuration's accounting",
            "N": "parameters under the configuration's convention",
            "D": "tokens, C / (6 N)",
            "loss": "loss at (N, D) [nats/token]",
        },
        _porian_points,
    ),
    "porian2024_optima": Dataset(
        "porian2024/isoflop_optima.csv",
        "Porian et al. (2024) per-budget optima (Akima interpolation, seed bootstrap)",
        {
            **_PORIAN_CONFIG_DOC,
            "C": "FLOPs",
            "N_opt, D_opt": "optimal parameters and tokens",
            "tokens_per_parameter": "D_opt / N_opt",
            "loss_opt": "loss at the optimum",
            "*_std_log": "bootstrap standard deviations of the logs",
        },
        _porian_optima,
    ),
    "porian2024_fits": Dataset(
        "porian2024/fit_summary.csv",
        "Porian et al. (2024) power-law fits N_opt = n_coef * C^a per configuration",
        {
            **_PORIAN_CONFIG_DOC,
            "a, a_ci95_lo, a_ci95_hi": "exponent and 95% interval",
            "b, t_coef": "tokens fit",
            "ratio_exponent, ratio_coef": "tokens-per-parameter fit",
            "N_opt_at_5.88e23": "extrapolated optimum at Chinchilla's compute",
        },
        _porian_fits,
    ),
    "datablations_c4": Dataset(
        "datablations/c4_final_val_loss.csv",
        "Muennighoff et al. (2023) C4 runs with repeated data: 308 final validation losses, 182 in the default fit",
        {
            "run_name": "the authors' model key",
            "N": "parameters",
            "D": "tokens trained on",
            "U": "unique tokens",
            "epochs": "D / U",
            "loss": "final C4 validation loss [nats/token]",
            "dataset": "c4 or c4_dedup",
            "seed, variant, note": "run details",
            "in_default_fit": "True for the 182 runs of the authors' fit",
        },
        _datablations,
    ),
    "goyal2024_params": Dataset(
        "goyal2024/parameter_values_tidy.csv",
        "Goyal et al. (2024) released fits: utility b and half-life tau per T-MARS pool (ImageNet error)",
        {
            "fit_id": "tmars_imagenet1k_utility (the paper's law) or _data (effective-data baseline)",
            "objective, metric": "fitted law and metric",
            "pool, pool_label": "T-MARS percentile bucket",
            "size": "samples in the pool",
            "a": "the code's shared scale a (inside the power)",
            "b": "utility exponent (< 0)",
            "tau": "repetition half-life [epochs]",
            "d": "irreducible error (NaN where not recorded)",
            "fit_objective_value": "mean SSE over pools",
        },
        _goyal_params,
    ),
    "bimix2024": Dataset(
        "bimix2024/losses.csv",
        "Ge et al. (2024) BiMix runs: per-domain validation loss of 6 mixtures at 20 checkpoints, "
        "The Pile and SlimPajama (long form, 3720 rows)",
        {
            "dataset": "pile or slimpajama",
            "mixture": "Baseline, DoReMi, SE, JE, CE, VNE",
            "step": "training step (512 x 1024 tokens each), 10,000 ... 200,000",
            "domain": "validation domain (avg: the release's average over domains)",
            "loss": "validation loss [nats/token]",
            "proportion": "the mixture's training share of the domain (NaN for avg)",
        },
        _bimix_losses,
    ),
    "bimix2024_mixtures": Dataset(
        "bimix2024/mixtures.csv",
        "Ge et al. (2024) BiMix runs: training proportions of the 6 mixtures (174 rows)",
        {
            "dataset": "pile or slimpajama",
            "mixture": "Baseline, DoReMi, SE, JE, CE, VNE",
            "domain": "training domain",
            "proportion": "training share",
        },
        _as_is,
    ),
    "bimix2024_optimized": Dataset(
        "bimix2024/config_pile_opt.json",
        "Ge et al. (2024): the mixtures BiMix proposes for The Pile and SlimPajama (no losses released)",
        {
            "dataset": "pile or slimpajama",
            "mixture": "BiMix",
            "domain": "training domain (SlimPajama's RedPajama prefix removed)",
            "proportion": "training share",
        },
        _as_is,
        _bimix_optimized,
    ),
    "gadre2024_runs": Dataset(
        "gadre2024/runs.csv",
        "Gadre et al. (2024) over-trained runs: 104 models, 10.6M-6.9B parameters, M = 0.25-32",
        {
            "run": "run name",
            "dataset": "c4_original, rpj (RedPajama) or rw_original (RefinedWeb)",
            "N": "parameters (total, from params)",
            "D": "training tokens",
            "M": "token multiplier: D = 20 M N",
            "tokens_per_parameter": "D / N",
            "C": "6 N D [FLOPs]",
        },
        _gadre_runs,
    ),
    "gadre2024_losses": Dataset(
        "gadre2024/losses.csv",
        "Gadre et al. (2024): validation loss of each run on 8 evaluation sets (832 rows)",
        {
            "run": "run name",
            "eval_set": "evaluation set (c4_val, paloma_*, openlm, de-en)",
            "loss": "validation loss [nats/token]",
            "dataset, N, D, M": "the run's training set, parameters, tokens, multiplier",
        },
        _gadre_joined,
    ),
    "gadre2024_downstream": Dataset(
        "gadre2024/downstream.csv",
        "Gadre et al. (2024): accuracy of each run on 46 downstream tasks (4784 rows)",
        {
            "run": "run name",
            "task": "task name (see gadre2024_tasks)",
            "accuracy": "accuracy (fraction)",
            "dataset, N, D, M": "the run's training set, parameters, tokens, multiplier",
        },
        _gadre_joined,
    ),
    "gadre2024_tasks": Dataset(
        "gadre2024/eval_metadata.csv",
        "Gadre et al. (2024): the downstream tasks, their categories, shots and chance accuracy",
        {
            "task": "task name",
            "category, type": "task category and type",
            "shots, size": "in-context examples and test items",
            "random_baseline": "chance accuracy (fraction)",
        },
        _gadre_tasks,
    ),
    "mixinglaws_5mix": Dataset(
        "mixinglaws/5mix_grouped.csv",
        "Ye et al. (2024) runs on five Pile domain groups: proportions, step and per-group validation loss, 1420 rows",
        {
            "model": "model size label (70M, 160M, 305M, 410M, 1B)",
            "run_id": "run",
            "p_academic, p_prose, p_dialogue, p_symbolic, p_internet": "training proportions (sum 1)",
            "step": "optimizer step (1,048,576 tokens each)",
            "loss_academic, loss_prose, loss_dialogue, loss_symbolic, loss_internet": "validation loss per group "
            "[nats/token], share-weighted mean over the group's Pile subsets",
            "loss_pile_weighted": "overall Pile validation loss [nats/token]",
        },
        _as_is,
    ),
    "mixinglaws_groups": Dataset(
        "mixinglaws/domain_groups.csv",
        "Ye et al. (2024): the five groups of Pile domains their runs mix (22 domains)",
        {
            "group": "academic, prose, dialogue, symbolic or internet",
            "domain": "Pile domain, named as in mixture_baselines",
        },
        _as_is,
    ),
    "mixture_baselines": Dataset(
        "mixture_baselines/mixture_baselines.csv",
        "Published domain proportions: The Pile, SlimPajama, RedPajama, LLaMA-1, DoReMi, RegMix (243 rows)",
        {
            "dataset": "corpus",
            "mixture": "which published mixture",
            "domain": "domain",
            "value": "proportion (or raw size, see basis)",
            "basis": "what the value counts",
            "source": "publication",
        },
        _as_is,
    ),
    "regmix2024": Dataset(
        "regmix2024/train_mixture_1m.csv",
        "Liu et al. (2024) RegMix proxy runs: 512 + 256 mixtures at 1M, the same 256 at 60M, 64 at 1B "
        "(long form, 17 Pile domains per run)",
        {
            "model": "1M, 60M or 1B",
            "N": "nominal parameters",
            "tokens": "tokens trained on (1e9; 25e9 for 1B)",
            "split": "train or test",
            "run": "model/split/index",
            "index": "the run within its published file",
            "domain": "Pile training domain (17)",
            "proportion": "training share, renormalized to sum to 1 per run",
            "loss": "final validation loss on the domain [nats/token]; NaN for the 4 domains not logged",
        },
        _as_is,
        _regmix,
    ),
    "olmo_ladder2024": Dataset(
        "olmo_ladder2024/190M-1xC.csv",
        "Bhagia et al. (2024) OLMo ladder: 5 sizes x 5 token multiples, reruns, and the 7B and 13B "
        "runs, one row per run and checkpoint",
        {
            "run": "file name (190M-1xC, ..., peteish7, peteish13)",
            "size": "190M ... 3B, 7B, 13B",
            "N": "parameters as the ladder's code counts them",
            "multiple": "tokens as a multiple of 20 per parameter (NaN for 7B and 13B)",
            "rerun": "the second run of a 1x point",
            "target": "True for the 7B and 13B runs",
            "step": "optimizer step",
            "tokens": "tokens seen",
            "C": "training FLOPs as logged (NaN where not logged)",
            "flops_per_token": "the code's FLOPs per token",
            "lr": "learning rate at the checkpoint",
            "batch_tokens": "batch size [tokens]",
            "loss_*": "validation loss on 11 sets [nats/token]",
        },
        _as_is,
        _olmo_ladder,
    ),
    "olmo_ladder2024_sizes": Dataset(
        "olmo_ladder2024/sizes.csv",
        "OLMo ladder model sizes: parameters and FLOPs per token as the ladder's code counts them",
        {
            "size": "label",
            "N": "parameters",
            "flops_per_token": "FLOPs per token",
            "source": "where",
        },
        _olmo_sizes,
    ),
}


def available() -> pd.DataFrame:
    """Names, descriptions and files of every dataset :func:`load` knows.

    Returns
    -------
    DataFrame indexed by name, with columns ``description`` and ``file``.
    """
    return pd.DataFrame(
        [(name, d.description, d.path) for name, d in DATASETS.items()],
        columns=["name", "description", "file"],
    ).set_index("name")


def with_columns(*needed: str) -> list[str]:
    """The datasets that have every one of the `needed` columns (a lab's ``dataset`` choices).

    Parameters
    ----------
    *needed : str
        Column names, as listed in ``DATASETS[name].columns``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> with_columns("N", "D", "U", "loss")
    ['datablations_c4']
    """

    def columns(entry) -> set[str]:
        return {part.strip() for item in entry.columns for part in item.split(",")}

    return [name for name, entry in DATASETS.items() if set(needed) <= columns(entry)]


def load(name: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Load a dataset by name as a tidy DataFrame.

    Parameters
    ----------
    name : str
        One of ``lawlib.data.available().index``.
    data_dir : str or Path, optional
        Folder holding the data files; defaults to :data:`DATA_DIR`.

    Returns
    -------
    DataFrame with the columns listed in ``DATASETS[name].columns``.

    Examples
    --------
    >>> runs = load("epoch2024")
    >>> len(runs), int(runs["in_default_fit"].sum())
    (245, 240)
    >>> load("chinchilla")
    Traceback (most recent call last):
    ...
    lawlib.errors.ValidationError: data: unknown dataset 'chinchilla'; available: epoch2024, ...
    """
    path = file(name, data_dir)
    if not path.is_file():
        raise ValidationError(
            [f"dataset {name!r} expects its file at {path}, which does not exist"], "data"
        )
    dataset = DATASETS[name]
    return dataset.tidy(dataset.reader()(path), path.parents[dataset.path.count("/")])


def file(name: str, data_dir: str | Path | None = None) -> Path:
    """Path of the file behind dataset `name`, as published (before :func:`load` tidies it).

    Parameters
    ----------
    name : str
    data_dir : str or Path, optional

    Returns
    -------
    Path

    Examples
    --------
    >>> file("epoch2024").name
    'svg_extracted_data.csv'
    """
    if name not in DATASETS:
        raise ValidationError(
            [f"unknown dataset {name!r}; available: {', '.join(DATASETS)}"], "data"
        )
    return Path(DATA_DIR if data_dir is None else data_dir) / DATASETS[name].path
