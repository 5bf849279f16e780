"""Saving and loading fronts: ``front.save(path)`` / ``Front.load(path)``.

**Format** (version 2). A front file is one zip archive (any file name; ``.front.zip`` reads well)
of data only — JSON and numpy ``.npy`` arrays — so loading one never runs code:

- ``front.json`` — the metadata, UTF-8 JSON::

      {"format": "tradeoff.front", "version": 2, "tradeoff_version": "0.1.0", "n_points": k,
       "arrays": {"F": "F.npy", "X": "X.npy", "G": "G.npy" or null},
       "shapes": {"F.npy": {"shape": [k, m], "dtype": "<f8"}, ...every array member...},
       "objective_names": [...], "param_names": [...], "solver": "...", "options": {...},
       "evaluations": 123, "seconds": 0.5, "success": true, "message": "...", "extra": {...},
       "model": {"name": "logistic", "threshold": 0.5} or null,
       "objectives": [{"name": "log_loss"}, ...] or null,
       "constraints": [{"objective": {...}, "bound": 0.05}, ...] or null,
       "feature_names": [...] or null, "seed": 0 or null,
       "encoder": null or {"class": "tradeoff.tabular:Encoder", "fields": {...}}}

- ``F.npy``, ``X.npy`` and (with constraints) ``G.npy`` — numpy's ``.npy`` format (read with
  ``allow_pickle=False``), so the values come back bit for bit;
- ``arrays/<i>.npy`` — arrays found inside ``options`` or ``extra``.

Loading rebuilds everything from allow-lists, never by importing a name found in the file: the
model by the built-in model names (``BUILTIN_MODELS``) — a torch model (``TorchModel``, whose
network is code) is the one the caller passes, ``load(path, model=TorchModel(module))`` or the bare
module, after its parameter names and shapes, output, dtype, threshold and n_inputs are checked
against the file's description — the objectives from tradeoff's objective
registry (so a user's registered objective must be registered before loading), and the encoder
only if it is ``tradeoff.datasets.Encoder`` (named "tradeoff.tabular:Encoder" in the file), from its columns, levels and names (``ENCODERS``).
Before any array is read, its ``.npy`` header is checked against ``shapes`` and the names in the
JSON (F is k × len(objective_names), X is k × len(param_names), G has k rows) and against the
member's size in the archive, so a file claiming huge sizes is refused before memory is taken.
Any damage (not JSON, a missing or mis-shaped array, an unknown model) is one ValueError naming
the file.

Inside ``options`` and ``extra``, JSON values stay as they are (floats are written with Python's
shortest round-trip repr, NaN and infinities as JSON's ``NaN`` / ``Infinity`` extension), tuples
are written ``{"__tuple__": [...]}``, dicts with non-string keys ``{"__items__": [[key, value],
...]}`` and arrays ``{"__ndarray__": "arrays/<i>.npy"}``; numpy scalars become Python numbers.

**Pickles.** Another encoder cannot be described as data: ``save`` refuses it unless called with
``allow_pickle=True``, which stores it as ``encoder.pkl``; such a file (and a version-1 file with
``encoder.pkl``) loads only with ``Front.load(path, trust=True)``, as unpickling runs code. A
file whose ``version`` is newer than this tradeoff reads is refused with a clear error; version 1
files (no ``shapes``) still load, with the same checks against the names.
"""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np

from ._validation import fail
from .front import Front, front_verb

FORMAT = "tradeoff.front"
VERSION = 2
# the models a front file may name; a user's own model class is not rebuilt from a file
BUILTIN_MODELS = ("linear", "capped_linear", "logistic", "mlp")
ENCODER_CLASS = "tradeoff.tabular:Encoder"
_ENCODER_FIELDS = ("columns", "levels", "feature_names", "target_mapping", "group_names")
# deflate never expands data more than ~1032-fold: a member claiming more is not a real array
_MAX_RATIO = 1100
_MAX_JSON = 1 << 30  # front.json holds names and options; the numbers are in the arrays


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


class _Broken(Exception):
    """Raised inside ``load`` with what is wrong; turned into one ValueError naming the file."""


def _decode(value, arrays):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__ndarray__"}:
            if value["__ndarray__"] not in arrays:
                raise _Broken(f"it names an array {value['__ndarray__']!r} it does not hold")
            return arrays[value["__ndarray__"]]
        if set(value) == {"__tuple__"}:
            return tuple(_decode(v, arrays) for v in value["__tuple__"])
        if set(value) == {"__items__"}:
            return {_decode(k, arrays): _decode(v, arrays) for k, v in value["__items__"]}
        return {k: _decode(v, arrays) for k, v in value.items()}
    return value


def _referenced(value, found: set) -> set:
    """The array members named inside a JSON value."""
    if isinstance(value, list):
        for v in value:
            _referenced(v, found)
    elif isinstance(value, dict):
        if set(value) == {"__ndarray__"}:
            found.add(value["__ndarray__"])
        else:
            for v in value.values():
                _referenced(v, found)
    return found


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.ascontiguousarray(a), allow_pickle=False)
    return buf.getvalue()


def save(front, path, *, allow_pickle: bool = False) -> None:
    """Write ``front`` to ``path`` (replaced atomically if it exists); format in the module doc.

    An encoder other than ``tradeoff.datasets.Encoder`` is a TypeError unless ``allow_pickle``
    (then it is pickled, and loading the file needs ``trust=True``)."""
    from . import __version__

    enc = _Encoder()
    encoder = _describe_encoder(front.encoder, enc, allow_pickle)
    arrays = {"F.npy": np.asarray(front.F), "X.npy": np.asarray(front.X)}
    if front.G is not None:
        arrays["G.npy"] = np.asarray(front.G)
    meta = {
        "format": FORMAT, "version": VERSION, "tradeoff_version": __version__,
        "n_points": int(np.shape(front.F)[0]),
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
        "encoder": encoder,
    }
    arrays.update({n: np.ascontiguousarray(a) for n, a in enc.arrays.items()})
    blobs = {n: _npy(a) for n, a in arrays.items()}
    meta["shapes"] = {n: {"shape": list(a.shape), "dtype": np.ascontiguousarray(a).dtype.str}
                      for n, a in arrays.items()}
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():  # checked first: one sentence, not a raw Errno from the zip writer
        fail("path", "a file in an existing folder", str(path),
             f"{folder} {'is a file' if folder.exists() else 'does not exist'}: create the folder "
             "or choose another path.",
             exc=NotADirectoryError if folder.exists() else FileNotFoundError)
    if not os.access(folder, os.W_OK):
        fail("path", "a file in a folder you can write to", str(path),
             f"{folder} is not writable: choose another folder.", exc=PermissionError)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("front.json", json.dumps(meta, indent=1, ensure_ascii=False))
            for name, blob in blobs.items():
                z.writestr(name, blob)
            if encoder == "encoder.pkl":
                z.writestr("encoder.pkl", pickle.dumps(front.encoder,
                                                       protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except OSError as err:  # a read-only file system, a full disk: say where, leave no temporary
        tmp.unlink(missing_ok=True)
        fail("path", "a file tradeoff can write", str(path),
             f"Writing in {folder} failed ({err.strerror or err}): choose another folder.",
             exc=PermissionError if isinstance(err, PermissionError) else OSError)


def _describe_encoder(encoder, enc: _Encoder, allow_pickle: bool):
    """tradeoff's Encoder as {"class", "fields"} of plain data; another one only pickled."""
    from .datasets.tabular import Encoder

    if encoder is None:
        return None
    if type(encoder) is Encoder:
        return {"class": ENCODER_CLASS,
                "fields": {f: enc.encode(getattr(encoder, f), "front.encoder")
                           for f in _ENCODER_FIELDS}}
    if allow_pickle:
        return "encoder.pkl"
    fail("front.encoder", "a tradeoff.datasets.Encoder to be saved as data", type(encoder).__name__,
         "Save with allow_pickle=True to pickle it (loading then needs trust=True), or save "
         "the front without it (dataclasses.replace(front, encoder=None)).", exc=TypeError)


def _load_encoder(spec, z, arrays, path, trust: bool):
    from .datasets.tabular import Encoder

    if spec is None:
        return None
    if spec == "encoder.pkl":
        if not trust:
            fail("trust", "True to load a front file holding a pickled encoder", False,
                 f"{str(path)!r} stores its encoder as encoder.pkl, and unpickling runs code: "
                 "pass trust=True (Front.load(path, trust=True)) only for a file you trust.")
        try:
            return pickle.loads(z.read("encoder.pkl"))
        except KeyError:
            raise _Broken("it names encoder.pkl but does not hold it") from None
    if not isinstance(spec, dict) or spec.get("class") != ENCODER_CLASS:
        cls = spec.get("class") if isinstance(spec, dict) else spec
        raise _Broken(f"its encoder is {cls!r}, and only {ENCODER_CLASS!r} is rebuilt from a file")
    fields = _decode(spec.get("fields"), arrays)
    if not isinstance(fields, dict) or not set(fields) <= set(_ENCODER_FIELDS):
        raise _Broken(f"its encoder's fields are not among {', '.join(_ENCODER_FIELDS)}")
    try:
        return Encoder(**fields)
    except (TypeError, ValueError, AttributeError) as err:
        raise _Broken(f"its encoder's fields do not make an Encoder ({err})") from None


def _read_npy(z: zipfile.ZipFile, name: str, declared, expect: tuple) -> np.ndarray:
    """The array in member ``name``, after checking its header against the declared shape and
    dtype, the expected shape (None: any size) and the member's size, before allocating it."""
    try:
        info = z.getinfo(name)
    except KeyError:
        raise _Broken(f"it has no array {name}") from None
    try:
        with z.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise _Broken(f"its array {name} has .npy version {version}, not 1.0 or 2.0")
            header = f.tell()
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise _Broken(f"its array {name} is not a readable .npy array ({err})") from None
    if dtype.hasobject or dtype.kind not in "biufc":
        raise _Broken(f"its array {name} holds {dtype}, not numbers")
    if declared is not None and (list(shape) != declared.get("shape")
                                 or dtype.str != declared.get("dtype")):
        raise _Broken(f"its array {name} is {shape} {dtype.str}, not the "
                      f"{declared.get('shape')} {declared.get('dtype')} front.json says")
    if len(shape) != len(expect) or any(e is not None and s != e for s, e in zip(shape, expect)):
        want = "(" + ", ".join("any" if e is None else str(e) for e in expect) + ")"
        raise _Broken(f"its array {name} has shape {shape}, not {want} as front.json's names say")
    nbytes = math.prod(shape) * dtype.itemsize
    if info.file_size != header + nbytes or (
            info.file_size > _MAX_RATIO * info.compress_size + 65536):
        raise _Broken(f"its array {name} claims {nbytes} bytes, which its member "
                      f"({info.file_size} bytes, {info.compress_size} compressed) does not hold")
    try:
        with z.open(info) as f:
            return np.lib.format.read_array(f, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, MemoryError) as err:
        raise _Broken(f"its array {name} could not be read ({type(err).__name__}: {err})") from None


def _shapes_text(params) -> str:
    return ", ".join(f"{p['name']} {tuple(p['shape'])}" for p in params)


def _torch_model(desc: dict, given, d: int, path):
    """The user's module (or TorchModel) for a front saved with a torch model, checked against
    the file's description: parameter names and shapes, output, dtype and threshold."""
    from .models.torch import TorchModel, is_module

    module = desc.get("module")
    if given is None:
        fail("model", "given to load this front file", None,
             f"{str(path)!r} was saved with a torch model ({module}), whose network a file does "
             "not hold (that would be code); pass model=TorchModel(your_module) to load it.")
    saved = desc.get("parameters")
    if not isinstance(saved, list) or not all(
            isinstance(p, dict) and isinstance(p.get("name"), str)
            and isinstance(p.get("shape"), list) for p in saved):
        raise _Broken("its torch model does not list its parameters' names and shapes")
    settings = {"output": desc.get("output"), "dtype": desc.get("dtype"),
                "threshold": desc.get("threshold", 0.5)}
    if is_module(given):  # a bare module: the saved settings, on the CPU
        try:
            given = TorchModel(given, **settings, seed=desc.get("seed", 0),
                               threads=desc.get("threads", 1))
        except (TypeError, ValueError) as err:
            raise _Broken(f"its torch model's settings {settings} do not make a TorchModel "
                          f"({err})") from None
    mine = given.describe()
    ours = [{"name": p["name"], "shape": p["shape"]} for p in mine["parameters"]]
    if ours != saved or mine["n_params"] != d:
        fail("model", f"the network the front was trained with ({module}: {_shapes_text(saved)}; "
             f"{d} parameters)", f"{mine['module']}: {_shapes_text(ours)}; {mine['n_params']} "
             "parameters", f"Build the module of {str(path)!r} as it was when the front was saved.")
    n_inputs = desc.get("n_inputs")
    if n_inputs is not None and not (isinstance(n_inputs, int) and n_inputs > 0):
        raise _Broken(f"its torch model's n_inputs is {n_inputs!r}, not a positive integer")
    if n_inputs is not None and mine.get("n_inputs") is not None:
        settings["n_inputs"] = n_inputs
    for key, value in settings.items():
        if mine.get(key, 0.5) != value:
            fail("model", f"a TorchModel with {key}={value!r}, as the front was trained",
                 f"{key}={mine.get(key, 0.5)!r}", f"Pass TorchModel(your_module, {key}={value!r}).")
    return given if n_inputs is None else given.fit_inputs(np.empty((0, n_inputs)))


def _rebuild(meta, path, given=None):
    from .models import get_model
    from .objectives import Constraint, get_objective

    model = objectives = constraints = None
    name = None if meta["model"] is None else dict(meta["model"]).get("name")
    if given is not None and name != "torch":
        fail("model", "left out for a front file whose model is not a torch model",
             type(given).__name__, f"{str(path)!r} rebuilds its model {name!r} itself.")
    if name == "torch":  # TorchModel.describe(): the network itself is code, so the user's
        model = _torch_model(dict(meta["model"]), given, len(meta["param_names"]), path)
    elif meta["model"] is not None:
        desc = dict(meta["model"])
        name = desc.pop("name", None)
        if name not in BUILTIN_MODELS:
            raise _Broken(f"its model is {name!r}, not one of the built-in models "
                          f"({', '.join(BUILTIN_MODELS)}) a file may name")
        try:
            model = get_model(name, **desc)
        except (TypeError, ValueError) as err:
            raise _Broken(f"its model {desc} cannot be rebuilt ({err})") from None
    try:
        if meta["objectives"] is not None:
            objectives = tuple(get_objective(dict(d)) for d in meta["objectives"])
        if meta["constraints"] is not None:
            constraints = tuple(Constraint(get_objective(dict(c["objective"])), float(c["bound"]))
                                for c in meta["constraints"])
    except ValueError as err:
        fail("front file", "made of models and objectives this session knows", str(path),
             f"Import or register them before loading ({err}).")
    return model, objectives, constraints


def load(path, *, trust: bool = False, model=None):
    """Read a front written by ``save``; ``trust=True`` is needed to unpickle an encoder, and
    ``model`` (a ``TorchModel`` or a torch module, checked against the file) for a torch front."""

    from .models.torch import TorchModel, is_module  # neither imports torch

    if model is not None and not (isinstance(model, TorchModel) or is_module(model)):
        fail("model", "a TorchModel or a torch.nn.Module (for a front saved with a torch model)",
             type(model).__name__, "Pass model=TorchModel(your_module).", exc=TypeError)
    p = Path(path)
    if not p.is_file():
        fail("path", "an existing front file", str(path), exc=FileNotFoundError)
    try:
        z = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError):
        fail("path", "a front file written by Front.save (a zip archive)", str(path))
    try:
        with z:
            return _load(z, p, Front, trust, model)
    except _Broken as why:
        fail("path", "a front file written by Front.save", str(path),
             f"It is damaged: {why}. Save the front again.")
    except (KeyError, TypeError, AttributeError, IndexError, RecursionError) as err:
        fail("path", "a front file written by Front.save", str(path),
             f"Its front.json is damaged ({type(err).__name__}: {err}). Save the front again.")


def _load(z: zipfile.ZipFile, path: Path, Front, trust: bool, given=None):
    names = set(z.namelist())
    if "front.json" not in names:
        fail("path", "a front file written by Front.save (with front.json inside)", str(path))
    info = z.getinfo("front.json")
    if info.file_size > _MAX_RATIO * info.compress_size + 65536 or info.file_size > _MAX_JSON:
        raise _Broken(f"its front.json claims {info.file_size} bytes, more than a front's metadata")
    try:
        meta = json.loads(z.read("front.json").decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as err:
        raise _Broken(f"its front.json is not JSON ({err})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        fail("path", f"a front file of format {FORMAT!r}", str(path))
    version = meta.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        fail("version", "a positive integer", version)
    if version > VERSION:
        fail("version", f"at most {VERSION}, the newest front format this tradeoff reads",
             version, f"{str(path)!r} was written by tradeoff {meta.get('tradeoff_version')}; "
             "upgrade tradeoff to load it.")
    m, d = len(meta["objective_names"]), len(meta["param_names"])
    shapes = meta.get("shapes") if version >= 2 else None
    if version >= 2:
        k = meta["n_points"]
        if isinstance(k, bool) or not isinstance(k, int) or k < 0 or not isinstance(shapes, dict):
            raise _Broken("its front.json has no valid n_points and shapes")
    else:
        k = None  # version 1: the rows are checked against one another below

    def declared(name):
        if shapes is None:
            return None
        if not isinstance(shapes.get(name), dict):
            raise _Broken(f"its front.json does not give the shape of {name}")
        return shapes[name]

    spec = meta["arrays"]
    F = _read_npy(z, spec["F"], declared(spec["F"]), (k, m))
    k = F.shape[0]
    X = _read_npy(z, spec["X"], declared(spec["X"]), (k, d))
    G = None if spec["G"] is None else _read_npy(z, spec["G"], declared(spec["G"]), (k, None))
    inner = set()
    for key in ("options", "extra", "seed", "encoder"):
        _referenced(meta[key], inner)
    arrays = {}
    for name in sorted(inner):
        if not isinstance(name, str) or not name.startswith("arrays/"):
            raise _Broken(f"it names an array {name!r} outside arrays/")
        if shapes is not None:
            shape = declared(name).get("shape")
            expect = tuple(shape) if isinstance(shape, list) else ()
        else:
            expect = None
        if expect is None:  # version 1: any shape, still checked against the member's size
            arrays[name] = _read_any(z, name)
        else:
            arrays[name] = _read_npy(z, name, declared(name), expect)
    encoder = _load_encoder(meta["encoder"], z, arrays, path, trust)
    model, objectives, constraints = _rebuild(meta, path, given)
    try:
        return Front(F, X, tuple(meta["objective_names"]), tuple(meta["param_names"]),
                     meta["solver"], _decode(meta["options"], arrays), meta["evaluations"],
                     meta["seconds"], meta["success"], meta["message"], G,
                     _decode(meta["extra"], arrays), model=model, objectives=objectives,
                     constraints=constraints, encoder=encoder,
                     feature_names=None if meta["feature_names"] is None
                     else tuple(meta["feature_names"]), seed=_decode(meta["seed"], arrays))
    except ValueError as err:  # e.g. a metadata field of the wrong kind
        raise _Broken(f"its metadata does not make a front ({err})") from None


def _read_any(z: zipfile.ZipFile, name: str) -> np.ndarray:
    """A version-1 inner array: its own header gives the shape, checked against its size."""
    try:
        with z.open(name) as f:
            version = np.lib.format.read_magic(f)
            reader = {(1, 0): np.lib.format.read_array_header_1_0,
                      (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if reader is None:
                raise _Broken(f"its array {name} has .npy version {version}")
            shape = reader(f)[0]
    except KeyError:
        raise _Broken(f"it has no array {name}") from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise _Broken(f"its array {name} is not a readable .npy array ({err})") from None
    return _read_npy(z, name, None, tuple(shape))


front_verb("save")(save)
front_verb("load")(load)
