"""Counting conventions: parameters and FLOPs per token of a decoder-only transformer, and bits per byte.

A fitted scaling law is a law in *counted* quantities. Whether the
embeddings are parameters, whether the output head shares the input
embedding, whether attention over the context costs compute, and whether a
loss is in nats per token or bits per byte, all change the numbers a law is
fitted on, and so its exponents and its ratio. The functions here count both
styles of model the book meets: GPT-2's (learned positions, biases,
LayerNorm, a 4x MLP, tied embeddings) and the style of current models
(a gated MLP, no biases, RMSNorm, optionally normalized queries and keys, an
untied output head), e.g. the OLMo ladder's. Derived in the chapter *How
fits go wrong*.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import ValidationError
from .validation import check_options, positive_argument

#: Model styles :func:`count_parameters` knows.
STYLES = ("gpt2", "gated")

#: Ways :func:`flops_per_token` counts training compute per token.
METHODS = ("6N", "kaplan", "matmul", "olmo")


def _checked(where, style, d_model, n_layers, vocab_size, context, ffn_hidden):
    if style not in STYLES:
        raise ValidationError([f"style must be one of {', '.join(STYLES)}; got {style!r}"], where)
    check_options(
        where,
        d_model=d_model,
        n_layers=n_layers,
        vocab_size=vocab_size,
        context=context,
        ffn_hidden=ffn_hidden,
    )
    return 4 * d_model if ffn_hidden is None else ffn_hidden


def count_parameters(
    d_model: int,
    n_layers: int,
    vocab_size: int,
    context: int | None = None,
    *,
    style: str = "gpt2",
    ffn_hidden: int | None = None,
    tied: bool | None = None,
    qk_norm: bool = False,
    embeddings: bool = True,
) -> int:
    """Parameters of a decoder-only transformer, under a stated counting convention.

    Per layer, with width ``d`` and MLP hidden size ``h``:

    - ``style="gpt2"``: attention ``4 d^2 + 4 d`` (query, key, value and output
      projections with biases), two LayerNorms ``4 d``, MLP ``2 d h + h + d``;
      with ``h = 4 d`` that is ``12 d^2 + 13 d``. Learned positions
      (``context * d``), a final LayerNorm (``2 d``), tied embeddings by default.
    - ``style="gated"``: attention ``4 d^2`` (no biases), a gated MLP ``3 d h``,
      two RMSNorms ``2 d`` (plus ``2 d`` when queries and keys are normalized),
      rotary positions (no parameters), a final RMSNorm (``d``), an untied
      output head by default.

    The token embedding is ``vocab_size * d``; an untied output head adds
    another ``vocab_size * d``, which is counted with or without embeddings
    (it is a matrix multiply, not a lookup).

    Parameters
    ----------
    d_model : int
        Width ``d``.
    n_layers : int
        Transformer blocks.
    vocab_size : int
        Rows of the embedding (the padded size where the model pads it) [tokens].
    context : int, optional
        Sequence length [tokens]; needed for GPT-2's learned positions when
        embeddings are counted.
    style : {"gpt2", "gated"}
    ffn_hidden : int, optional
        MLP hidden size ``h`` (of each gate in the gated style); default ``4 d``.
    tied : bool, optional
        Whether the output head is the input embedding (default: True for
        "gpt2", False for "gated").
    qk_norm : bool
        Gated style: an RMSNorm on queries and on keys in every layer (OLMo 2).
    embeddings : bool
        Count the token embedding and the learned positions (False: Kaplan's
        non-embedding count, and the OLMo ladder's).

    Returns
    -------
    int
        Parameters.

    Raises
    ------
    ValidationError
        A size that is not a whole number >= 1, an unknown style, or GPT-2's
        positions without a context.

    References
    ----------
    Derived in the chapter *How fits go wrong*. Radford et al. (2019) for GPT-2;
    the OLMo ladder's counts are in its ``ladder.py`` (commit 67a3f44).

    Examples
    --------
    >>> count_parameters(d_model=768, n_layers=12, vocab_size=50257, context=1024)
    124439808
    >>> count_parameters(768, 12, 100352, style="gated", qk_norm=True, embeddings=False)
    190354176
    """
    where = "count_parameters"
    h = _checked(where, style, d_model, n_layers, vocab_size, context, ffn_hidden)
    d = d_model
    gpt2 = style == "gpt2"
    tied = gpt2 if tied is None else bool(tied)
    if gpt2:
        block = (4 * d * d + 4 * d) + 4 * d + (2 * d * h + h + d)
        final_norm = 2 * d
    else:
        block = 4 * d * d + 3 * d * h + 2 * d + (2 * d if qk_norm else 0)
        final_norm = d
    total = n_layers * block + final_norm
    if not tied:
        total += vocab_size * d
    if embeddings:
        total += vocab_size * d
        if gpt2:
            if context is None:
                raise ValidationError(
                    ["GPT-2's learned positions need the context length (context=...)"], where
                )
            total += context * d
    return int(total)


def flops_per_token(
    d_model: int,
    n_layers: int,
    vocab_size: int,
    context: int,
    *,
    method: str = "matmul",
    style: str = "gpt2",
    ffn_hidden: int | None = None,
    tied: bool | None = None,
    qk_norm: bool = False,
) -> float:
    """Training FLOPs per token (forward and backward) of a decoder-only transformer.

    With ``N`` the parameters without embeddings (:func:`count_parameters`,
    ``embeddings=False``; an untied output head included), ``N_all`` with them,
    ``n_L`` layers, width ``d`` and context ``T``:

    - ``"6N"``: ``6 N``, the rule behind ``C = 6 N D``.
    - ``"kaplan"``: ``6 N + 6 n_L T d``, Kaplan et al.'s Table 1 (forward
      ``2 N + 2 n_L T d``, the backward pass twice the forward).
    - ``"matmul"``: ``6 N + 12 n_L T d``: every weight is one multiply-add per
      token in the forward pass, the attention scores ``Q K^T`` and their use
      on ``V`` are ``2 T d`` multiply-adds per layer (no causal saving), and
      the backward pass costs twice the forward. The output head counts when
      tied too (it is the same matrix, used as a multiply).
    - ``"olmo"``: ``2 N + 4 N_all + 12 n_L T d``, the OLMo code's count: the
      forward pass skips the embedding (a lookup), the backward pass counts it.
      It reproduces the ladder's logged FLOPs per token exactly.

    Parameters
    ----------
    d_model, n_layers, vocab_size : int
        As for :func:`count_parameters`.
    context : int
        Sequence length ``T`` [tokens].
    method : {"6N", "kaplan", "matmul", "olmo"}
    style, ffn_hidden, tied, qk_norm
        As for :func:`count_parameters`.

    Returns
    -------
    float
        FLOPs per training token.

    Raises
    ------
    ValidationError
        As :func:`count_parameters`, or an unknown method.

    References
    ----------
    Derived in the chapter *How fits go wrong*. Kaplan et al. (2020), Table 1;
    Chowdhery et al. (2022), App. B; the OLMo ladder's ``MODEL_GFLOPS``
    (``ladder.py``, commit 67a3f44).

    Examples
    --------
    >>> flops_per_token(768, 12, 100352, 4096, method="olmo", style="gated", qk_norm=True)
    1903391232.0
    """
    where = "flops_per_token"
    if method not in METHODS:
        raise ValidationError(
            [f"method must be one of {', '.join(METHODS)}; got {method!r}"], where
        )
    if context is None:
        raise ValidationError(["needs the context length (context=...)"], where)

    def count(embeddings: bool) -> int:
        return count_parameters(
            d_model,
            n_layers,
            vocab_size,
            context,
            style=style,
            ffn_hidden=ffn_hidden,
            tied=tied,
            qk_norm=qk_norm,
            embeddings=embeddings,
        )

    n = count(False)
    if method == "6N":
        return float(6 * n)
    if method == "kaplan":
        return float(6 * n + 6 * n_layers * context * d_model)
    attention = 12 * n_layers * context * d_model
    if method == "matmul":
        head = vocab_size * d_model if (tied if tied is not None else style == "gpt2") else 0
        return float(6 * (n + head) + attention)
    return float(2 * n + 4 * count(True) + attention)


def bits_per_byte(nats_per_token, bytes_per_token):
    """A loss in nats per token as bits per byte: ``nats / (ln 2 * bytes per token)``.

    Bits per byte do not depend on the tokenizer, so they compare models with
    different vocabularies; nats per token do not.

    Parameters
    ----------
    nats_per_token : float or array_like
        Cross-entropy [nats/token].
    bytes_per_token : float or array_like
        Average UTF-8 bytes per token of the evaluation text [bytes/token].

    Returns
    -------
    float or ndarray
        Cross-entropy [bits/byte], the broadcast shape of the inputs.

    Raises
    ------
    ValidationError
        A loss or a byte count that is not finite and positive.

    References
    ----------
    Derived in the chapter *How fits go wrong*.

    Examples
    --------
    >>> round(bits_per_byte(2.0, 4.0), 6)
    0.721348
    """
    nats = positive_argument("nats_per_token", nats_per_token, "nats/token")
    size = positive_argument("bytes_per_token", bytes_per_token, "bytes/token")
    value = nats / (math.log(2) * size)
    return float(value) if np.ndim(value) == 0 else value
