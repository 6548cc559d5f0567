"""No credential is committed: private keys, tokens and passwords stay out of the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = {
    "private key": re.compile(r"-----BEGIN (RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS key": re.compile(r"AKIA[0-9A-Z]{16}"),
    "GitHub token": re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}"),
    "Slack token": re.compile(r"xox[abpr]-[A-Za-z0-9-]{10,}"),
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "password in a URL": re.compile(r"[a-z+]+://[^\s/:@'\"]+:(?!\$\{)[^\s@'\"{}]{3,}@[A-Za-z0-9.-]+"),
}
# Documented examples, not credentials: placeholders in docs and obviously fake test values.
ALLOWED = ("pw@db.example", "s3cret", "user:pass@", "change-me")


def _tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / line for line in out.stdout.splitlines() if line]


def test_no_credentials_in_tracked_files() -> None:
    findings = []
    for path in _tracked_files():
        if not path.is_file() or path.suffix in (".xlsx", ".png", ".pdf", ".lock"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for name, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                if not any(a in match.group(0) for a in ALLOWED):
                    findings.append(f"{path.relative_to(ROOT)}: {name}: {match.group(0)[:40]}")
    assert findings == []


def test_env_file_is_never_committed() -> None:
    names = {p.name for p in _tracked_files()}
    assert ".env" not in names
    assert ".env.example" in names


def test_the_scanner_would_see_a_leak() -> None:
    leaks = [
        "-----BEGIN " + "OPENSSH PRIVATE KEY-----",
        "AKIA" + "ABCDEFGHIJKLMNOP",
        "postgresql://loader:" + "Hunter22@db.pemkomedan.go.id/kinerja",
    ]
    for leak in leaks:
        assert any(p.search(leak) for p in PATTERNS.values()), leak
