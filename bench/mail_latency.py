"""From a file landing on the drive to its feedback mail arriving, through collect_submissions.

    uv run python bench/mail_latency.py [--repeat 3]

Starts its own Airflow home, API server (127.0.0.1 only), a real SMTP server (aiosmtpd, a
Maildir) and a drive holding a collected sample of four agencies. Then, `--repeat` times: a
new version lands on the drive and the DAG runs at once, as the scheduler does at a tick
(`airflow dags test --use-executor`: scheduler loop, LocalExecutor, task processes); the figure is
the landing time to the time the mail server stored the mail. The schedule adds the wait for the
next tick: the run collects every 10 minutes (`*/10`, January-March) and leaves a file younger
than the settle interval (30 s) for the next one, so on the schedule a mail arrives 0-10.5 min
(mean ~5 min) plus the figure below after the file landed. Compared with what agencies had before
(the feedback waited on the drive until the next reminder, 07:00 the next day: ~12 h on average).
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import airflow_env, api_server, command, free_port

AGENCIES = ("DINKES", "BAPPEDA", "DISDIKBUD", "KEC-MEDAN-KOTA")
TICK_S, SETTLE_S = 600, 30


def main() -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox
    from kinerja.catalog import load_catalog
    from kinerja.sample import SampleShares, generate_year

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="kinerja-mailbench-"))
    maildir = home / "maildir"
    smtp = Controller(Mailbox(maildir), hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    smtp_conn = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": smtp.port,
        "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "laporan@kinerja.example"},
    }
    env = airflow_env(home, port, 2, AIRFLOW_CONN_KINERJA_SMTP=json.dumps(smtp_conn), KINERJA_DATA_DOCS="0")

    def run(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)

    def dag_run() -> None:
        conf = json.dumps({"tahun": args.year})
        run("airflow", "dags", "test", "collect_submissions", "--use-executor", "--conf", conf)

    def mails() -> dict[str, float]:
        box = mailbox.Maildir(maildir, create=False)
        return {k: (maildir / "new" / k).stat().st_mtime for k in box.iterkeys()}

    run("airflow", "db", "migrate")
    run("airflow", "pools", "set", "kinerja_warehouse", "2", "bench")
    shares = SampleShares(late=0, missing=0, defective=0.3, corrected=1)
    catalog = load_catalog("medan")
    files = generate_year(catalog, args.year, home / "drive", seed=1, only=AGENCIES, shares=shares)
    latencies, runs = [], []
    try:
        with api_server(env, port):
            dag_run()  # the sample year: loaded and mailed (one mail per version)
            first = len(mails())
            valid = [home / "drive" / f.path for f in files if f.kind in ("valid", "corrected")]
            for n in range(args.repeat):
                before = set(mails())
                src = valid[n % len(valid)]
                landed = time.time()
                target = src.with_name(f"{src.stem}_versi{n + 2}.xlsx")
                shutil.copyfile(src, target)  # lands now: its time on the drive is its receipt time
                t = time.perf_counter()
                dag_run()
                runs.append(time.perf_counter() - t)
                new = {k: v for k, v in mails().items() if k not in before}
                assert len(new) == 1, f"expected one new mail, got {len(new)}"
                latencies.append(max(new.values()) - landed)
    finally:
        smtp.stop()
    load = os.getloadavg()[0]
    mean_wait = TICK_S / 2 + SETTLE_S  # a file landing < SETTLE_S before a tick waits one more
    processing = statistics.median(latencies)
    print(f"# {command()}")
    print(f"sample: {len(files)} files of {len(AGENCIES)} agencies, {first} mails; load avg {load:.1f}")
    print(
        f"landing -> mail stored, DAG run at once (LocalExecutor): median {processing:.1f} s, "
        f"max {max(latencies):.1f} s over {len(latencies)} files (DAG run {statistics.median(runs):.1f} s)"
    )
    print(
        f"on the */10 schedule, {SETTLE_S} s settle: + 0-{(TICK_S + SETTLE_S) / 60:.1f} min to the tick, "
        f"mean {mean_wait / 60:.1f} min -> mean {(mean_wait + processing) / 60:.1f} min, "
        f"worst {(TICK_S + SETTLE_S + max(latencies)) / 60:.1f} min"
    )
    before = 12 * 3600
    print(
        f"vs. feedback waiting for the next 07:00 reminder (mean ~12 h): "
        f"{before / (mean_wait + processing):.0f}x sooner on average"
    )
    print(f"airflow home: {home}")


if __name__ == "__main__":
    main()
