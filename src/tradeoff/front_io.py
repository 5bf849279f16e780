"""Saving and loading fronts: ``front.save(path)`` / ``Front.load(path)``.

**Format** (version 1). A front file is one zip archive (any file name; ``.front.zip`` reads well)
holding:

- ``front.json`` — the metadata, UTF-8 JSON::

      {"format": "tradeoff.front", "version": 1, "tradeoff_version": "0.1.0",
       "arrays": {"F": "F.npy", "X": "X.npy", "G": "G.npy" or null},
       "objective_names": [...], "param_names": [...], "solver": "...", "options": {...},
       "evaluations": 123, "seconds": 0.5, "success": true, "message": "...", "extra": {...},
       "model": {"name": "logistic", "threshold": 0.5} or null,
       "objectives": [{"name": "log_loss"}, ...] or null,
       "constraints": [{"objective": {...}, "bound": 0.05}, ...] or null,
       "feature_names": [...] or null, "seed": 0 or null,
       "encoder": null, {"class": "tradeoff.tabular:Encoder", "fields": {...}} or "encoder.pkl"}

- ``F.npy``, ``X.npy`` and (with constraints) ``G.npy`` — numpy's ``.npy`` format, so the values
  come back bit for bit;
- ``arrays/<i>.npy`` — arrays found inside ``options`` or ``extra``;
- ``encoder.pkl`` — the training data's encoder, pickled, only when it cannot be described: an
  encoder that is a dataclass of plain data (``tradeoff.datasets.Encoder`` is) is stored in
  ``front.json`` as its class and fields, and rebuilt as ``cls(**fields)``.

The model and the objectives are stored as their ``describe()`` dicts and rebuilt with
``get_model`` / ``get_objective``, so a user's registered objective must be registered (imported)
before loading. Inside ``options`` and ``extra``, JSON values stay as they are (floats are
written with Python's shortest round-trip repr, NaN and infinities as JSON's ``NaN`` /
``Infinity`` extension), tuples are written ``{"__tuple__": [...]}``, dicts with non-string keys
``{"__items__": [[key, value], ...]}`` and arrays ``{"__ndarray__": "arrays/<i>.npy"}``; numpy
scalars become Python numbers.

Loading imports the encoder's class or unpickles ``encoder.pkl``: load only files you trust, as
with any pickle. A file whose
``version`` is newer than this tradeoff reads is refused with a clear error.
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np

from ._validation import fail

FORMAT = "tradeoff.front"
VERSION = 1


class _Encoder:
    """Plain data ↔ JSON with arrays set aside as .npy members."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, value, where: str):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            name = f"arrays/{len(self.arrays)}.npy"
            self.arrays[name] = value
            return {"__ndarray__": name}
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict) or hasattr(value, "items"):
            items = list(value.items())
            if all(isinstance(k, str) for k, _ in items):
                return {k: self.encode(v, f"{where}[{k!r}]") for k, v in items}
            return {"__items__": [[self.encode(k, where), self.encode(v, f"{where}[{k!r}]")]
                                  for k, v in items]}
        fail(where, "plain data (numbers, strings, lists, dicts, tuples, numpy arrays) to be saved",
             type(value).__name__, "Store it as plain data, or pickle the front instead.",
             exc=TypeError)


def _decode(value, arrays):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__ndarray__"}:
            return arrays[value["__ndarray__"]]
        if set(value) == {"__tuple__"}:
            return tuple(_decode(v, arrays) for v in value["__tuple__"])
        if set(value) == {"__items__"}:
            return {_decode(k, arrays): _decode(v, arrays) for k, v in value["__items__"]}
        return {k: _decode(v, arrays) for k, v in value.items()}
    return value


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def save(front, path) -> None:
    """Write ``front`` to ``path`` (replaced atomically if it exists); format in the module doc."""
    from . import __version__

    enc = _Encoder()
    meta = {
        "format": FORMAT, "version": VERSION, "tradeoff_version": __version__,
        "arrays": {"F": "F.npy", "X": "X.npy", "G": None if front.G is None else "G.npy"},
        "objective_names": list(front.objective_names), "param_names": list(front.param_names),
        "solver": str(front.solver), "options": enc.encode(dict(front.options), "front.options"),
        "evaluations": int(front.evaluations), "seconds": float(front.seconds),
        "success": bool(front.success), "message": str(front.message),
        "extra": enc.encode(dict(front.extra), "front.extra"),
        "model": None if front.model is None else enc.encode(front.model.describe(), "front.model"),
        "objectives": None if front.objectives is None else
        [enc.encode(o.describe(), "front.objectives") for o in front.objectives],
        "constraints": None if front.constraints is None else
        [{"objective": enc.encode(c.objective.describe(), "front.constraints"),
          "bound": float(c.bound)} for c in front.constraints],
        "feature_names": None if front.feature_names is None else list(front.feature_names),
        "seed": enc.encode(front.seed, "front.seed"),
        "encoder": _describe_encoder(front.encoder, enc),
    }
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("front.json", json.dumps(meta, indent=1, ensure_ascii=False))
        z.writestr("F.npy", _npy(front.F))
        z.writestr("X.npy", _npy(front.X))
        if front.G is not None:
            z.writestr("G.npy", _npy(front.G))
        for name, a in enc.arrays.items():
            z.writestr(name, _npy(a))
        if meta["encoder"] == "encoder.pkl":
            z.writestr("encoder.pkl", pickle.dumps(front.encoder, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)


def _describe_encoder(encoder, enc: _Encoder):
    """An encoder as {"class", "fields"} when it is a dataclass of plain data, else "encoder.pkl"."""
    if encoder is None:
        return None
    if dataclasses.is_dataclass(encoder) and not isinstance(encoder, type):
        trial = _Encoder()
        try:
            fields = {f.name: trial.encode(getattr(encoder, f.name), "front.encoder")
                      for f in dataclasses.fields(encoder) if f.init}
        except TypeError:
            return "encoder.pkl"
        n = len(enc.arrays)  # renumber the trial's arrays after the ones already set aside
        rename = {old: f"arrays/{n + i}.npy" for i, old in enumerate(trial.arrays)}
        for old, new in rename.items():
            enc.arrays[new] = trial.arrays[old]
        fields = json.loads(json.dumps(fields), object_hook=lambda d: {
            "__ndarray__": rename[d["__ndarray__"]]} if set(d) == {"__ndarray__"} else d)
        cls = type(encoder)
        return {"class": f"{cls.__module__}:{cls.__qualname__}", "fields": fields}
    return "encoder.pkl"


def _load_encoder(spec, z, arrays, path):
    if spec is None:
        return None
    if spec == "encoder.pkl":
        return pickle.loads(z.read("encoder.pkl"))
    module, _, qualname = spec["class"].partition(":")
    try:
        obj = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        fail("encoder class", "importable", spec["class"],
             f"Install or import the package that defines it before loading {str(path)!r}.")
    return obj(**_decode(spec["fields"], arrays))


def _read_npy(z: zipfile.ZipFile, name: str) -> np.ndarray:
    return np.lib.format.read_array(io.BytesIO(z.read(name)), allow_pickle=False)


def _rebuild(meta, path):
    from .models import get_model
    from .objectives import Constraint, get_objective

    model = objectives = constraints = None
    try:
        if meta["model"] is not None:
            desc = dict(meta["model"])
            model = get_model(desc.pop("name"), **desc)
        if meta["objectives"] is not None:
            objectives = tuple(get_objective(dict(d)) for d in meta["objectives"])
        if meta["constraints"] is not None:
            constraints = tuple(Constraint(get_objective(dict(c["objective"])), float(c["bound"]))
                                for c in meta["constraints"])
    except ValueError as err:
        fail("front file", "made of models and objectives this session knows", str(path),
             f"Import or register them before loading ({err}).")
    return model, objectives, constraints


def load(path):
    """Read a front written by ``save``."""
    from .front import Front

    p = Path(path)
    if not p.is_file():
        fail("path", "an existing front file", str(path), exc=FileNotFoundError)
    try:
        z = zipfile.ZipFile(p)
    except zipfile.BadZipFile:
        fail("path", "a front file written by Front.save (a zip archive)", str(path))
    with z:
        names = set(z.namelist())
        if "front.json" not in names:
            fail("path", "a front file written by Front.save (with front.json inside)", str(path))
        meta = json.loads(z.read("front.json").decode("utf-8"))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            fail("path", f"a front file of format {FORMAT!r}", str(path))
        version = meta.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            fail("version", "a positive integer", version)
        if version > VERSION:
            fail("version", f"at most {VERSION}, the newest front format this tradeoff reads",
                 version, f"{str(path)!r} was written by tradeoff {meta.get('tradeoff_version')}; "
                 "upgrade tradeoff to load it.")
        arrays = {n: _read_npy(z, n) for n in names if n.startswith("arrays/")}
        F, X = _read_npy(z, meta["arrays"]["F"]), _read_npy(z, meta["arrays"]["X"])
        G = None if meta["arrays"]["G"] is None else _read_npy(z, meta["arrays"]["G"])
        encoder = _load_encoder(meta["encoder"], z, arrays, path)
    model, objectives, constraints = _rebuild(meta, path)
    return Front(F, X, tuple(meta["objective_names"]), tuple(meta["param_names"]), meta["solver"],
                 _decode(meta["options"], arrays), meta["evaluations"], meta["seconds"],
                 meta["success"], meta["message"], G, _decode(meta["extra"], arrays),
                 model=model, objectives=objectives, constraints=constraints, encoder=encoder,
                 feature_names=None if meta["feature_names"] is None else tuple(meta["feature_names"]),
                 seed=_decode(meta["seed"], arrays))
