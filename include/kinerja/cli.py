"""The `kinerja` command: the DAGs' code paths, in-process, for engineers and benchmarks.

kinerja sample  --year Y --out DIR [--seed N] [--kota N [--pd-per-kota K]]
kinerja collect --year Y --source PATH --warehouse URL [--json]
kinerja check   FILE [--pd KODE] [--year Y] [--warehouse URL] [--json]
kinerja status  --year Y --warehouse URL [--json]
kinerja report  --year Y --warehouse URL --out DIR [--json]
kinerja publish --year Y [--portal URL] [--dry-run] [--json]   (token: KINERJA_CKAN_TOKEN)
kinerja lineage --dataset NAME --year Y [--warehouse URL] [--json]
kinerja template --report SPM|LPPD|LKPJ|MAKRO|APBD|SPMTW --pd KODE --year Y --out FILE
                 [--triwulan I-IV] [--dari-triwulan-iv [--warehouse URL]]
kinerja suites  [--write]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinerja.config import PROJECT_ROOT, Settings
from kinerja.heap import for_batch_work
from kinerja.schema.model import LAPORAN, LAPORAN_TRIWULAN, TRIWULAN

if TYPE_CHECKING:
    from kinerja.catalog.loader import Catalog
    from kinerja.runtime import Runtime

CKAN_URL_ENV = "KINERJA_CKAN_URL"
CKAN_TOKEN_ENV = "KINERJA_CKAN_TOKEN"
"""For the help texts; `kinerja.config.Settings` reads them (`ckan_url`, `ckan_token`)."""


def _runtime(args: argparse.Namespace, *, read_only: bool = False) -> Runtime:
    """The command's runtime: its settings, the catalogue of `--city`, the warehouse of
    `--warehouse` (else the settings'). `read_only` (status, report, lineage): the read-only URL
    (KINERJA_WAREHOUSE_READ_URL) unless one is given; a read-only login cannot migrate, so the
    schema is only brought up to date when the URL is the writer's (the default). `collect`
    migrates as it prepares (`pipeline.open_run`)."""
    from kinerja.runtime import Runtime

    settings: Settings = args.settings
    url = args.warehouse or (settings.warehouse_read_url if read_only else settings.warehouse_url)
    migrated = read_only and url == settings.warehouse_url
    return Runtime.open(settings, warehouse_url=url, city=args.city, migrated=migrated)


def _catalog(args: argparse.Namespace) -> Catalog:
    """The catalogue of `--city` from the settings' reference folder (commands with no warehouse)."""
    from kinerja.catalog import load_catalog

    return load_catalog(args.city, args.settings.reference_dir)


def cmd_sample(args: argparse.Namespace) -> int:
    from kinerja.sample import SampleShares, as_dicts, generate_national, generate_year

    shares = SampleShares(late=args.late, missing=args.missing, defective=args.defective)
    if args.kota:
        files = generate_national(
            _catalog(args), args.kota, args.year, Path(args.out), args.seed, shares, args.pd_per_kota
        )
    else:
        files = generate_year(
            _catalog(args), args.year, Path(args.out), args.seed, shares, triwulan=args.triwulan
        )
    if args.json:
        print(json.dumps(as_dicts(files), indent=1))
    else:
        kinds: dict[str, int] = {}
        for f in files:
            key = f.kind.split(":")[0]
            kinds[key] = kinds.get(key, 0) + 1
        where = f"{args.out}/{args.year}"
        if args.kota:
            where = f"{args.kota} kota di {args.out}/<kota>/{args.year}"
        print(
            f"{len(files)} berkas ditulis ke {where}: "
            + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
        )
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    from kinerja.cells import format_table
    from kinerja.intake.collect import summarise
    from kinerja.pipeline import open_run
    from kinerja.sources.connections import DriveSpec

    run = open_run(
        _runtime(args),
        args.year,
        DriveSpec(args.source),
        prepare=True,
        archive_dir=Path(args.archive) if args.archive else None,
        settle_seconds=args.settle,
    )
    started = time.perf_counter()
    tty = sys.stderr.isatty() and not args.json

    def progress(outcome: Any) -> None:
        if tty:
            print(f"  {outcome.status:9} {outcome.path}", file=sys.stderr)

    outcomes = run.run(on_file=progress)
    elapsed = time.perf_counter() - started
    smtp_url = args.settings.smtp_url
    mail = _mail_feedback(run, args.settings, smtp_url) if smtp_url else None
    if mail is not None:
        print(
            f"e-mail umpan balik: {mail.sent} dari {mail.planned} terkirim"
            + (f"; sisanya dicoba lagi pada run berikutnya ({mail.error})" if mail.error else ""),
            file=sys.stderr,
        )
    if args.settings.imap_url:
        print(f"e-mail yang dipantulkan: {_read_bounces(run, args.settings).summary()}", file=sys.stderr)
    if args.json:
        for o in outcomes:
            print(json.dumps(o.to_json(), ensure_ascii=False))
        return 0
    print(
        "\n".join(
            format_table(
                ["berkas", "PD", "laporan", "status", "versi", "galat", "peringatan"],
                [
                    [
                        o.path,
                        o.kode_pd,
                        o.laporan or "-",
                        o.status + (" (terlambat)" if o.terlambat else ""),
                        o.version or "-",
                        len(o.errors),
                        len(o.warnings),
                    ]
                    for o in outcomes
                ],
            )
        )
    )
    counts = summarise(outcomes)
    print(
        f"\n{len(outcomes)} berkas dalam {elapsed:.1f} s: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )
    return 0


def _mail_feedback(run: Any, settings: Settings, url: str) -> Any:
    """A mail per processed version, through the server in KINERJA_SMTP_URL (`settings.smtp_url`)."""
    from kinerja.notify import send_file_mails, smtp_from_url

    return send_file_mails(
        run.engine,
        run.catalog,
        run.tahun,
        run.archive_dir,
        lambda: smtp_from_url(url, settings.smtp_user, settings.smtp_password),
        sender=settings.email_from,
        reply_to=settings.operator_emails,
    )


def _read_bounces(run: Any, settings: Settings) -> Any:
    """Bounced mail in the mailbox of KINERJA_IMAP_URL (`settings.imap_url`) written to the
    sent-ledger, as the DAG's `read_bounces` task does."""
    from kinerja.notify.bounces import imap_folder, imap_from_url, read_mailbox_bounces

    url = settings.imap_url
    assert url
    return read_mailbox_bounces(
        lambda: imap_from_url(url, settings.imap_user, settings.imap_password), run.engine, imap_folder(url)
    )


def _check_warehouse(args: argparse.Namespace) -> Any:
    """For `check`: the warehouse to compare an SPM/SPMTW file with (only read, never migrated):
    `--warehouse`, else the configured reader's URL unless that is a SQLite file not yet there."""
    from sqlalchemy.engine import make_url

    from kinerja.warehouse.db import engine_for

    url = args.warehouse or args.settings.warehouse_read_url
    parsed = make_url(url)
    missing = not parsed.database or parsed.database == ":memory:" or not Path(parsed.database).is_file()
    if not args.warehouse and parsed.get_backend_name() == "sqlite" and missing:
        return None
    return engine_for(url)


def cmd_check(args: argparse.Namespace) -> int:
    from kinerja.cells import format_table
    from kinerja.intake.check import check_file

    path = Path(args.file)
    if not path.is_file():
        print(f"berkas tidak ditemukan: {path}", file=sys.stderr)
        return 2
    try:
        result = check_file(
            path,
            _catalog(args),
            args.pd,
            args.year,
            suites=args.settings.expectations_dir,
            engine=_check_warehouse(args),
        )
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
        return 1 if result.errors else 0
    verdict = "DITOLAK" if result.errors else "DITERIMA"
    print(
        f"{path}: {verdict} ({len(result.errors)} kesalahan, {len(result.warnings)} peringatan)"
        f" - PD {result.kode_pd or '?'}, tahun {result.tahun}, laporan {result.judgement.laporan or '?'}"
    )
    for note in result.notes:
        print(f"  ({note})")
    if result.judgement.issues:
        rows = [
            [i.severity, i.sheet or "-", i.row or "-", i.column or "-", i.value or "-", i.message, i.fix]
            for i in result.judgement.issues
        ]
        headers = ["tingkat", "lembar", "baris", "kolom", "nilai", "masalah", "perbaikan"]
        print("\n".join(format_table(headers, rows)))
    return 1 if result.errors else 0


def cmd_status(args: argparse.Namespace) -> int:
    from kinerja.status.summary import status_json, status_lines

    rt = _runtime(args, read_only=True)
    engine, catalog = rt.engine, rt.catalog
    if args.json:
        print(json.dumps(status_json(engine, catalog, args.year), ensure_ascii=False, indent=1))
    else:
        print("\n".join(status_lines(engine, catalog, args.year)))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from kinerja.build import build_outputs

    rt = _runtime(args, read_only=True)
    summary = build_outputs(
        rt.engine, rt.catalog, args.year, Path(args.out), public_url=rt.settings.public_url
    )
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=1))
        return 0
    print(summary["ringkasan"])
    print(
        f"\n{len(summary['files'])} berkas ({summary['pd_bundles']} bundel PD) ditulis ke {args.out} "
        f"dalam {summary['elapsed_s']:.1f} s: city.xlsx, laporan.html, laporan.pdf, pd/<KODE_PD>/"
    )
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from kinerja.pipeline import sync_satu_data
    from kinerja.satudata.ckan import SyncError
    from kinerja.satudata.privacy import PersonalDataError

    settings: Settings = args.settings
    portal = args.portal or settings.ckan_url
    if not portal and not args.dry_run:
        print(f"alamat portal belum diatur: --portal URL atau {CKAN_URL_ENV}", file=sys.stderr)
        return 2
    try:
        synced = sync_satu_data(
            settings, args.year, portal, settings.ckan_token, dry_run=args.dry_run, folder=args.source
        )
    except (SyncError, PersonalDataError, FileNotFoundError, ValueError) as exc:
        if args.json and isinstance(exc, SyncError):
            print(
                json.dumps({"error": str(exc), "langkah": [vars(s) for s in exc.steps]}, ensure_ascii=False)
            )
        print(exc, file=sys.stderr)
        return 1
    result = synced.to_json()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    for s in result["langkah"]:
        tahun = f" {s['tahun']}" if s["tahun"] else ""
        print(f"{s['op']:<9} {s['target']:<10} {s['name']}{tahun}")
    n = result["jumlah"]
    head = (
        "Rencana (dry run" + ("" if portal else ", tanpa portal: semua dianggap baru") + ")"
        if args.dry_run
        else "Selesai"
    )
    print(f"\n{head}: {n['create']} dibuat, {n['update']} diperbarui, {n['unchanged']} tidak berubah")
    return 0


def cmd_lineage(args: argparse.Namespace) -> int:
    from kinerja.lineage import lineage, lineage_lines

    try:
        result = lineage(_runtime(args, read_only=True).engine, args.dataset, args.year)
    except LookupError as exc:
        print(exc.args[0], file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print("\n".join(lineage_lines(result)))
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from kinerja.schema import TEMPLATES
    from kinerja.schema.excel import build_workbook, write_workbook

    catalog = _catalog(args)
    pd = catalog.pd(args.pd)
    if pd is None:
        print(f"PD '{args.pd}' tidak dikenal", file=sys.stderr)
        return 2
    if not pd.aktif_pada_tahun(args.year):
        print(f"{pd.nama} ({pd.kode_pd}) tidak aktif pada tahun {args.year}.", file=sys.stderr)
        return 2
    wajib = catalog.laporan_wajib(pd)
    tpl = TEMPLATES[args.report]
    if (tpl.induk or args.report) not in wajib:
        # The collection would reject the file anyway: say so before anyone fills it in.
        print(
            f"{pd.nama} ({pd.kode_pd}) tidak wajib menyerahkan laporan {args.report}: "
            f"{catalog.alasan_tidak_wajib(tpl.induk or args.report)}. "
            f"Laporan yang wajib: {', '.join(wajib) or 'tidak ada'}.",
            file=sys.stderr,
        )
        return 2
    info = {"triwulan": args.triwulan} if args.triwulan and tpl.periode == "triwulan" else None
    rows = None
    if args.dari_triwulan_iv:
        if args.report != "SPM":
            print("--dari-triwulan-iv hanya untuk laporan SPM (tahunan)", file=sys.stderr)
            return 2
        from kinerja.intake.triwulan import yearly_rows_from_quarter_iv

        with _runtime(args, read_only=True).engine.connect() as conn:
            rows = yearly_rows_from_quarter_iv(conn, catalog, pd, args.year)
        if rows is None:
            print(
                f"Belum ada laporan e-SPM triwulan IV {args.year} yang valid dari {pd.nama} ({pd.kode_pd}) "
                "di gudang data: tidak ada yang bisa diisikan.",
                file=sys.stderr,
            )
            return 2
    write_workbook(build_workbook(tpl, catalog, pd, args.year, rows, info=info), Path(args.out))
    print(args.out)
    return 0


def cmd_suites(args: argparse.Namespace) -> int:
    from kinerja.schema.suites import write_suites

    if args.write:
        for path in write_suites(PROJECT_ROOT / "expectations"):
            print(path.relative_to(PROJECT_ROOT))
    else:
        from kinerja.schema.suites import all_suites

        print(json.dumps(all_suites(), indent=1, ensure_ascii=False))
    return 0


def build_parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    """The command line; `settings` (default: from the environment) give the defaults and are
    handed to the command as `args.settings`."""
    settings = settings or Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="kinerja", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.set_defaults(settings=settings, warehouse=None)
    parser.add_argument(
        "--city",
        default=settings.city,
        help="reference data folder of the kota (default: %(default)s)",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sample", help="write a realistic year of submissions to a folder")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--late", type=float, default=0.08, help="share of late files")
    p.add_argument("--missing", type=float, default=0.05, help="share of missing files")
    p.add_argument("--defective", type=float, default=0.12, help="share of defective files")
    p.add_argument(
        "--kota",
        type=int,
        default=0,
        help="a synthetic national year of N kota derived from --city: OUT/reference/ (catalogues, "
        "cities/sintetis-NNN/) and one drive per kota, OUT/sintetis-NNN/",
    )
    p.add_argument("--pd-per-kota", type=int, help="with --kota: only this many agencies per kota")
    p.add_argument(
        "--triwulan",
        action="store_true",
        help="also the optional quarterly e-SPM files (SPMTW, triwulan I-IV) of every PD owing the SPM",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("collect", help="collect, validate and load a year from a drive")
    p.add_argument("--year", type=int, required=True)
    p.add_argument(
        "--source",
        required=True,
        help="shared drive: a folder, smb://user@host[:port]/share[/root] or "
        "sftp://user@host[:port][/root]; password from KINERJA_DRIVE_PASSWORD",
    )
    p.add_argument("--warehouse", help="SQLAlchemy URL (default: the embedded SQLite file)")
    p.add_argument("--archive", help="archive folder for raw bytes (default: data/archive)")
    p.add_argument("--settle", type=float, help="seconds a file must be unchanged")
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.set_defaults(func=cmd_collect)

    p = sub.add_parser("check", help="every check on one workbook, nothing loaded (exit 1 when rejected)")
    p.add_argument("file", help="the workbook (.xlsx)")
    p.add_argument("--pd", help="the agency whose folder it would be in (default: the file's folder)")
    p.add_argument("--year", type=int, help="the reporting year (default: the folder above, else Info)")
    p.add_argument(
        "--warehouse",
        help="SQLAlchemy URL, only read: SPM/SPMTW files are also checked against the quarters and the "
        "year already collected (default: KINERJA_WAREHOUSE_READ_URL when that warehouse exists)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object: status, errors, warnings")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("status", help="what was received, rejected and loaded; SPM achievement")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--warehouse", help="SQLAlchemy URL (default: KINERJA_WAREHOUSE_READ_URL)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("report", help="compute the year's reports and write workbook, HTML, PDF, PD bundles")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--warehouse", help="SQLAlchemy URL (default: KINERJA_WAREHOUSE_READ_URL)")
    p.add_argument("--out", required=True, help="folder for city.xlsx, laporan.html/.pdf and pd/<KODE_PD>/")
    p.add_argument("--json", action="store_true", help="print the summary (headline figures, files) as JSON")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("publish", help="publish the approved year's Satu Data export to the CKAN portal")
    p.add_argument("--year", type=int, required=True)
    p.add_argument(
        "--portal", help=f"CKAN portal URL (default: {CKAN_URL_ENV}); API token from {CKAN_TOKEN_ENV}"
    )
    p.add_argument("--from", dest="source", help="satu-data folder (default: published/<tahun>/satu-data)")
    p.add_argument("--dry-run", action="store_true", help="print the plan (create / update / unchanged) only")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("lineage", help="which agency files a published Satu Data dataset came from")
    p.add_argument("--dataset", required=True, help="published (CKAN) dataset name")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--warehouse")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_lineage)

    p = sub.add_parser("template", help="write an empty template for one agency")
    p.add_argument("--report", choices=[*LAPORAN, *LAPORAN_TRIWULAN], required=True)
    p.add_argument("--pd", required=True)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--triwulan", choices=TRIWULAN, help="SPMTW: the quarter written on the Info sheet")
    p.add_argument(
        "--dari-triwulan-iv",
        action="store_true",
        help="SPM: prefill Penerima and Penerapan from the PD's loaded e-SPM quarter IV (= the year)",
    )
    p.add_argument(
        "--warehouse", help="with --dari-triwulan-iv: SQLAlchemy URL (default: KINERJA_WAREHOUSE_READ_URL)"
    )
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("suites", help="print (or --write) the expectation suites")
    p.add_argument("--write", action="store_true")
    p.set_defaults(func=cmd_suites)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for_batch_work()
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
