"""Staging and publication of a year's reports: nothing reaches the published area unapproved.

    <root>/staging/<tahun>/<run>/...     built by compile_reports, waiting for the tim ahli
    <root>/published/<tahun>/...         what agencies and Satu Data see; replaced whole

Publishing swaps the folder in with renames, so a reader never sees half of a year, and a
rejection simply leaves the published folder as it was.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

_RUN_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def staging_dir(root: Path, tahun: int, run_id: str) -> Path:
    """A fresh staging folder for one build (run ids carry ':' and '+', kept out of names)."""
    path = root / "staging" / str(tahun) / _RUN_SAFE.sub("_", run_id)
    if path.exists():
        shutil.rmtree(path)  # a retried build starts clean
    path.mkdir(parents=True)
    return path


def published_dir(root: Path, tahun: int) -> Path:
    return root / "published" / str(tahun)


def publish(staging: Path, root: Path, tahun: int) -> Path:
    """Make `staging` the published reports of `tahun`, replacing the previous ones whole."""
    if not staging.is_dir():
        raise FileNotFoundError(f"nothing staged at {staging}")
    target = published_dir(root, tahun)
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{tahun}.incoming")
    outgoing = target.with_name(f".{tahun}.outgoing")
    for leftover in (incoming, outgoing):  # from an interrupted earlier publication
        if leftover.exists():
            shutil.rmtree(leftover)
    shutil.copytree(staging, incoming)
    if target.exists():
        os.replace(target, outgoing)
    os.replace(incoming, target)
    if outgoing.exists():
        shutil.rmtree(outgoing)
    return target
