"""The production docker-compose file is valid (Debian's docker-compose; no engine needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_docker_compose_config_is_valid() -> None:
    if shutil.which("docker-compose") is None:
        subprocess.run([str(ROOT / "scripts" / "ensure-system-packages.sh"), "docker-compose"], check=True)
    result = subprocess.run(
        ["docker-compose", "--env-file", ".env.example", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_compose_binds_published_ports_to_loopback_and_mounts_the_drive_read_only() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert '"127.0.0.1:8080:8080"' in text
    assert "/opt/kinerja/drive:ro" in text
    assert "AIRFLOW_CONN_KINERJA_WAREHOUSE" in text and "${WAREHOUSE_PASSWORD}" in text
