"""What day a run is for, in the kota's time zone, and so which reporting year.

Airflow hands every date in UTC. The 00:00 WIB run of 1 January 2026 has `run_after`
2025-12-31T17:00Z: taking `.year` of it gives 2025, and "the year before" 2024, not 2025.
Backfill runs behave like scheduled ones (`run_after` = `logical_date` = the cron tick, in UTC;
checked with `airflow backfill create` on 3.3.2). Our timetables keep `interval` at 0, so the
logical date is the tick too; a yearly `interval` would move it a year back for scheduled and
backfill runs only (see the architecture notes). So the day is always `run_after` converted to
the timetable's zone, and the reporting year is derived from that day, explicitly.

No Airflow import here: the DAG files import this at parse time.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

TZ = "Asia/Jakarta"
"""The zone of the DAGs' timetables (WIB) and of the deadlines in the calendar."""


def run_day(context: Any, tz: str = TZ) -> date:
    """The run's date in `tz`; a manual run may act as another day with the `tanggal` param."""
    params = context.get("params") or {}
    if params.get("tanggal"):
        return date.fromisoformat(str(params["tanggal"]))
    return context["dag_run"].run_after.astimezone(ZoneInfo(tz)).date()


def reporting_year(context: Any, tz: str = TZ) -> int:
    """The `tahun` param, else the year before the run's date in `tz` (runs in January 2026
    collect and remind for reporting year 2025)."""
    params = context.get("params") or {}
    if params.get("tahun"):
        return int(params["tahun"])
    return run_day(context, tz).year - 1


def _run_type(context: Any) -> str:
    run_type = context["dag_run"].run_type
    return str(getattr(run_type, "value", run_type))


def is_backfill(context: Any) -> bool:
    return _run_type(context) == "backfill"


def is_scheduled(context: Any) -> bool:
    """A run of the DAG's timetable (not a manual run, a backfill or an asset-triggered one)."""
    return _run_type(context) == "scheduled"


def partition_key(tahun: int) -> str:
    """The asset partition of a reporting year: the chain's events carry it (see `event_years`)."""
    return str(tahun)


def event_years(context: Any) -> list[int]:
    """The reporting years an asset-triggered DAG run is for, read in one place.

    The `tahun` param of a manual run; else the run's partition key: the chain's events carry
    their year as an asset partition and the consumers' `PartitionedAssetTimetable` gives every
    year its own run (a backfill of 2022 and 2023 → one build and one review per year); else the
    years in the triggering events' `extra` (events without a partition). Empty when none says.
    """
    params = context.get("params") or {}
    if params.get("tahun"):
        return [int(params["tahun"])]
    key = getattr(context.get("dag_run"), "partition_key", None)
    if key:
        return [int(key)]
    events = [e for evs in (context.get("triggering_asset_events") or {}).values() for e in evs]
    return sorted({int(e.extra["tahun"]) for e in events if "tahun" in (e.extra or {})})


def event_year(context: Any) -> int:
    """The one reporting year of a run that handles one year (`event_years`); anything else is
    a `SetupError` (fails at once inside `common.failures.setup_errors_fail_at_once`)."""
    from kinerja.config import SetupError

    years = event_years(context)
    if len(years) != 1:
        raise SetupError(
            f"run ini untuk tahun {years or 'yang tidak diketahui'}: satu run menyusun satu "
            "tahun; jalankan manual dengan parameter tahun"
        )
    return years[0]


def announce_year(context: Any, asset: Any, tahun: int, extra: dict[str, Any]) -> None:
    """Emit the running task's event on `asset` for reporting year `tahun`: `extra` as its
    payload and the year as its partition, which the consumers' `PartitionedAssetTimetable`
    turns into one run per year (`event_years` reads it back)."""
    event = context["outlet_events"][asset]
    event.extra = extra
    event.add_partitions(partition_key(tahun))
