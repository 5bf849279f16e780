"""Atomic file writes: a temporary file in the same folder, then an os.replace.

A reader (or a resumed sweep) never sees a half-written file: it sees the old one or the new one.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


def writable_folder(folder: str | Path, name: str, why: str) -> Path:
    """Make ``folder`` and try a write in it: one sentence naming it (not a bare ``[Errno 30]``)
    if this process cannot write there."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise type(err)(f"`{name}` must be a folder this process can write ({why}); got "
                        f"{str(folder)!r} ({reason}). Choose another folder, or fix the folder's "
                        "permissions.") from None
    return folder


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; on success rename it over ``path``, else delete it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the mode a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_text(text: str, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def atomic_write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    # pandas writes floats with repr (shortest round trip): the same run gives identical bytes
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)
