"""What the DAG tasks hand each other through XCom, typed.

Each hand-over is a dataclass written and read with its own `to_json` / `from_json`, so the XCom
payload stays plain JSON and both ends of it agree on its shape. Cheap to import (no pandas, no
SQLAlchemy): a task that only passes a value on does not pay for the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinerja.sources.base import DriveFile

if TYPE_CHECKING:
    from kinerja.intake.collect import FileOutcome
    from kinerja.satudata.ckan import SyncResult


@dataclass(frozen=True)
class Batch:
    """Files one mapped `process_batch` task handles (`plan_batches`), oldest first per agency."""

    files: tuple[DriveFile, ...]

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(f) for f in self.files]

    @classmethod
    def from_json(cls, data: Iterable[Mapping[str, Any]]) -> Batch:
        return cls(
            tuple(DriveFile(path=str(f["path"]), size=int(f["size"]), mtime=float(f["mtime"])) for f in data)
        )

    def label(self) -> str:
        """A readable label for a mapped task: the agencies it handles."""
        pds = sorted({f.kode_pd_folder for f in self.files})
        shown = ", ".join(pds[:4]) + (f" +{len(pds) - 4}" if len(pds) > 4 else "")
        return f"{len(self.files)} berkas: {shown}"


@dataclass(frozen=True)
class FileResult:
    """What a batch hands on about one file: counts, not every issue (those are in the warehouse)."""

    path: str
    pd: str
    report: str | None
    status: str
    version: int | None
    late: bool
    errors: int
    warnings: int

    @classmethod
    def of(cls, outcome: FileOutcome) -> FileResult:
        return cls(
            path=outcome.path,
            pd=outcome.kode_pd,
            report=outcome.laporan,
            status=outcome.status,
            version=outcome.version,
            late=outcome.terlambat,
            errors=len(outcome.errors),
            warnings=len(outcome.warnings),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FileResult:
        return cls(
            path=str(data["path"]),
            pd=str(data["pd"]),
            report=data.get("report"),
            status=str(data["status"]),
            version=data.get("version"),
            late=bool(data.get("late")),
            errors=int(data.get("errors", 0)),
            warnings=int(data.get("warnings", 0)),
        )


@dataclass(frozen=True)
class Changes:
    """What a collection run changed in `tahun`: the agency/report pairs loaded and how many
    files were rejected; the `kinerja_submissions` event carries it as its `extra`."""

    tahun: int
    loaded: list[str] = field(default_factory=list)
    """`KODE_PD/LAPORAN` of every report loaded, sorted."""
    rejected: int = 0

    @classmethod
    def of(cls, tahun: int, results: Iterable[FileResult]) -> Changes:
        done = list(results)
        loaded = sorted({f"{r.pd}/{r.report}" for r in done if r.status == "loaded"})
        return cls(tahun, loaded, sum(1 for r in done if r.status == "rejected"))

    @property
    def any(self) -> bool:
        return bool(self.loaded or self.rejected)

    def to_json(self) -> dict[str, Any]:
        return {"tahun": self.tahun, "loaded": list(self.loaded), "rejected": self.rejected}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Changes:
        return cls(
            int(data["tahun"]), [str(x) for x in data.get("loaded") or []], int(data.get("rejected", 0))
        )


@dataclass(frozen=True)
class BuiltReports:
    """A build of the year's outputs in its staging folder, waiting for the tim ahli."""

    tahun: int
    staging: str
    summary: dict[str, Any]
    """`kinerja.reports.build.build_outputs`'s summary: headline figures, files."""

    def to_json(self) -> dict[str, Any]:
        return {"tahun": self.tahun, "staging": self.staging, "summary": self.summary}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BuiltReports:
        return cls(int(data["tahun"]), str(data["staging"]), dict(data.get("summary") or {}))


@dataclass(frozen=True)
class ReviewRequest:
    """A staged build recorded as waiting for review: its row, how many files, the figures."""

    id: int | None
    files: int
    ringkasan: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReviewRequest:
        return cls(data.get("id"), int(data["files"]), str(data.get("ringkasan") or ""))


@dataclass(frozen=True)
class Answer:
    """The reviewer's answer to an approval request (what Airflow's ApprovalOperator returns)."""

    chosen_options: list[str] = field(default_factory=list)
    params_input: dict[str, Any] = field(default_factory=dict)
    responded_by_user: Any = None
    """Airflow's `{"id": ..., "name": ...}` (or a bare name)."""
    responded_at: str | None = None
    """ISO 8601."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Answer:
        when = data.get("responded_at")
        return cls(
            chosen_options=list(data.get("chosen_options") or []),
            params_input=dict(data.get("params_input") or {}),
            responded_by_user=data.get("responded_by_user"),
            responded_at=when.isoformat() if isinstance(when, datetime) else when,
        )


@dataclass(frozen=True)
class Decision:
    """The tim ahli's decision on a staged build, as recorded beside its checksums."""

    tahun: int
    run_id: str
    decision: str
    staging: str
    reviewer: str | None
    reason: str | None
    decided_at: str | None
    """ISO 8601."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Decision:
        return cls(
            tahun=int(data["tahun"]),
            run_id=str(data["run_id"]),
            decision=str(data["decision"]),
            staging=str(data["staging"]),
            reviewer=data.get("reviewer"),
            reason=data.get("reason"),
            decided_at=data.get("decided_at"),
        )


@dataclass(frozen=True)
class SatuDataSync:
    """A Satu Data sync of one year: what was (or would be) done, from which folder."""

    result: SyncResult
    folder: Path

    def to_json(self) -> dict[str, Any]:
        """`kinerja publish --json`."""
        return {**self.result.to_json(), "folder": str(self.folder)}

    def brief(self) -> dict[str, Any]:
        """What the DAG task hands on: the year and the counts."""
        return {"tahun": self.result.tahun, "jumlah": self.result.counts()}


@dataclass(frozen=True)
class ReviuRequest:
    """What the Inspektorat's reviewer is asked (`kinerja.reviu.permintaan`): the year, the
    request's text (each PD owing the LPPD and the state of its data) and those PDs' codes."""

    tahun: int
    body: str
    pd: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReviuRequest:
        return cls(int(data["tahun"]), str(data["body"]), [str(p) for p in data.get("pd") or []])


@dataclass(frozen=True)
class ReviuOutcome:
    """What the reviu recorded (`kinerja.reviu.catat_reviu`): the PDs approved and returned, and
    codes the reviewer wrote that are no PD owing the LPPD (not acted on)."""

    tahun: int
    disetujui: list[str]
    dikembalikan: list[str]
    tidak_dikenal: list[str]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReviuOutcome:
        return cls(
            int(data["tahun"]),
            list(data.get("disetujui") or []),
            list(data.get("dikembalikan") or []),
            list(data.get("tidak_dikenal") or []),
        )
