"""Experiment configs: a TOML file, validated with errors that name the path, expanded into runs.

    [experiment]
    name = "cap_tradeoff"        # results go to results/<name>/
    seeds = [0, 1, 2, 3, 4]      # every solver setting runs once per seed
    kind = "sweep"               # or "seed_blog": the post reproduced, see [seed_blog]
    imports = ["my_objectives"]  # optional: modules that register objectives, datasets, solvers
                                 # (a module beside the config file is found there first)

    [[problems]]                 # the schema of tradeoff.Problem.from_dict, plus a unique name
    name = "cap"
    data = { name = "blog", n = 200, seed = 0 }
    objectives = ["mse", { name = "cap_violation", cap = 120 }]
    split = { test = 0.3, validation = 0.2, seed = 0 }   # optional: solve on the train part,
                                 # score on train, validation and test (docs/heldout.md);
                                 # `seeds = [0, 1, 2]` instead of `seed`: one problem per split
                                 # seed, named cap-s0, cap-s1, cap-s2, pooled in the report
    grid = { max_seconds = [10, 60, 300] }   # optional: this problem's values of options the
                                 # solvers sweep (replacing theirs here; e.g. longer budgets for
                                 # a larger model), not part of the runs' identity
    hv_reference = [2500.0, 40.0]   # optional: the HV reference point of this problem's scores,
                                 # in the objectives' units (docs/sweeps.md); scoring only

    [[solvers]]
    name = "nsga2"               # a registered solver (`tradeoff list`)
    label = "NSGA-II"            # optional, unique; defaults to the name
    options = { pop_size = 40 }
    grid = { pop_size = [20, 40] }   # optional: options swept for this solver only
    problems = ["cap"]           # optional: the problems it runs on (default: all)

    [grid]                       # options swept for every solver (cartesian product)
    max_evaluations = [500, 2000]

    [exact]                      # options of the exact reference front, computed once per problem
    n_points = 200

Runs = problems × (one exact front + solvers × grid × seeds); a problem that is not convex
(``Problem.is_convex``) has no exact run, as the exact solver cannot trace its front. Each run's solver seed is a hash of
its normalised problem (defaults written out), solver and config seed (``run_seed``), never of its
position in the sweep or of how the config spells the problem.

A run's identity (``run_id``) includes the content of its data: for ``data = { csv = PATH, ... }``
the sha256 of the file's bytes, so a changed file runs again instead of reusing stale results
(a built-in dataset is a pure function of its name and parameters, which the spec already holds).
A relative ``csv`` path is read from the config file's folder, wherever the sweep is started.
A built-in loader that reads a user's file (``compas`` from ``TRADEOFF_COMPAS_CSV``) has that
file's sha256 in the identity too.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .._validation import MissingFileError, check_bool, closest, fail

KINDS = ("sweep", "seed_blog")
TOP_KEYS = {"sweep": ("experiment", "problems", "solvers", "grid", "exact"),
            "seed_blog": ("experiment", "seed_blog")}
EXPERIMENT_KEYS = ("name", "description", "seeds", "kind", "imports")
SOLVER_KEYS = ("name", "label", "options", "grid", "problems")
SEED_BLOG_KEYS = ("n", "seed", "epochs")
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


# -- small checks, each naming the path ----------------------------------------------------------
def _at(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _table(value, path: str, valid, *, required=()) -> dict:
    """``value`` as a table whose keys are among ``valid`` (closest named on a typo)."""
    if not isinstance(value, dict):
        fail(path, "a table", value, exc=TypeError)
    for key in value:
        if key not in valid:
            fail(_at(path, key), f"one of the keys {', '.join(valid)}", key,
                 closest(key, valid).strip())
    for key in required:
        if key not in value:
            fail(_at(path, key), "given", "nothing", f"Add `{key} = ...` to {path or 'the file'}.")
    return value


def _int(value, path: str, *, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        fail(path, "an integer", value, exc=TypeError)
    if value < low:
        fail(path, f"≥ {low}" if low != 1 else "> 0", value)
    return value


def _positive(value, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail(path, "a number", value, exc=TypeError)
    if not math.isfinite(value) or value <= 0:
        fail(path, "> 0", value)
    return value


def _bool(value, path: str) -> bool:
    return check_bool(path, value)  # the string "false" is not false


def _numbers(value, path: str, *, nonneg: bool = False, depth: int = 1):
    """A number, or a non-empty (nested, up to ``depth``) list of finite numbers."""
    if isinstance(value, list):
        if not value:
            fail(path, "a non-empty list of numbers", value)
        if depth == 0:
            fail(path, "a number", value, exc=TypeError)
        for i, v in enumerate(value):
            _numbers(v, f"{path}[{i}]", nonneg=nonneg, depth=depth - 1)
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        fail(path, "a number or a list of numbers", value, exc=TypeError)
    if not math.isfinite(value) or (nonneg and value < 0):
        fail(path, "≥ 0 and finite" if nonneg else "finite", value)
    return value


def _name(value, path: str, *, safe: bool = True) -> str:
    if not isinstance(value, str):
        fail(path, "a string", value, exc=TypeError)
    if safe and not _SAFE_NAME.fullmatch(value):
        fail(path, "a name of letters, digits and _.+- (it names files)", value)
    if not safe and not value.strip():
        fail(path, "a non-empty string", value)
    return value


def _check_plain(value, path: str):
    """Only strings, numbers, booleans, lists and tables: TOML dates have no meaning here."""
    if isinstance(value, dict):
        for k, v in value.items():
            _check_plain(v, _at(path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_plain(v, f"{path}[{i}]")
    elif not isinstance(value, (str, int, float, bool)):
        fail(path, "a string, number, boolean, list or table", str(value), exc=TypeError)


def canonical(obj) -> str:
    """One JSON text per value (sorted keys, no spaces): the input of every hash."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def derive_seed(*parts) -> int:
    """A seed in [0, 2³²) from the run's identity: the same run gets it in any order, anywhere."""
    return int.from_bytes(hashlib.sha256(canonical(parts).encode()).digest()[:4], "big")


def _defaults(factory) -> dict:
    """The keyword defaults of a factory (a class's __init__, a function); {} when unknown."""
    import inspect

    try:
        sig = inspect.signature(factory)
    except (TypeError, ValueError):
        return {}
    return {k: p.default for k, p in sig.parameters.items()
            if p.default is not inspect.Parameter.empty
            and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
            and isinstance(p.default, (str, int, float, bool, type(None)))}


def _plain_number(v):
    """120.0 and 120 are one value: integral floats become ints (recursively)."""
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        return int(v)
    if isinstance(v, dict):
        return {k: _plain_number(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain_number(x) for x in v]
    return v


def _named(value, registry: dict | None, default: str | None = None) -> dict:
    """A name or a table {name, **params} as a table with the factory's defaults filled in."""
    spec = {"name": value} if isinstance(value, str) else dict(value or {})
    if "name" not in spec and default is not None:
        spec["name"] = default
    factory = (registry or {}).get(spec.get("name")) if isinstance(spec.get("name"), str) else None
    if factory is not None:
        spec = {**_defaults(factory), **spec}
    return spec


def normalise_problem(spec: dict) -> dict:
    """A problem spec as plain data with every default written out, so that spellings of the same
    problem agree: ``model = "linear"`` or no model, ``"mse"`` or ``{ name = "mse" }``, a dataset's
    default ``n`` given or not, 120 or 120.0. The ``name`` is left out (it only names files)."""
    from ..models import MODELS
    from ..objectives import REGISTRY, objective_names

    objective_names()  # registers installed entry points
    try:
        from ..datasets import all_datasets

        datasets = all_datasets()
    except ImportError:  # an optional dataset module failed: the core ones still work
        from ..datasets import DATASETS as datasets
    out = {k: v for k, v in spec.items() if k != "name"}
    data = out.get("data")
    if isinstance(data, (str, dict)) and not (isinstance(data, dict) and
                                              ("csv" in data or "parquet" in data)):
        out["data"] = _named(data, datasets)
    out["model"] = _named(out.get("model", "linear"), MODELS, "linear")
    out["objectives"] = [_named(o, REGISTRY) for o in out.get("objectives", [])]
    if out.get("constraints"):
        out["constraints"] = [_named(c, REGISTRY) for c in out["constraints"]]
    else:
        out.pop("constraints", None)
    return _plain_number(out)


def run_seed(spec: dict, solver: str, seed: int) -> int:
    """The seed a solver gets: a hash of the normalised problem, the solver's name and the config's
    seed. Budgets and other options are left out on purpose: one seed's runs at growing budgets
    share a random stream (common random numbers), and renaming a problem changes no result."""
    return derive_seed(normalise_problem(spec), solver, seed)


# -- the parsed config ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SolverEntry:
    name: str
    label: str
    options: dict
    grid: dict  # option -> list of values (the config's [grid] first, then the solver's own)
    problems: tuple[str, ...] | None = None  # None: every problem


@dataclass(frozen=True)
class RunSpec:
    """One run: a problem, a solver with its options, a seed. Plain data, so it pickles anywhere."""

    run_id: str
    experiment: str
    problem: str
    problem_spec: dict
    solver: str
    label: str
    options: dict       # the solver's options, grid values included, seed excluded
    settings: dict      # the grid values alone (what varies between a solver's runs)
    seed: int | None    # the config's seed; None for the exact front
    run_seed: int       # the seed the solver gets
    exact_options: dict  # for the reference front a run is traced against
    imports: tuple = ()  # modules to import first (they register what the run names)
    data_hash: str = ""  # sha256 of the data file behind the problem ("" for built-in data)
    # the problem's fixed HV reference point ([[problems]] hv_reference), for scoring only
    hv_reference: tuple | None = None
    import_folder: str = ""  # the config file's folder: `imports` beside it are found there

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Config:
    name: str
    description: str
    kind: str
    seeds: tuple[int, ...]
    problems: tuple[dict, ...]
    solvers: tuple[SolverEntry, ...]
    exact_options: dict
    seed_blog: dict
    raw: dict
    source: str = ""
    hash: str = field(default="")
    imports: tuple[str, ...] = ()
    # per problem name: where its data came from ({"csv": absolute path, "sha256": ...} for a
    # file), how many rows it has and how many were dropped (if the loader says)
    data: dict = field(default_factory=dict)
    # per problem name: its own values of swept options ([[problems]] grid), replacing the solvers'
    grids: dict = field(default_factory=dict)
    # per problem name: its fixed HV reference point ([[problems]] hv_reference)
    hv_references: dict = field(default_factory=dict)
    import_folder: str = ""  # the config file's folder (absolute), where `imports` are looked for
    # per problem name: why it has no exact reference run (it is not convex), when built
    exact_skipped: dict = field(default_factory=dict)

    def runs(self) -> list[RunSpec]:
        """Every run in a fixed order: per problem its exact front (unless the problem is not
        convex, where the exact solver cannot run: ``exact_skipped``), then solvers × grid × seeds."""
        runs = []
        for spec in self.problems:
            if spec["name"] not in self.exact_skipped:
                runs.append(self._run(spec, "exact", "exact", dict(self.exact_options), {}, None))
            for entry in self.solvers:
                if entry.problems is not None and spec["name"] not in entry.problems:
                    continue
                own = self.grids.get(spec["name"], {})
                grid = {k: own.get(k, v) for k, v in entry.grid.items()}
                keys = list(grid)
                for values in itertools.product(*(grid[k] for k in keys)):
                    settings = dict(zip(keys, values))
                    options = {**entry.options, **settings}
                    for seed in self.seeds:
                        runs.append(self._run(spec, entry.name, entry.label, options, settings, seed))
        return runs

    def _run(self, spec, solver, label, options, settings, seed) -> RunSpec:
        # the solver seed ignores names and budgets: one seed's runs at growing budgets share a
        # random stream (common random numbers), and renaming a problem changes no result
        seed_for_run = 0 if seed is None else run_seed(spec, solver, seed)
        info = self.data.get(spec["name"], {})
        data_hash = info.get("sha256", "")
        parts = [self.name, spec, solver, label, options, seed, self.exact_options]
        if data_hash:  # the file's content is part of the run (built-in data: the spec is enough)
            parts.append({"data_sha256": data_hash})
        run_id = hashlib.sha256(canonical(parts).encode()).hexdigest()[:12]
        # the worker reads the file where the config loader found it
        file = info.get("csv", info.get("parquet"))
        run_spec = _with_data_path(spec, file) if file else spec
        return RunSpec(run_id, self.name, spec["name"], run_spec, solver, label, options, settings,
                       seed, seed_for_run, dict(self.exact_options), self.imports, data_hash,
                       self.hv_references.get(spec["name"]), self.import_folder)


def load_config(path: str | Path) -> Config:
    """Read and validate a TOML config; errors name the path inside the file and the fix."""
    path = Path(path)
    if not path.is_file():
        fail("config", "an existing TOML file", str(path), "Check the path (see experiments/).")
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        fail("config", "valid TOML", str(path), f"The parser says: {err}.")
    except UnicodeDecodeError:
        fail("config", "a UTF-8 text file", str(path))
    return parse_config(raw, source=str(path))


def parse_config(raw: dict, *, source: str = "", build_problems: bool = True) -> Config:
    """Validate a config given as plain data (what ``tomllib`` returns) and expand its grids."""
    if not isinstance(raw, dict):
        fail("config", "a table", raw, exc=TypeError)
    _check_plain(raw, "")
    if "experiment" not in raw:
        fail("experiment", "given", "nothing", 'Add an [experiment] table with `name = "..."`.')
    exp = _table(raw["experiment"], "experiment", EXPERIMENT_KEYS, required=("name",))
    kind = exp.get("kind", "sweep")
    if kind not in KINDS:
        fail("experiment.kind", f"one of {', '.join(KINDS)}", kind, closest(str(kind), KINDS).strip())
    _table(raw, "", TOP_KEYS[kind])
    name = _name(exp["name"], "experiment.name")
    description = exp.get("description", "")
    if not isinstance(description, str):
        fail("experiment.description", "a string", description, exc=TypeError)
    digest = hashlib.sha256(canonical(raw).encode()).hexdigest()
    folder = str(Path(source).resolve().parent) if source else ""
    imports = _imports(exp.get("imports", []), folder)
    if kind == "seed_blog":
        opts = _table(raw.get("seed_blog", {}), "seed_blog", SEED_BLOG_KEYS)
        blog = {"n": _int(opts.get("n", 200), "seed_blog.n"),
                "seed": _int(opts.get("seed", 0), "seed_blog.seed", low=0),
                "epochs": _int(opts.get("epochs", 15), "seed_blog.epochs")}
        return Config(name, description, kind, (), (), (), {}, blog, raw, source, digest,
                      imports, import_folder=folder)
    seeds = _seeds(exp.get("seeds", [0]))
    base = Path(source).parent if source else Path(".")
    data: dict = {}
    grids: dict = {}
    hv_refs: dict = {}
    skipped: dict = {}
    problems = _problems(raw.get("problems"), build_problems, base, data, grids, hv_refs, skipped)
    grid = _grid(raw.get("grid", {}), "grid")
    solvers = _solvers(raw.get("solvers"), grid, problems)
    _check_problem_grids(grids, problems, solvers)
    exact_opts = _exact(raw.get("exact", {}), problems)
    return Config(name, description, kind, seeds, problems, solvers, exact_opts, {}, raw, source,
                  digest, imports, data, grids, hv_refs, folder, skipped)


def _check_problem_grids(grids: dict, problems, solvers) -> None:
    """Each key of a problem's grid must be swept by a solver that runs on it, and each value
    must suit every such solver (as in a solver's own grid)."""
    for name, (path, grid) in grids.items():
        m = next(len(p["objectives"]) for p in problems if p["name"] == name)
        for key, values in grid.items():
            takers = [e for e in solvers if key in e.grid
                      and (e.problems is None or name in e.problems)]
            if not takers:
                fail(_at(path, key), f"an option that a solver running on problem {name!r} "
                     "sweeps in its grid", key, "Sweep it in [grid] or a solver's `grid`, or set "
                     "it in the solvers' `options`.")
            for e in takers:
                _check_grid(e.name, {key: values}, path, {name: m})
        grids[name] = grid


def import_modules(names, folder: str = "") -> None:
    """Import the modules a config names, so that what they register can be named. A module
    whose top-level package is a file or package in ``folder`` (the config file's) is imported
    from there: the folder goes first on ``sys.path``, as a script's own folder does."""
    import importlib
    import sys

    for name in names:
        top = name.split(".")[0]
        if folder and ((Path(folder) / f"{top}.py").is_file()
                       or (Path(folder) / top / "__init__.py").is_file()):
            if folder not in sys.path:
                sys.path.insert(0, folder)
        importlib.import_module(name)


def _imports(value, folder: str = "") -> tuple[str, ...]:
    if not isinstance(value, list):
        fail("experiment.imports", "a list of module names", value, exc=TypeError)
    for i, name in enumerate(value):
        if not isinstance(name, str):
            fail(f"experiment.imports[{i}]", "a module name", name, exc=TypeError)
        try:
            import_modules([name], folder)
        except Exception as err:  # noqa: BLE001 - any import error is the config's to report
            beside = f" (looked for beside the config, in {folder}, and on sys.path)" \
                if folder else ""
            fail(f"experiment.imports[{i}]", "an importable module", name,
                 f"Importing it raised {type(err).__name__}: {err}{beside}. Put it beside the "
                 "config file, install it, or add its folder to PYTHONPATH (on every worker, "
                 "too).")
    return tuple(value)


def _seeds(value) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        fail("experiment.seeds", "a non-empty list of integers", value,
             "For example `seeds = [0, 1, 2, 3, 4]`.")
    for i, s in enumerate(value):
        _int(s, f"experiment.seeds[{i}]", low=0)
    if len(set(value)) != len(value):
        fail("experiment.seeds", "distinct integers", value)
    return tuple(value)


def _list_of_tables(value, path: str, what: str) -> list:
    if value is None:
        fail(path, f"given (at least one [[{path}]] table)", "nothing")
    if not isinstance(value, list) or not value:
        fail(path, f"a non-empty list of {what} tables", value, f"Write each as [[{path}]].",
             exc=TypeError if not isinstance(value, list) else ValueError)
    return value


def data_file(spec: dict) -> str | None:
    """The CSV path (or Parquet path or glob) a problem spec reads, as written, or None for a
    built-in dataset."""
    data = spec.get("data")
    if isinstance(data, dict):
        for key in ("csv", "parquet"):
            if isinstance(data.get(key), str):
                return data[key]
    return None


def _with_data_path(spec: dict, file: str) -> dict:
    key = "parquet" if "parquet" in spec["data"] else "csv"
    return {**spec, "data": {**spec["data"], key: file}}


def data_digest(spec: dict) -> str:
    """The identity of a problem spec's data file as the loader will read it: a CSV's SHA-256, or
    Parquet files' ``parquet_digest`` (raises OSError when they cannot be read)."""
    file = data_file(spec)
    if "parquet" not in spec["data"]:
        return file_sha256(file)
    import glob

    path = Path(file)
    files = sorted(path.glob("*.parquet")) if path.is_dir() else \
        sorted(Path(f) for f in glob.glob(file))
    if not files:
        raise FileNotFoundError(2, "No such file or directory", file)
    return parquet_digest(files)


def parquet_digest(files: list[Path]) -> str:
    """The identity of Parquet files without reading every row: each file's name, size and footer
    (its schema, row groups and per-column statistics; the last 64 KiB)."""
    h = hashlib.sha256()
    for f in files:
        size = f.stat().st_size
        h.update(f"{f.name}:{size}:".encode())
        with open(f, "rb") as fh:
            fh.seek(max(0, size - (1 << 16)))
            h.update(fh.read())
    return h.hexdigest()


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _data_info(spec: dict, path: str, base: Path) -> dict:
    """Where a problem's data file is (relative paths from the config's folder) and its hash."""
    csv = data_file(spec)
    if csv is None:
        return {}
    resolved = Path(csv).expanduser()
    if not resolved.is_absolute():
        resolved = base / resolved
    if "parquet" in spec["data"]:
        try:
            digest = data_digest(_with_data_path(spec, str(resolved)))
        except OSError:
            fail(f"{path}.data.parquet", "existing Parquet file(s) (a relative path is read from "
                 f"the config file's folder, {str(base.resolve())!r})", csv,
                 "Check the path or the glob pattern.")
        return {"parquet": str(resolved), "sha256": digest}
    resolved = resolved.resolve()
    if not resolved.is_file():
        where = f" (read from the config file's folder, {str(base.resolve())!r})" \
            if not Path(csv).expanduser().is_absolute() else ""
        fail(f"{path}.data.csv", f"an existing CSV file{where}", csv,
             "Check the path; a relative one is taken from the folder of the config file.")
    try:
        digest = file_sha256(resolved)
    except OSError as err:
        fail(f"{path}.data.csv", "a readable file", csv, f"Reading it failed: {err.strerror}.")
    return {"csv": str(resolved), "sha256": digest}


def _problems(value, build: bool, base: Path = Path("."), data: dict | None = None,
              grids: dict | None = None, hv_refs: dict | None = None,
              skipped: dict | None = None) -> tuple[dict, ...]:
    from ..spec import PROBLEM_KEYS

    data = {} if data is None else data
    grids = {} if grids is None else grids
    hv_refs = {} if hv_refs is None else hv_refs
    skipped = {} if skipped is None else skipped
    specs, names = [], set()
    for i, spec in enumerate(_list_of_tables(value, "problems", "problem")):
        path = f"problems[{i}]"
        _table(spec, path, PROBLEM_KEYS + ("split", "grid", "hv_reference"),
               required=("data", "objectives"))
        spec = dict(spec)
        # the problem's own grid values (checked against the solvers later) and HV reference
        # point: how it is swept and scored, not part of the runs' identity
        own = _grid(spec.pop("grid"), f"{path}.grid") if "grid" in spec else None
        hv_ref = (_hv_reference(spec.pop("hv_reference"), f"{path}.hv_reference",
                                len(spec.get("objectives") or ()))
                  if "hv_reference" in spec else None)
        split = None
        if "split" in spec:  # held-out evaluation: solved on the train part (experiments.heldout)
            from .heldout import check_split

            split = check_split(spec.pop("split"), f"{path}.split")
        _check_problem_parts(spec, path)
        if "name" not in spec:
            given = spec["data"]
            spec["name"] = given if isinstance(given, str) else given.get("name", f"problem{i}")
        _name(spec["name"], f"{path}.name")
        if split is not None and "seeds" in split:  # one problem per split seed: <name>-s<seed>
            from .heldout import expand_seeds

            expanded = expand_seeds({**spec, "split": split})
        else:
            expanded = [spec if split is None else {**spec, "split": split}]
        built = None  # the data is the same for every split seed: build it once
        for one in expanded:
            if one["name"] in names:
                fail(f"{path}.name", "unique among the problems", one["name"],
                     "Give each problem its own `name` (split seeds add -s<seed> to it).")
            names.add(one["name"])
            bare = {k: v for k, v in one.items() if k != "split"}
            info = _data_info(bare, path, base)
            if build:
                if built is None:
                    file = info.get("csv", info.get("parquet"))
                    built = _build(_with_data_path(bare, file) if file else bare, path)
                problem = built
                meta = getattr(problem.data, "meta", None) or {}
                dropped = meta.get("rows_dropped", meta.get("n_dropped_missing"))
                info = {**info, "rows": int(problem.data.n),
                        "rows_dropped": None if dropped is None else int(dropped)}
                if "sha256" not in info and isinstance(meta.get("path"), str):
                    # a loader that read a user's file (COMPAS from TRADEOFF_COMPAS_CSV): its
                    # content is part of the runs' identity, its path (not portable) is not
                    info["sha256"] = file_sha256(meta["path"])
                if "split" in one:
                    info["split_rows"] = _split_rows(problem.data, one["split"], f"{path}.split")
                convex, why = problem.is_convex()
                if not convex:  # the exact solver would only return "no exact front"
                    skipped[one["name"]] = f"not convex: {why}"
            # the split (in `one`) is part of the run's identity (and of its solver seed)
            data[one["name"]] = info
            if own:
                grids[one["name"]] = (f"{path}.grid", own)
            if hv_ref is not None:
                hv_refs[one["name"]] = hv_ref
            specs.append(one)
    return tuple(specs)


def _hv_reference(value, path: str, m: int) -> tuple:
    """A fixed HV reference point: m finite numbers, one per objective, in their units."""
    if (not isinstance(value, list) or len(value) != m
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                       and math.isfinite(v) for v in value)):
        fail(path, f"a list of {m} finite numbers, one per objective (in its units)", value,
             "For example hv_reference = [0.56, 0.08]: a point beyond it adds no hypervolume.")
    return tuple(float(v) for v in value)


def _split_rows(data, split: dict, path: str) -> dict:
    """Split the built data once now, so that a share too small for it fails before any run."""
    from .heldout import parts_of

    try:
        parts = parts_of(data, split)
    except (ValueError, TypeError) as err:
        raise type(err)(f"In `{path}`: {err}") from None
    return {name: int(part.n) for name, part in parts.items()}


def _dataset_names() -> list[str]:
    from .. import datasets as data

    registry = getattr(data, "all_datasets", None)
    try:
        return sorted(registry() if registry else data.DATASETS)
    except ImportError:  # an optional dataset module failed: the core ones still work
        return sorted(data.DATASETS)


def _choice(value, path: str, valid, what: str, *, listed: bool = True):
    if not isinstance(value, str):
        fail(path, f"the name of {what}", value, exc=TypeError)
    if value not in valid:
        hint = closest(value, valid).strip()
        more = "Run `tradeoff list` to see them all." if listed else ""
        fail(path, f"{what} ({', '.join(valid)})" if len(valid) <= 12 else what, value,
             " ".join(t for t in (hint, more) if t))


def _check_problem_parts(spec: dict, path: str):
    """Names and shapes before the problem is built, so that typos are caught with their path."""
    from ..models import MODELS
    from ..objectives import objective_names

    data = spec["data"]
    if isinstance(data, dict):
        if "csv" not in data and "parquet" not in data:
            if "name" not in data:
                fail(f"{path}.data.name", "given (or `csv = PATH`, or `parquet = GLOB`)",
                     "nothing")
            _choice(data["name"], f"{path}.data.name", _dataset_names(), "a dataset")
    else:
        _choice(data, f"{path}.data", _dataset_names(), "a dataset")
    model = spec.get("model", "linear")
    if isinstance(model, dict):
        _choice(model.get("name", "linear"), f"{path}.model.name", sorted(MODELS), "a model")
    else:
        _choice(model, f"{path}.model", sorted(MODELS), "a model")
    objectives = spec["objectives"]
    if not isinstance(objectives, list) or len(objectives) < 2:
        fail(f"{path}.objectives", "a list of at least 2 objectives", objectives,
             "Add e.g. 'cap_violation' or a fairness gap beside the accuracy loss.")
    names = objective_names()
    for j, obj in enumerate(objectives):
        where = f"{path}.objectives[{j}]"
        if isinstance(obj, dict):
            if "name" not in obj:
                fail(f"{where}.name", "given", "nothing")
            _choice(obj["name"], f"{where}.name", names, "a registered objective")
        else:
            _choice(obj, where, names, "a registered objective")
    constraints = spec.get("constraints", [])
    if not isinstance(constraints, list):
        fail(f"{path}.constraints", "a list of tables", constraints, exc=TypeError)
    for j, con in enumerate(constraints):
        where = f"{path}.constraints[{j}]"
        if not isinstance(con, dict):
            fail(where, "a table with an objective `name` and a `bound`", con, exc=TypeError)
        for key in ("name", "bound"):
            if key not in con:
                fail(f"{where}.{key}", "given", "nothing")
        _choice(con["name"], f"{where}.name", names, "a registered objective")
        _numbers(con["bound"], f"{where}.bound", depth=0)
    if "bounds" in spec:
        b = _table(spec["bounds"], f"{path}.bounds", ("lower", "upper"), required=("lower", "upper"))
        for key in ("lower", "upper"):
            _numbers(b[key], f"{path}.bounds.{key}")


def _build(spec: dict, path: str):
    """Build the problem once now, so that a bad parameter stops the sweep before it starts."""
    from ..problem import Problem

    try:
        return Problem.from_dict(spec, path=path)
    except (ValueError, TypeError) as err:
        msg = str(err)
        if f"`{path}" in msg:
            raise
        raise type(err)(f"In `{path}`: {msg}") from None
    except FileNotFoundError as err:  # its message says which file and how to get it
        raise MissingFileError(f"In `{path}`: {err}") from None
    except (KeyError, IndexError, AttributeError, ImportError, OSError) as err:
        fail(path, "a problem that can be built", f"{type(err).__name__}: {err}")


def _grid(value, path: str) -> dict:
    if not isinstance(value, dict):
        fail(path, "a table of option = [values]", value, exc=TypeError)
    for key, values in value.items():
        if not isinstance(values, list) or not values:
            fail(_at(path, key), "a non-empty list of values", values,
                 f"For example `{key} = [..., ...]`; a single value belongs in `options`.")
        if key == "seed":
            fail(_at(path, key), "left out (seeds come from [experiment] seeds)", key)
        # each value is checked against the spec of every solver that sweeps it (``_solvers``)
        if len({canonical(v) for v in values}) != len(values):
            fail(_at(path, key), "a list of distinct values", values)
    return value


def _check_options(solver: str, options: dict, path: str, ms: dict[str, int]):
    """Names, types and ranges of a solver's options (the specs ``solve`` checks too), and what
    depends on the problems it runs on (``ms``: problem name -> number of objectives)."""
    from ..solvers import check_options
    from ..solvers.options import check_against_problem

    for key, v in options.items():
        if key == "seed":
            fail(_at(path, key), "left out (each run's seed comes from [experiment] seeds)", v,
                 "Remove it; the runner derives one seed per run.")
    check_options(solver, options, path)
    for problem, m in ms.items():
        check_against_problem(solver, options, m, path, problem)


def _check_stochastic(solver: str, options: dict, path: str, problems, only) -> None:
    """Options of the mini-batch loop need ``optimizer``; ``early_stopping`` needs every problem
    the solver runs on to have a validation part (the runner hands those rows to the solver)."""
    from ..solvers import GRADIENT_SOLVERS
    from ..solvers.engine.stochastic import engine_only

    if solver not in GRADIENT_SOLVERS:
        return
    if solver in ("hv-grad", "epo", "pmgda"):  # a loop option chooses the mini-batch loop there
        from ..solvers.engine.first_order import loop_options

        loop_options(options.get("optimizer"), options, path)
    else:
        engine_only(options, path)
    if options.get("early_stopping") is True:
        for p in problems:
            if (only is None or p["name"] in only) and not (p.get("split") or {}).get("validation"):
                fail(f"{path}.early_stopping", f"false for problem {p['name']!r}, which has no "
                     "validation part", True, "Give the problem e.g. split = { test = 0.3, "
                     "validation = 0.2 }, or drop early_stopping.")


def _check_grid(solver: str, grid: dict, path: str, ms: dict[str, int]):
    """Every value of every swept option, as ``_check_options`` checks a single one."""
    from ..solvers import SPECS, check_options
    from ..solvers.options import check_against_problem

    check_options(solver, grid, path, values=False)
    specs = SPECS.get(solver, {})
    for key, values in grid.items():
        for i, v in enumerate(values):
            if key in specs:
                specs[key].check(v, f"{path}.{key}[{i}]")
            for problem, m in ms.items():
                check_against_problem(solver, {key: v}, m, path, problem, index=i)


def _solvers(value, grid: dict, problems) -> tuple[SolverEntry, ...]:
    from ..solvers import OPTIONS, SOLVERS

    problem_names = [p["name"] for p in problems]

    entries, labels = [], set()
    for i, entry in enumerate(_list_of_tables(value, "solvers", "solver")):
        path = f"solvers[{i}]"
        _table(entry, path, SOLVER_KEYS, required=("name",))
        name = entry["name"]
        _choice(name, f"{path}.name", sorted(SOLVERS), "a registered solver")
        if name == "exact":
            fail(f"{path}.name", "a solver other than 'exact'", name,
                 "The exact front is computed once per problem as the reference; "
                 "set its options in an [exact] table.")
        label = _name(entry.get("label", name), f"{path}.label", safe=False)
        if label in labels:
            fail(f"{path}.label", "unique among the solvers", label,
                 "Give repeated solvers a `label` each, e.g. label = \"nsga2-small\".")
        labels.add(label)
        only = entry.get("problems")
        if only is not None:
            if not isinstance(only, list) or not only:
                fail(f"{path}.problems", "a non-empty list of problem names", only)
            for j, p in enumerate(only):
                _choice(p, f"{path}.problems[{j}]", problem_names, "the name of a problem",
                        listed=False)
            only = tuple(only)
        # the number of objectives of each problem it runs on: weight rows must match it
        ms = {p["name"]: len(p["objectives"]) for p in problems
              if only is None or p["name"] in only}
        options = entry.get("options", {})
        if not isinstance(options, dict):
            fail(f"{path}.options", "a table", options, exc=TypeError)
        _check_options(name, options, f"{path}.options", ms)
        _check_stochastic(name, options, f"{path}.options", problems, only)
        own = _grid(entry.get("grid", {}), f"{path}.grid")
        _check_grid(name, own, f"{path}.grid", ms)
        valid = OPTIONS.get(name)
        for key in grid:
            if valid is not None and key not in valid:
                takers = [f"solvers[{j}].grid" for j, e in enumerate(value) if isinstance(e, dict)
                          and key in OPTIONS.get(e.get("name") if isinstance(e.get("name"), str)
                                                 else "", ())]
                fail(f"grid.{key}", f"an option of every solver (solver {label!r} takes "
                     f"{', '.join(sorted(valid - {'seed'}))})", key,
                     f"Move it into the grids of the solvers that take it: {', '.join(takers)}."
                     if takers else closest(key, valid).strip())
        _check_grid(name, grid, "grid", ms)
        both = (set(grid) | set(own)) & set(options)
        if both:
            key = sorted(both)[0]
            fail(f"{path}.options.{key}", "given once: it is also swept in a grid", options[key],
                 "Remove it from `options` or from the grid.")
        if set(grid) & set(own):
            key = sorted(set(grid) & set(own))[0]
            fail(f"{path}.grid.{key}", "left out: [grid] already sweeps it", own[key])
        entries.append(SolverEntry(name, label, dict(options), {**grid, **own}, only))
    return tuple(entries)


def _exact(value, problems) -> dict:
    from ..solvers import OPTIONS

    valid = tuple(sorted(OPTIONS["exact"] - {"seed"}))
    _table(value, "exact", valid)
    _check_options("exact", value, "exact", {p["name"]: len(p["objectives"]) for p in problems})
    return dict(value)
