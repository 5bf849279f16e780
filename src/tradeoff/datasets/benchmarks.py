"""The fairness field's benchmark datasets: UCI Adult, German credit and ProPublica's COMPAS.

Adult and German ship inside the package (``tradeoff/data_files``, CC BY 4.0; see NOTICE) and load
offline. COMPAS is not shipped: `compas` reads ProPublica's ``compas-scores-two-years.csv`` from
``path=`` or the ``TRADEOFF_COMPAS_CSV`` environment variable.

All three go through `tabular.from_frame`, so each Dataset carries its ``encoder``; sensitive
columns (and the columns they are derived from) are never features.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import check_choice, fail
from .base import Dataset
from .tabular import from_frame

__all__ = ["adult", "german", "compas", "BENCHMARK_DATASETS", "COMPAS_ENV", "COMPAS_URL"]

COMPAS_ENV = "TRADEOFF_COMPAS_CSV"
COMPAS_URL = ("https://raw.githubusercontent.com/propublica/compas-analysis/master/"
              "compas-scores-two-years.csv")


@lru_cache(maxsize=None)
def _packaged(name: str, **read) -> pd.DataFrame:
    with (resources.files("tradeoff") / "data_files" / name).open("rb") as fh:
        return pd.read_csv(fh, compression="gzip", header=None, **read)


def _sensitive_list(sensitive, valid) -> list[str]:
    cols = [sensitive] if isinstance(sensitive, str) else sensitive
    if not isinstance(cols, (list, tuple)) or not cols:
        fail("sensitive", "a column name or a list of them", sensitive, exc=TypeError)
    for c in cols:
        check_choice("sensitive", c, valid)
    return list(dict.fromkeys(cols))


# ------------------------------------------------------------------------------------- Adult

ADULT_COLUMNS = ("age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
                 "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
                 "hours_per_week", "native_country", "income")


def _adult_frame(part: str) -> pd.DataFrame:
    """One of Becker & Kohavi's files, rows with unknowns (``?``) dropped, income without the
    test file's trailing dot."""
    df = _packaged(f"adult-{part}.csv.gz", names=ADULT_COLUMNS, skipinitialspace=True,
                   na_values="?").dropna().copy()
    df["income"] = df["income"].str.rstrip(".")
    return df.reset_index(drop=True)


def adult(split: str = "train", sensitive="sex") -> Dataset:
    """UCI Adult (census income, 1994): does a person earn more than $50K a year? (y = 1 if so).

    ``split``: "train" (30,162 rows, 24.9 % positive), "test" (15,060 rows, 24.6 %) or "all"
    (45,222): the standard split of the 32,561 / 16,281 rows with rows holding unknowns dropped.
    Every split is encoded with the train split's encoder, so they share feature columns.
    ``sensitive``: "sex" (groups Female, Male) or any other column, e.g. "race"; a list gives
    intersectional groups. Features: the other columns, categoricals one-hot; ``education`` is
    left out because ``education_num`` codes it one-to-one (both would be collinear).
    Becker & Kohavi (1996), doi:10.24432/C5XW20, CC BY 4.0.
    """
    check_choice("split", split, ("train", "test", "all"))
    sens = _sensitive_list(sensitive, [c for c in ADULT_COLUMNS if c != "income"])
    feats = [c for c in ADULT_COLUMNS if c not in ("income", "education", *sens)]
    train = from_frame(_adult_frame("train"), target="income", features=feats, sensitive=sens,
                       name="adult")
    if split != "train":
        frame = _adult_frame("test")
        if split == "all":
            frame = pd.concat([_adult_frame("train"), frame], ignore_index=True)
        ds = from_frame(frame, target="income", sensitive=sens, name="adult",
                        encoder=train.encoder)
    else:
        ds = train
    ds.meta.update(split=split, source="UCI Adult, Becker & Kohavi (1996), doi:10.24432/C5XW20",
                   licence="CC BY 4.0", positive="income >50K")
    return ds


# ------------------------------------------------------------------------------------ German

GERMAN_COLUMNS = ("checking_status", "duration", "credit_history", "purpose", "credit_amount",
                  "savings", "employment_since", "installment_rate", "personal_status_sex",
                  "other_debtors", "residence_since", "property", "age",
                  "other_installment_plans", "housing", "existing_credits", "job",
                  "people_liable", "telephone", "foreign_worker", "credit")
#: personal-status codes of females (german.names, attribute 9); A91, A93, A94 are male
GERMAN_FEMALE = ("A92", "A95")
#: sensitive choices → (the column holding the groups, the source column that stops being a feature)
_GERMAN_SENSITIVE = {"sex": ("sex", "personal_status_sex"), "age": ("age_group", "age")}


def german(sensitive="sex") -> Dataset:
    """Statlog German credit (1,000 applicants): y = 1 for a bad credit risk (30 %), 0 for good.

    Bad is the positive class because it is the event a lender predicts and the one the cost
    matrix in german.names weighs (5 for a bad rated good, 1 for a good rated bad). Features: the
    20 attributes, coded ones (A11, …, see ``tradeoff/data_files/german.names``) one-hot.
    ``sensitive``: "sex" (female for personal-status codes A92, A95, male for A91, A93, A94;
    the personal-status column is then not a feature), "age" (groups "<25" and ">=25"; age is
    then not a feature) or ["sex", "age"]. Hofmann (1994), doi:10.24432/C5NC77, CC BY 4.0.
    """
    sens = _sensitive_list(sensitive, _GERMAN_SENSITIVE)
    df = _packaged("german.csv.gz", names=GERMAN_COLUMNS, sep=",").copy()
    df["sex"] = np.where(df["personal_status_sex"].isin(GERMAN_FEMALE), "female", "male")
    df["age_group"] = np.where(df["age"] >= 25, ">=25", "<25")
    df["bad_credit"] = (df.pop("credit") == 2).astype(np.int64)
    group_cols = [_GERMAN_SENSITIVE[s][0] for s in sens]
    dropped = {_GERMAN_SENSITIVE[s][1] for s in sens}
    feats = [c for c in GERMAN_COLUMNS[:-1] if c not in dropped]
    ds = from_frame(df, target="bad_credit", features=feats, sensitive=group_cols, name="german")
    ds.meta.update(source="Statlog German credit, Hofmann (1994), doi:10.24432/C5NC77",
                   licence="CC BY 4.0", positive="bad credit risk")
    return ds


# ------------------------------------------------------------------------------------ COMPAS

COMPAS_FEATURES = ("age", "priors_count", "c_charge_degree", "juv_fel_count", "juv_misd_count",
                   "juv_other_count", "sex")
_COMPAS_FILTER = ("days_b_screening_arrest", "is_recid", "score_text")
_COMPAS_TWO = ("African-American", "Caucasian")


def _compas_path(path) -> Path:
    how = ("Download compas-scores-two-years.csv from ProPublica's repository "
           f"https://github.com/propublica/compas-analysis ({COMPAS_URL}), then pass path=... or "
           f"set the environment variable {COMPAS_ENV} to its path.")
    if path is None:
        path = os.environ.get(COMPAS_ENV) or None
        if path is None:  # one sentence for `tradeoff run` too: the variable and what to set
            fail(COMPAS_ENV, "set to the path of ProPublica's compas-scores-two-years.csv (COMPAS "
                 "is not shipped), or the path given as load_dataset(\"compas\", path=...)",
                 "unset", f"Download the file from {COMPAS_URL} and set e.g. "
                 f"`export {COMPAS_ENV}=/path/to/compas-scores-two-years.csv`.",
                 exc=FileNotFoundError)
        name = f"{COMPAS_ENV} (from the environment)"
    else:
        name = "path"
    if not isinstance(path, (str, os.PathLike)):
        fail(name, "a path to a CSV file", path, exc=TypeError)
    p = Path(path).expanduser()
    if not p.is_file():
        fail(name, "an existing file (ProPublica's compas-scores-two-years.csv)", str(path), how,
             exc=FileNotFoundError)
    return p


def compas(path=None, sensitive="race", races: str = "two") -> Dataset:
    """ProPublica's COMPAS two-year recidivism data: y = ``two_year_recid`` (1 = rearrested).

    Reads ``compas-scores-two-years.csv`` (ProPublica, github.com/propublica/compas-analysis; not
    shipped, no licence given) from ``path`` or the ``TRADEOFF_COMPAS_CSV`` environment variable,
    and applies ProPublica's filter (−30 ≤ days_b_screening_arrest ≤ 30, is_recid ≠ −1,
    c_charge_degree ≠ "O", a score_text): 6,172 rows, 45.5 % rearrested. ``races="two"`` (the
    default) keeps African-American and Caucasian defendants (5,278 rows, 47.0 %); "all" keeps
    all six recorded races. ``sensitive``: "race", "sex" or both. Features: age, priors_count,
    c_charge_degree, juv_fel_count, juv_misd_count, juv_other_count and sex, less the sensitive
    ones; the COMPAS score is not a feature.
    """
    p = _compas_path(path)
    check_choice("races", races, ("two", "all"))
    sens = _sensitive_list(sensitive, ("race", "sex"))
    need = (*COMPAS_FEATURES, "race", "two_year_recid", *_COMPAS_FILTER)
    head = pd.read_csv(p, nrows=0).columns
    missing = [c for c in need if c not in head]
    if missing:
        fail("path", "ProPublica's compas-scores-two-years.csv (with columns "
             f"{', '.join(need)})", f"{p.name} without {', '.join(missing)}")
    df = pd.read_csv(p, usecols=list(dict.fromkeys(need)))  # reads "N/A" as missing
    days = pd.to_numeric(df["days_b_screening_arrest"], errors="coerce")
    keep = ((days >= -30) & (days <= 30) & (df["is_recid"] != -1)
            & (df["c_charge_degree"] != "O") & df["score_text"].notna()
            & (df["score_text"] != "N/A"))
    if races == "two":
        keep &= df["race"].isin(_COMPAS_TWO)
    df = df.loc[keep].reset_index(drop=True)
    feats = [c for c in COMPAS_FEATURES if c not in sens]
    ds = from_frame(df, target="two_year_recid", features=feats, sensitive=sens, name="compas")
    ds.meta.update(source="ProPublica compas-scores-two-years.csv (Larson et al. 2016)",
                   races=races, positive="rearrested within two years", path=str(p))
    return ds


BENCHMARK_DATASETS = {"adult": adult, "german": german, "compas": compas}
