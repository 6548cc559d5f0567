"""The production rehearsal as a test: the whole yearly cycle on the CeleryExecutor with two
workers, one of them SIGKILLed in process_batch, the scheduler restarted, the drive unreachable
during a scan (tests/support/cluster.py says what runs and what is checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cluster import WORKERS, rehearse

pytestmark = pytest.mark.integration


@pytest.mark.timeout(2400)
def test_the_yearly_cycle_runs_on_the_deployed_topology(tmp_path: Path) -> None:
    report = rehearse(tmp_path)
    print("rehearsal:", report)
    assert report["problems"] == []
    assert report["executor"] == "CeleryExecutor"
    assert all(report["workers"].get(w) for w in WORKERS), report["workers"]
    assert report["loaded"] > 0 and report["rejected"] > 0
    assert report["feedback_written"] == report["submissions"] == report["loaded"] + report["rejected"]
    assert report["worker_killed_recovered"] is True
    assert report["ckan_datasets"] > 0 and report["notifications"] > 0 and report["reports_published"] > 0
