"""Publication replaces a year whole; staging never leaks into it."""

from __future__ import annotations

from pathlib import Path

import pytest
from kinerja.publish.release import (
    NotApprovedError,
    differences,
    file_checksums,
    publish,
    published_dir,
    staging_dir,
)


def _stage(root: Path, tahun: int, run: str, files: dict[str, str]) -> Path:
    stage = staging_dir(root, tahun, run)
    for name, text in files.items():
        (stage / name).parent.mkdir(parents=True, exist_ok=True)
        (stage / name).write_text(text)
    return stage


def _publish(stage: Path, root: Path, tahun: int) -> Path:
    """Publish a staging folder as approved just now."""
    return publish(stage, root, tahun, file_checksums(stage))


def test_publish_replaces_the_year_whole_and_leaves_other_years(tmp_path: Path) -> None:
    _publish(_stage(tmp_path, 2024, "a", {"laporan.html": "2024"}), tmp_path, 2024)
    _publish(_stage(tmp_path, 2025, "b", {"laporan.html": "v1", "pd/DINKES/index.html": "x"}), tmp_path, 2025)
    _publish(_stage(tmp_path, 2025, "c", {"laporan.html": "v2"}), tmp_path, 2025)
    year = published_dir(tmp_path, 2025)
    assert (year / "laporan.html").read_text() == "v2"
    assert not (year / "pd").exists(), "nothing of the previous publication survives"
    assert (published_dir(tmp_path, 2024) / "laporan.html").read_text() == "2024"
    assert sorted(p.name for p in year.parent.iterdir()) == ["2024", "2025"]


def test_a_retried_build_starts_from_an_empty_staging_folder(tmp_path: Path) -> None:
    first = _stage(tmp_path, 2025, "manual__2026-02-01T00:00:00+00:00", {"old.txt": "x"})
    again = staging_dir(tmp_path, 2025, "manual__2026-02-01T00:00:00+00:00")
    assert again == first and list(again.iterdir()) == []
    assert ":" not in again.name and "+" not in again.name


def test_nothing_staged_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        publish(tmp_path / "missing", tmp_path, 2025, {"laporan.html": "0" * 64})


def test_files_that_differ_from_the_approved_ones_are_not_published(tmp_path: Path) -> None:
    _publish(_stage(tmp_path, 2025, "a", {"laporan.html": "disetujui dulu"}), tmp_path, 2025)
    stage = _stage(tmp_path, 2025, "b", {"laporan.html": "v2", "pd/DINKES/index.html": "x"})
    approved = file_checksums(stage)
    assert set(approved) == {"laporan.html", "pd/DINKES/index.html"}
    assert all(len(v) == 64 for v in approved.values())

    (stage / "laporan.html").write_text("diubah setelah disetujui")
    (stage / "tambahan.csv").write_text("baru")
    (stage / "pd" / "DINKES" / "index.html").unlink()
    assert differences(stage, approved) == [
        "berubah: laporan.html",
        "hilang: pd/DINKES/index.html",
        "tidak disetujui (baru): tambahan.csv",
    ]
    with pytest.raises(NotApprovedError, match="berbeda dari yang disetujui tim ahli \\(3 berkas\\)"):
        publish(stage, tmp_path, 2025, approved)
    with pytest.raises(NotApprovedError, match="tidak ada daftar berkas"):
        publish(stage, tmp_path, 2025, {})
    year = published_dir(tmp_path, 2025)
    assert (year / "laporan.html").read_text() == "disetujui dulu", "the approved publication stays"
    assert sorted(p.name for p in year.parent.iterdir()) == ["2025"], "no half-copied folder is left"
