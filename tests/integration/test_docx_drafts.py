"""The three .docx drafts (LKPJ, LPPD, SPM): written by `kinerja report`, opened and converted to
PDF by a real headless LibreOffice (Debian libreoffice-writer-nogui, installed on demand through
scripts/ensure-system-packages.sh), their chapters and figures read back from the PDF; a kota's
own chapter skeleton and letterhead template."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest
from docx import Document
from kinerja.catalog import Catalog
from kinerja.catalog.loader import REFERENCE_DIR
from kinerja.cells import doc_text
from kinerja.cli import main
from kinerja.reports.charts import city_charts
from kinerja.reports.docx import DOKUMEN, FILE_NAMES, PENANDA, ROMAWI, load_kerangka, write_drafts
from kinerja.reports.table import Table
from kinerja.reports.tables import city_tables
from kinerja.reports.year import build_year
from kinerja.sample import SampleShares
from kinerja.warehouse.db import engine_for

from ..conftest import collected_sample_year

PROJECT = Path(__file__).resolve().parents[2]
ENSURE_PACKAGES = PROJECT / "scripts" / "ensure-system-packages.sh"


@pytest.fixture(scope="module")
def soffice() -> str:
    if not shutil.which("soffice") or not Path("/usr/lib/libreoffice/program/swriter").exists():
        done = subprocess.run(
            ["bash", str(ENSURE_PACKAGES), "libreoffice-writer-nogui"], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.fail(
                "LibreOffice Writer is needed to open the drafts and could not be installed with scripts/"
                f"ensure-system-packages.sh libreoffice-writer-nogui:\n{(done.stdout + done.stderr)[-2000:]}"
            )
    path = shutil.which("soffice")
    assert path, "soffice is not on PATH after installing libreoffice-writer-nogui"
    return path


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> tuple[str, Path]:
    root = tmp_path_factory.mktemp("drafts")
    url, engine, _ = collected_sample_year(
        catalog, root, seed=5, shares=SampleShares(late=0.2, missing=0.1, defective=0.1)
    )
    engine.dispose()
    return url, root


def _to_pdf(soffice: str, docx: Path, out: Path, profile: Path) -> str:
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = out / f"{docx.stem}.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stdout + done.stderr
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)


def _sample_figures(table: Table, n: int = 4) -> list[str]:
    """A few percentages of a table as the document must print them (Indonesian format)."""
    figures = []
    for row in table.rows:
        for col, value in zip(table.cols, row, strict=True):
            if col.kind == "pct" and value is not None:
                figures.append(doc_text(value, col.kind))
                break
    step = max(1, len(figures) // n)
    return figures[::step][:n]


def test_report_writes_three_drafts_libreoffice_opens(
    year: tuple[str, Path],
    catalog: Catalog,
    soffice: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _ = year
    out = tmp_path / "laporan"
    assert main(["report", "--year", "2025", "--warehouse", url, "--out", str(out), "--json"]) == 0
    summary: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert set(FILE_NAMES.values()) <= set(summary["files"])

    engine = engine_for(url)
    report = build_year(engine, catalog, 2025)
    engine.dispose()
    tables = {t.name: t for t in city_tables(report)}
    kerangka = load_kerangka(catalog.city, list(tables))
    for kode in DOKUMEN:
        text = _to_pdf(soffice, out / FILE_NAMES[kode], tmp_path / "pdf", tmp_path / "lo-profile")
        flat = " ".join(text.split())
        # Every chapter, in the configured order, numbered BAB I, II, ...
        positions = []
        for i, bab in enumerate(kerangka[kode].bab):
            heading = f"BAB {ROMAWI[i]} {bab.judul.upper()}"
            assert heading in flat, f"{kode}: {heading}"
            positions.append(flat.index(heading))
        assert positions == sorted(positions), kode
        # The marked places for the tim ahli's narrative, one per configured sub-section.
        assert flat.count(PENANDA) >= sum(len(b.narasi) for b in kerangka[kode].bab)
        # Figures of each table placed in the document, in Indonesian number format.
        for bab in kerangka[kode].bab:
            for name in bab.tabel:
                assert tables[name].title in flat, f"{kode}: caption of {name}"
                for figure in _sample_figures(tables[name]):
                    assert figure in flat, f"{kode}: {name}: {figure}"
    assert f"{doc_text(report.spm.daerah, 'pct')}" in flat  # the SPM draft's kota figure


def test_a_kota_reorders_chapters_and_brings_its_letterhead(
    year: tuple[str, Path], catalog: Catalog, tmp_path: Path
) -> None:
    url, _ = year
    base = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, base)
    own = base / "cities" / catalog.city
    (own / "dokumen.yaml").write_text(
        """
dokumen:
  LKPJ:
    judul: "LKPJ Wali Kota {tahun}"
    bab:
      - {judul: Tindak Lanjut DPRD, tabel: [Tindak Lanjut PD]}
      - {judul: Pembukaan, narasi: [Latar belakang]}
  LPPD:
    judul: "LPPD {tahun}"
    bab: [{judul: Capaian IKK, tabel: [LPPD IKK], grafik: [ikk_terendah]}]
  SPM:
    judul: "SPM {tahun}"
    bab: [{judul: Capaian, tabel: [SPM Bidang], grafik: [spm_bidang]}]
""",
        encoding="utf-8",
    )
    letterhead = Document()
    letterhead.sections[0].header.paragraphs[0].text = "PEMERINTAH KOTA MEDAN - KOP SURAT"
    letterhead.add_paragraph("isi contoh yang dibuang")
    letterhead.styles["Heading 1"].font.name = "Georgia"
    letterhead.save(str(own / "templat_dokumen.docx"))

    engine = engine_for(url)
    report = build_year(engine, catalog, 2025)
    engine.dispose()
    tables = city_tables(report)
    written = write_drafts(
        catalog.city,
        tables,
        city_charts(report),
        tmp_path / "out",
        tahun=2025,
        kota=catalog.nama,
        cover_lines=["Capaian contoh"],
        dibuat="01-02-2026",
        base=base,
    )
    lkpj = Document(str(written[0]))
    headings = [p.text for p in lkpj.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == ["BAB I  TINDAK LANJUT DPRD", "BAB II  PEMBUKAAN"]
    assert lkpj.sections[0].header.paragraphs[0].text == "PEMERINTAH KOTA MEDAN - KOP SURAT"
    assert lkpj.styles["Heading 1"].font.name == "Georgia"
    assert not any("isi contoh yang dibuang" in p.text for p in lkpj.paragraphs)
    assert any(p.text.startswith(PENANDA) for p in lkpj.paragraphs)
    tindak_lanjut = next(t for t in tables if t.name == "Tindak Lanjut PD")
    assert len(lkpj.tables) == 1
    assert [c.text for c in lkpj.tables[0].rows[0].cells] == [c.header for c in tindak_lanjut.cols]
    assert len(lkpj.tables[0].rows) == len(tindak_lanjut.rows) + 1
    lppd = Document(str(written[1]))
    assert len(lppd.inline_shapes) == 1 and len(lppd.tables) == 1

    # A misspelt table is refused with the place to fix, before anything is written.
    (own / "dokumen.yaml").write_text(
        (own / "dokumen.yaml").read_text().replace("[LPPD IKK]", "[LPPD IKC]"), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="LPPD bab 1: tabel 'LPPD IKC' tidak dikenal"):
        load_kerangka(catalog.city, [t.name for t in tables], base)
