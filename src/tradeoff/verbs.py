"""Verbs on a base class implemented by the modules above it (ground floor: imports nothing).

A base (``Front``, ``Problem``) keeps each method and its docstring, and calls the function that a
module above it registered under the method's name; so the base imports none of those modules.
``import tradeoff`` imports them all, which fills the tables.
"""

from __future__ import annotations

from typing import Callable


class Verbs:
    """The functions implementing ``<owner>.<name>``, registered by name."""

    def __init__(self, owner: str):
        self.owner = owner
        self._table: dict[str, Callable] = {}

    def register(self, name: str):
        """Decorator: ``fn`` implements ``<owner>.<name>``."""
        def deco(fn):
            self._table[name] = fn
            return fn
        return deco

    def __getitem__(self, name: str) -> Callable:
        try:
            return self._table[name]
        except KeyError:  # only if tradeoff's package face was bypassed
            raise RuntimeError(f"{self.owner}.{name} is implemented by a module that was not "
                               "imported; import tradeoff first.") from None
