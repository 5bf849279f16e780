"""Fixtures several test modules share."""

import pytest

import tradeoff as to
from tradeoff.datasets import blog_data

CAP = {"name": "cap_violation", "cap": 120}


@pytest.fixture(scope="session")
def cap_problem():
    """MSE against the mean squared excess over 120, a linear model on 120 rows of the post's data:
    the convex problem the solver tests score against its exact front."""
    return to.Problem(blog_data(n=120, seed=1), "linear", ["mse", CAP])
