"""Adult, German credit and COMPAS: row counts and label rates against their sources' documentation.

Adult: adult.names (32,561 / 16,281 rows; 30,162 / 15,060 without unknowns). German: german.names
(1,000 rows, 700 good / 300 bad). COMPAS: ProPublica's "How we analyzed the COMPAS recidivism
algorithm" (6,172 rows after their filter; 5,278 African-American or Caucasian). Rates were counted
from the source files with pandas.
"""

import os
import pickle
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradeoff import load_dataset
from tradeoff.datasets import benchmarks as B
from tradeoff.datasets import all_datasets
from tradeoff.spec import dataset_from_spec

COMPAS_CSV = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "compas-two-years.csv"
COMPAS_CSV = Path(os.environ.get("TRADEOFF_COMPAS_CSV") or COMPAS_CSV)
needs_compas = pytest.mark.skipif(not COMPAS_CSV.is_file(),
                                  reason="ProPublica's compas-scores-two-years.csv is not here")


@pytest.fixture(scope="module")
def adult_train():
    return load_dataset("adult", split="train")


@pytest.fixture(scope="module")
def adult_test():
    return load_dataset("adult", split="test")


def test_registered():
    assert {"adult", "german", "compas"} <= set(all_datasets())
    assert B.BENCHMARK_DATASETS["adult"] is B.adult


def test_packaged_files_exist():
    here = resources.files("tradeoff") / "data_files"
    for name in ("adult-train.csv.gz", "adult-test.csv.gz", "german.csv.gz", "adult.names",
                 "german.names"):
        assert (here / name).is_file(), name
    assert not any("compas" in p.name for p in here.iterdir())


def test_adult_train_and_test(adult_train, adult_test):
    assert adult_train.X.shape[0] == 30_162 and adult_test.X.shape[0] == 15_060
    assert adult_train.y.sum() == 7_508 and adult_test.y.sum() == 3_700
    assert round(adult_train.y.mean(), 3) == 0.249 and round(adult_test.y.mean(), 3) == 0.246
    assert adult_train.feature_names == adult_test.feature_names
    assert adult_test.encoder == adult_train.encoder
    assert adult_train.group_names == adult_test.group_names == ("Female", "Male")
    assert np.bincount(adult_train.groups).tolist() == [9_782, 20_380]
    assert adult_train.target_name == "income" and adult_train.sensitive_name == "sex"
    assert adult_train.meta["target_mapping"] == {"<=50K": 0, ">50K": 1}
    names = adult_train.feature_names
    assert "education_num" in names and not any(n.startswith(("education=", "sex")) for n in names)
    # the first row of adult-train.csv: 39, State-gov, 77516, Bachelors, 13, …, 2174, 0, 40
    row = dict(zip(names, adult_train.X[0]))
    assert (row["age"], row["fnlwgt"], row["education_num"], row["capital_gain"],
            row["hours_per_week"], row["workclass=State-gov"]) == (39, 77516, 13, 2174, 40, 1)
    # with an intercept the design has full column rank (education would duplicate education_num)
    assert adult_train.X.shape[1] == 80


def test_adult_all_and_race(adult_train):
    all_ = load_dataset("adult", split="all")
    assert all_.n == 45_222 and all_.y.sum() == 7_508 + 3_700
    assert all_.feature_names == adult_train.feature_names
    np.testing.assert_array_equal(all_.X[:30_162], adult_train.X)
    race = load_dataset("adult", sensitive="race")
    assert race.group_names == ("Amer-Indian-Eskimo", "Asian-Pac-Islander", "Black", "Other",
                                "White")
    assert any(n.startswith("sex=") for n in race.feature_names)
    assert not any(n.startswith("race=") for n in race.feature_names)
    both = load_dataset("adult", sensitive=["sex", "race"], split="test")
    assert len(both.group_names) == 10 and both.group_names[0] == "Female, Amer-Indian-Eskimo"


def test_adult_bad_arguments():
    with pytest.raises(ValueError, match="`split` must be one of all, test, train; got 'tests'. "
                                         "Did you mean 'test'"):
        B.adult(split="tests")
    with pytest.raises(ValueError, match="`sensitive` must be one of age, .*; got 'gender'"):
        B.adult(sensitive="gender")
    with pytest.raises(TypeError, match="`sensitive` must be a column name or a list"):
        B.adult(sensitive=[])


def test_german():
    ds = load_dataset("german")
    assert ds.X.shape == (1_000, 45) and ds.y.sum() == 300
    assert ds.target_name == "bad_credit" and ds.meta["positive"] == "bad credit risk"
    # attribute 9: A92 female (310 rows); A91, A93, A94 male; A95 (single female) never occurs
    assert ds.group_names == ("female", "male") and np.bincount(ds.groups).tolist() == [310, 690]
    assert "age" in ds.feature_names
    assert not any(n.startswith(("personal_status_sex", "sex")) for n in ds.feature_names)
    # first row of german.csv: A11, 6, A34, A43, 1169, …, age 67, …, credit 1 (good)
    row = dict(zip(ds.feature_names, ds.X[0]))
    assert (row["duration"], row["credit_amount"], row["age"], ds.y[0]) == (6, 1169, 67, 0.0)
    age = load_dataset("german", sensitive="age")
    assert age.group_names == ("<25", ">=25") and np.bincount(age.groups).tolist() == [149, 851]
    assert "age" not in age.feature_names and "personal_status_sex=A93" in age.feature_names
    both = B.german(sensitive=["sex", "age"])
    assert both.group_names == ("female, <25", "female, >=25", "male, <25", "male, >=25")
    assert both.X.shape == (1_000, 44)  # 45 with sex, less age
    with pytest.raises(ValueError, match="`sensitive` must be one of age, sex; got 'race'"):
        B.german(sensitive="race")


def test_benchmarks_pickle_and_split():
    from tradeoff import split

    ds = load_dataset("german")
    train, test = split(ds, test=0.3, seed=0)
    assert (train.n, test.n) == (700, 300) and abs(test.y.sum() - 90) <= 2
    back = pickle.loads(pickle.dumps(test))
    assert back.encoder == ds.encoder


def test_config_names_them():
    ds = dataset_from_spec({"name": "adult", "split": "test"})
    assert ds.n == 15_060
    assert dataset_from_spec("german").n == 1_000


# ------------------------------------------------------------------------------------- COMPAS


@needs_compas
def test_compas_counts():
    all_ = load_dataset("compas", path=COMPAS_CSV, races="all")
    assert all_.n == 6_172 and round(all_.y.mean(), 3) == 0.455
    assert all_.group_names == ("African-American", "Asian", "Caucasian", "Hispanic",
                                "Native American", "Other")
    two = load_dataset("compas", path=str(COMPAS_CSV))
    assert two.n == 5_278 and round(two.y.mean(), 3) == 0.470
    assert two.group_names == ("African-American", "Caucasian")
    assert np.bincount(two.groups).tolist() == [3_175, 2_103]
    assert two.feature_names == ("age", "priors_count", "c_charge_degree=M", "juv_fel_count",
                                 "juv_misd_count", "juv_other_count", "sex=Male")
    assert two.target_name == "two_year_recid" and two.encoder is not None
    by_sex = load_dataset("compas", path=COMPAS_CSV, sensitive="sex", races="all")
    assert by_sex.group_names == ("Female", "Male") and "sex=Male" not in by_sex.feature_names


@needs_compas
def test_compas_from_the_environment(monkeypatch):
    monkeypatch.setenv(B.COMPAS_ENV, str(COMPAS_CSV))
    assert load_dataset("compas", races="all").n == 6_172


def test_compas_without_a_file_says_where_to_get_it(monkeypatch, tmp_path):
    monkeypatch.delenv(B.COMPAS_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match=r"`TRADEOFF_COMPAS_CSV` must be set to the path "
                                                r"of ProPublica's compas-scores-two-years.csv .*"
                                                r"github.*/propublica/compas-analysis.*"
                                                r"export TRADEOFF_COMPAS_CSV="):
        B.compas()
    with pytest.raises(FileNotFoundError, match=r"`path` must be an existing file .*nope.csv"):
        B.compas(path=tmp_path / "nope.csv")
    monkeypatch.setenv(B.COMPAS_ENV, str(tmp_path / "gone.csv"))
    with pytest.raises(FileNotFoundError, match=r"`TRADEOFF_COMPAS_CSV \(from the environment\)` "
                                                r"must be an existing file"):
        B.compas()
    with pytest.raises(TypeError, match="`path` must be a path to a CSV file; got 3"):
        B.compas(path=3)


def _propublica_like(tmp_path) -> Path:
    """A small file laid out like ProPublica's original (extra and duplicated columns, blanks)."""
    rows = pd.DataFrame({
        "id": range(8), "name": list("abcdefgh"), "sex": ["Male", "Female"] * 4,
        "age": [20, 30, 40, 50, 60, 25, 35, 45],
        "race": ["African-American", "Caucasian", "Hispanic", "Caucasian",
                 "African-American", "Caucasian", "African-American", "Other"],
        "juv_fel_count": 0, "decile_score": 5, "juv_misd_count": [0, 1] * 4,
        "juv_other_count": 0, "priors_count": [0, 1, 2, 3, 4, 5, 6, 7],
        "days_b_screening_arrest": [0, -30, 30, 31, None, -1, 1, 0],
        "c_charge_degree": ["F", "M", "F", "M", "F", "O", "M", "F"],
        "is_recid": [1, 0, 1, 0, 1, 1, -1, 0], "score_text": ["Low"] * 7 + ["N/A"],
        "priors_count.1": 0, "two_year_recid": [1, 0, 1, 0, 1, 1, 0, 0],
    })
    path = tmp_path / "compas-scores-two-years.csv"
    rows.to_csv(path, index=False)
    return path


def test_compas_filter_on_a_file_like_propublicas(tmp_path):
    path = _propublica_like(tmp_path)
    # kept: rows 0, 1, 2 (days in [-30, 30], is_recid ≠ -1, degree ≠ O, a score)
    all_ = B.compas(path=path, races="all")
    assert all_.n == 3 and all_.y.tolist() == [1.0, 0.0, 1.0]
    assert all_.group_names == ("African-American", "Caucasian", "Hispanic")
    two = B.compas(path=path)
    assert two.n == 2 and two.group_names == ("African-American", "Caucasian")
    assert "decile_score" not in two.feature_names
    with pytest.raises(ValueError, match="`races` must be one of all, two; got 'three'"):
        B.compas(path=path, races="three")


def test_compas_file_without_the_columns(tmp_path):
    path = tmp_path / "other.csv"
    pd.DataFrame({"age": [1, 2], "sex": ["a", "b"]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"`path` must be ProPublica's compas-scores-two-years.csv "
                                         r"\(with columns .*\); got 'other.csv without priors_count"):
        B.compas(path=path)


def test_load_dataset_passes_on_the_loaders_own_errors():
    with pytest.raises(TypeError, match=r"^`sensitive` must be a column name or a list"):
        load_dataset("adult", sensitive=[])
    with pytest.raises(ValueError, match=r"`parameters of dataset 'german'` must be among "
                                         r"sensitive; got \['split'\]"):
        load_dataset("german", split="train")
