"""The production docker-compose file is valid (Debian's docker-compose; no engine needed) and
runs what `make rehearsal` runs: the same Airflow settings (deploy/airflow.env), the same
components, the same endpoints, and nothing a worker needs on its own disk."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cluster import COMPONENTS, ENDPOINTS, REHEARSAL_ONLY, SETTINGS_FILE, read_settings

ROOT = Path(__file__).resolve().parents[2]
INIT_ONLY = {"KINERJA_WAREHOUSE_OWNER_URL"}
"""airflow-init migrates the warehouse as its owner; no running component has that login."""


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    """The file as docker-compose itself reads it (anchors merged, env_file read, .env.example)."""
    if shutil.which("docker-compose") is None:
        subprocess.run([str(ROOT / "scripts" / "ensure-system-packages.sh"), "docker-compose"], check=True)
    result = subprocess.run(
        ["docker-compose", "--env-file", ".env.example", "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return dict(yaml.safe_load(result.stdout))


@pytest.fixture(scope="module")
def written() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_the_airflow_services_are_the_rehearsal_components(written: dict[str, Any]) -> None:
    services = written["services"]
    airflow = {name for name in services if name.startswith("airflow-") and name != "airflow-init"}
    assert airflow == set(COMPONENTS)
    for name, command in COMPONENTS.items():
        assert services[name]["command"].split() == command, name


def test_compose_reads_the_rehearsal_settings_and_sets_only_the_endpoints(
    written: dict[str, Any], resolved: dict[str, Any]
) -> None:
    settings = read_settings()
    assert settings and not set(settings) & set(ENDPOINTS)
    assert not set(REHEARSAL_ONLY) & set(settings), "the rehearsal would override a deployed setting"
    for name in [*COMPONENTS, "airflow-init"]:
        service = written["services"][name]
        assert service["env_file"] == str(SETTINGS_FILE.relative_to(ROOT)), name
        extra = INIT_ONLY if name == "airflow-init" else set()
        assert set(_environment(service)) == set(ENDPOINTS) | extra, name
        # as docker-compose reads it: every setting of the file, with the file's value
        env = _environment(resolved["services"][name])
        assert {k: env.get(k) for k in settings} == settings, name


def test_no_worker_keeps_state_of_its_own_and_the_drive_is_the_smb_share(written: dict[str, Any]) -> None:
    services = written["services"]
    for name in COMPONENTS:
        mounts = services[name].get("volumes", [])
        assert not any("/opt/kinerja/drive" in m for m in mounts), (name, mounts)  # no local drive copy
        assert "kinerja-data:/opt/kinerja/data" in mounts, name  # the one shared storage location
    drive = _environment(services["airflow-worker"])["AIRFLOW_CONN_KINERJA_DRIVE"]
    assert '"conn_type": "samba"' in drive
    assert not any(m.endswith(":ro") for m in services["samba"]["volumes"])  # feedback is written


def test_compose_binds_published_ports_to_loopback_and_takes_secrets_from_env() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert '"127.0.0.1:8080:8080"' in text
    assert "AIRFLOW_CONN_KINERJA_WAREHOUSE" in text and "${WAREHOUSE_LOADER_PASSWORD}" in text
    assert "password" not in SETTINGS_FILE.read_text().lower().replace("passwords", "")
