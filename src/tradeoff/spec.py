"""The one reader of a problem's plain-data schema (a dict, or a TOML table of a sweep config)::

    {"name": "cap", "data": {"name": "blog", "n": 200, "seed": 0}   # or {"csv": PATH, "target": …}
     "model": {"name": "linear"},
     "objectives": ["mse", {"name": "cap_violation", "cap": 120}],
     "constraints": [{"name": "cap_max", "cap": 120, "bound": 0}],
     "bounds": {"lower": [...], "upper": [...]}}

``problem_from_spec`` builds it (``Problem.from_dict``); ``check_names`` checks its names before
anything is built, so that a sweep's typos are caught with their path; ``dataset_from_spec`` reads
its ``data``.
"""

from __future__ import annotations

import os

from ._validation import check_keys, check_number, check_params, fail
from .datasets import Dataset, all_datasets, from_csv, load_dataset
from .models import MODELS, Model, get_model
from .objectives import Constraint, get_objective
from .problem import Problem, problem_verb

PROBLEM_KEYS = ("name", "data", "model", "objectives", "constraints", "bounds")


@problem_verb("from_dict")
def problem_from_spec(spec: dict, *, path: str = "problem") -> Problem:
    """A Problem from the schema above; errors name the field by its ``path``."""
    if not isinstance(spec, dict):
        fail(path, "a table", spec, exc=TypeError)
    check_keys(spec, path, PROBLEM_KEYS)
    for key in ("data", "objectives"):
        if key not in spec:
            fail(f"{path}.{key}", "given", "nothing")
    data = dataset_from_spec(spec["data"], path=f"{path}.data")
    model = spec.get("model", "linear")
    if isinstance(model, dict):
        model = dict(model)
        name = model.pop("name", "linear")
        if isinstance(name, str) and name in MODELS:
            check_params(MODELS[name], model, f"model {name!r}", path=f"{path}.model")
        model = get_model(name, **model)
    elif not isinstance(model, (str, Model)):
        fail(f"{path}.model", "a model name or a table with a `name`", model, exc=TypeError)
    model = get_model(model)
    objectives = spec["objectives"]
    if not isinstance(objectives, list):
        fail(f"{path}.objectives", "a list of objective names or tables", objectives)
    constraints = spec.get("constraints", [])
    if not isinstance(constraints, list):
        fail(f"{path}.constraints", "a list of tables", constraints, exc=TypeError)
    cons = []
    for i, c in enumerate(constraints):
        if not isinstance(c, dict) or "bound" not in c:
            fail(f"{path}.constraints[{i}]", "a table with an objective `name` and a `bound`", c)
        c = dict(c)
        bound = check_number(f"{path}.constraints[{i}].bound", c.pop("bound"))
        cons.append(Constraint(get_objective(c), bound))
    bounds = spec.get("bounds")
    if bounds is not None:
        d = model.n_params(data.X.shape[1])
        if not isinstance(bounds, dict) or set(bounds) != {"lower", "upper"}:
            fail(f"{path}.bounds", "a table with `lower` and `upper`", bounds,
                 f"Give both, each a number or a list of {d} numbers.")
        for key in ("lower", "upper"):
            b = bounds[key]
            items = b if isinstance(b, list) else [b]
            if isinstance(b, list) and len(b) != d:
                fail(f"{path}.bounds.{key}", f"a number or a list of {d} numbers (one per "
                     f"parameter: {', '.join(data.param_names)})", f"{len(b)} numbers")
            for j, v in enumerate(items):
                check_number(f"{path}.bounds.{key}" + (f"[{j}]" if isinstance(b, list) else ""), v)
        bounds = (bounds["lower"], bounds["upper"])
    name = spec.get("name")
    if name is not None and not isinstance(name, str):
        fail(f"{path}.name", "a string", name, exc=TypeError)
    return Problem(data, model, objectives, cons, bounds=bounds, name=name)


def dataset_from_spec(spec, *, path: str = "data") -> Dataset:
    """A Dataset from a name or a table: built-in ``{"name": ..., **params}``,
    ``{"csv": PATH, "target": ..., "sensitive": ..., "features": [...]}``, or a ChunkedDataset from
    ``{"parquet": PATH_OR_GLOB, "target": ..., "sensitive": ..., "features": [...]}``."""
    if isinstance(spec, Dataset):
        return spec
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, dict):
        fail(path, "a dataset name or table", spec, exc=TypeError)
    spec = dict(spec)
    if "csv" in spec:
        csv = spec.pop("csv")
        if not isinstance(csv, (str, os.PathLike)):
            fail(f"{path}.csv", "the path of a CSV file", csv, exc=TypeError)
        check_params(from_csv, spec, "a CSV dataset", path=path, skip=("path",), also=("csv",))
        return from_csv(csv, **spec)
    if "parquet" in spec:  # out of core: read chunk by chunk on every pass (needs the dask extra)
        from .datasets.chunked import ChunkedDataset

        files = spec.pop("parquet")
        if not isinstance(files, (str, os.PathLike)):
            fail(f"{path}.parquet", "a path or glob of Parquet files", files, exc=TypeError)
        check_params(ChunkedDataset.from_parquet, spec, "a Parquet dataset", path=path,
                     skip=("path",), also=("parquet",))
        return ChunkedDataset.from_parquet(files, **spec)
    if "name" not in spec:
        fail(path, "a table with a dataset `name` (or `csv`, or `parquet`)", spec)
    name = spec.pop("name")
    registry = all_datasets()
    if isinstance(name, str) and name in registry:
        check_params(registry[name], spec, f"dataset {name!r}", path=path)
    return load_dataset(name, **spec)
