"""Models: the protocol (``base``), the built-in affine models (``linear``), the MLP (``mlp``),
any PyTorch network (``torch``: ``TorchModel``, loaded on first use so that importing tradeoff never
imports torch), and the registry of names a config can use. The registry sits here, above its
members; no member imports it.

The model protocol (``Model``) is what ``Problem`` calls; see docs/models.md:

- ``n_params(p)``: d, the length of one parameter vector θ for p features;
- ``forward(Θ, X) -> (P, aux)``: predictions P (n, K) for all K candidates at once;
- ``pullback(Θ, X, dP, aux) -> (K, d)``: ∂f/∂Θ from ∂f/∂P (n, K);
- optional: ``init(K, p, rng)``, ``param_names(features)``, ``jvp``, ``penalized(p)``, and the
  ``affine`` capability (P = link(X̃θ)) that lets ``Problem`` use Gram statistics and Hessians.
"""

from __future__ import annotations

from .._validation import check_choice, check_params, fail
from .base import (PROB_CLIP, ROW_BLOCK, AffineModel, Model, Standardizer, Unscaled,
                   affine_pullback, check_model, n_features, predictions, row_block,
                   uses_affine_path)
from .linear import CappedLinearModel, LinearModel, LogisticModel
from .mlp import MLP

MODELS = {"linear": LinearModel, "capped_linear": CappedLinearModel, "logistic": LogisticModel,
          "mlp": MLP}


def get_model(name: str | Model, **params) -> Model:
    """The model called ``name`` (linear, capped_linear, logistic, mlp) with its parameters."""
    if isinstance(name, Model):
        return name
    from .torch import is_module  # does not import torch

    if is_module(name):  # a bare torch.nn.Module
        fail("model", "a model name or a tradeoff.models.Model", type(name).__name__,
             "Wrap a torch module as tradeoff.models.torch.TorchModel(module).", exc=TypeError)
    check_choice("model", name, MODELS)
    check_params(MODELS[name], params, f"model {name!r}")
    return MODELS[name](**params)


def __getattr__(name: str):
    """``TorchModel`` and the ``torch`` submodule, imported on first use (torch is optional)."""
    if name in ("TorchModel", "torch"):
        import importlib

        module = importlib.import_module(f"{__name__}.torch")
        return module if name == "torch" else module.TorchModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["MODELS", "MLP", "PROB_CLIP", "ROW_BLOCK", "AffineModel", "CappedLinearModel",
           "LinearModel", "LogisticModel", "Model", "Standardizer", "Unscaled", "affine_pullback",
           "check_model", "get_model", "n_features", "predictions", "row_block", "uses_affine_path"]
