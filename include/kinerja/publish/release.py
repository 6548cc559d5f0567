"""Staging and publication of a year's reports: nothing reaches the published area unapproved.

    <root>/staging/<tahun>/<run>/...     built by compile_reports, waiting for the tim ahli
    <root>/published/<tahun>/...         what agencies and Satu Data see; replaced whole

Publishing swaps the folder in with renames, so a reader never sees half of a year, and a
rejection simply leaves the published folder as it was. What is published is what the tim ahli
approved: the SHA-256 of every staged file is recorded when the review is asked for
(`file_checksums`), and `publish` refuses a staging folder, or a copy of it, that differs.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Mapping
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


class NotApprovedError(RuntimeError):
    """The files to publish are not the ones the tim ahli approved."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_checksums(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative POSIX path) -> its SHA-256, sorted by path."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return {p.relative_to(folder).as_posix(): sha256_file(p) for p in files}


def differences(folder: Path, approved: Mapping[str, str]) -> list[str]:
    """How `folder` differs from the approved checksums, one line per file (Bahasa Indonesia)."""
    now = file_checksums(folder)
    out = [f"berubah: {p}" for p in sorted(now.keys() & approved.keys()) if now[p] != approved[p]]
    out += [f"hilang: {p}" for p in sorted(approved.keys() - now.keys())]
    out += [f"tidak disetujui (baru): {p}" for p in sorted(now.keys() - approved.keys())]
    return out


def _check(folder: Path, approved: Mapping[str, str], what: str) -> None:
    diff = differences(folder, approved)
    if diff:
        shown = "; ".join(diff[:10]) + (f"; dan {len(diff) - 10} lagi" if len(diff) > 10 else "")
        raise NotApprovedError(f"{what} berbeda dari yang disetujui tim ahli ({len(diff)} berkas): {shown}")


def publish(staging: Path, root: Path, tahun: int, approved: Mapping[str, str]) -> Path:
    """Make `staging` the published reports of `tahun`, replacing the previous ones whole, if
    its files are exactly the `approved` ones (path -> SHA-256), checked before copying and on
    the copy before it is swapped in."""
    if not staging.is_dir():
        raise FileNotFoundError(f"nothing staged at {staging}")
    if not approved:
        raise NotApprovedError("tidak ada daftar berkas yang disetujui untuk diterbitkan")
    _check(staging, approved, "Folder staging")
    target = published_dir(root, tahun)
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{tahun}.incoming")
    outgoing = target.with_name(f".{tahun}.outgoing")
    for leftover in (incoming, outgoing):  # from an interrupted earlier publication
        if leftover.exists():
            shutil.rmtree(leftover)
    shutil.copytree(staging, incoming)
    try:
        _check(incoming, approved, "Salinan untuk terbit")
    except NotApprovedError:
        shutil.rmtree(incoming)
        raise
    if target.exists():
        os.replace(target, outgoing)
    os.replace(incoming, target)
    if outgoing.exists():
        shutil.rmtree(outgoing)
    return target
