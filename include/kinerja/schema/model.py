"""The submission templates: sheets, columns, types, code sets and rules."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

Kind = Literal["text", "integer", "number"]
Severity = Literal["error", "warning"]
Periode = Literal["tahunan", "triwulan"]

# Code sets that do not depend on the kota; the others (kode_wilayah, kode_jpd, ...) are
# filled from the catalogue for each agency at validation time.
STATIC_CODES: dict[str, tuple[str, ...]] = {
    "jenis_mutu": ("barang_jasa", "sdm"),
    "jenis_indikator": ("output", "outcome"),
    "status_tindak_lanjut": ("selesai", "proses", "belum"),
    "arah": ("positif", "negatif"),
    "status_tahap": ("selesai", "proses", "belum"),
}


@dataclass(frozen=True)
class Column:
    name: str
    """Machine name: the warehouse column and the suite's column."""
    header: str
    """What the official sees in the header row (Bahasa Indonesia)."""
    kind: Kind = "text"
    required: bool = True
    codes: str | None = None
    """Name of the code set the value must belong to (see `STATIC_CODES` and the catalogue)."""
    min_value: float | None = None
    min_exclusive: bool = False
    max_value: float | None = None
    max_length: int | None = None
    pattern: str | None = None
    """A regular expression every filled value must match (e.g. a web address)."""
    stored: bool = True
    """False for helper columns (names next to codes) that are not loaded."""
    help: str = ""
    width: int = 16


@dataclass(frozen=True)
class PairRule:
    """`left >= right` for every row where both are filled."""

    left: str
    right: str
    severity: Severity
    message: str
    fix: str


@dataclass(frozen=True)
class OnlyFor:
    """Rows where `column` `condition` (e.g. '< 0') are allowed only when their `key` is in the
    code set `codes`, filled per agency (e.g. a growth IKK's numerator N − (N−1) may be below 0,
    no other's may)."""

    column: str
    condition: str
    key: str
    codes: str
    message: str
    fix: str


@dataclass(frozen=True)
class Sheet:
    name: str
    table: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[PairRule, ...] = ()
    only_for: tuple[OnlyFor, ...] = ()
    min_rows: int = 1

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def stored_columns(self) -> list[Column]:
        return [c for c in self.columns if c.stored]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Template:
    code: str
    title: str
    version: str
    sheets: tuple[Sheet, ...]
    instructions: tuple[str, ...] = field(default=())
    periode: Periode = "tahunan"
    """tahunan: one file per year; triwulan: one file per quarter (the Info sheet names it, the
    fact tables carry a `triwulan` column, and each quarter's file replaces only that quarter)."""
    induk: str | None = None
    """The yearly report a periodic one feeds (SPMTW → SPM): owed by the same PDs."""

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    @property
    def info_fields(self) -> tuple[InfoField, ...]:
        """The Info sheet's rows: the common ones, plus the quarter for a quarterly report."""
        return (*INFO_FIELDS, TRIWULAN_FIELD) if self.periode == "triwulan" else INFO_FIELDS


@dataclass(frozen=True)
class InfoField:
    name: str
    label: str
    required: bool = True


INFO_SHEET = "Info"
INFO_FIELDS: tuple[InfoField, ...] = (
    InfoField("kode_pd", "Kode Perangkat Daerah"),
    InfoField("nama_pd", "Nama Perangkat Daerah", required=False),
    InfoField("tahun", "Tahun Pelaporan"),
    InfoField("laporan", "Jenis Laporan"),
    InfoField("versi_template", "Versi Template"),
    InfoField("nama_kontak", "Nama Petugas"),
    InfoField("jabatan_kontak", "Jabatan Petugas", required=False),
    InfoField("email_kontak", "Email Petugas"),
    InfoField("telepon_kontak", "Telepon Petugas", required=False),
)
TRIWULAN_FIELD = InfoField("triwulan", "Triwulan (I-IV)")
"""Only on a quarterly report's Info sheet: which quarter the file reports (I, II, III or IV)."""
TRIWULAN = ("I", "II", "III", "IV")


TAHAP_SPM: tuple[tuple[str, str], ...] = (
    ("pengumpulan_data", "Pengumpulan Data"),
    ("penghitungan_kebutuhan", "Penghitungan Kebutuhan"),
    ("penyusunan_rencana", "Penyusunan Rencana"),
    ("pelaksanaan", "Pelaksanaan"),
)
"""The four stages of applying the SPM (Permendagri 59/2021; e-SPM reports them per JPD)."""


def _count(name: str, header: str, **kw: Any) -> Column:
    """A head count: a whole number, zero or more."""
    return Column(name, header, kind="integer", min_value=0, **kw)


def _amount(name: str, header: str, **kw: Any) -> Column:
    """A quantity or an amount of Rupiah: zero or more."""
    return Column(name, header, kind="number", min_value=0, **kw)


SPM = Template(
    code="SPM",
    title="Capaian Standar Pelayanan Minimal (SPM)",
    version="2025.2",
    instructions=(
        "Isi satu baris per Jenis Pelayanan Dasar (JPD) dan kecamatan pada lembar Penerima.",
        "Harus dilayani = jumlah warga yang berhak; terlayani = yang dilayani sesuai standar.",
        "Isi lembar Mutu dengan target dan realisasi setiap indikator mutu barang/jasa dan SDM.",
        "Lembar Penerapan: per JPD alokasi dan realisasi anggaran (Rp), status empat tahap penerapan "
        "(pengumpulan data, penghitungan kebutuhan, penyusunan rencana, pelaksanaan: selesai/proses/belum), "
        "permasalahan, solusi dan rencana aksi, seperti pada laporan e-SPM.",
        "Ketik angka sebagai angka (misalnya 1234 atau 1234,5), bukan teks; jangan pakai titik ribuan.",
    ),
    sheets=(
        Sheet(
            name="Penerima",
            table="fact_spm_penerima",
            title="Penerima layanan per JPD dan kecamatan",
            key=("kode_jpd", "kode_wilayah"),
            columns=(
                Column(
                    "kode_jpd",
                    "Kode JPD",
                    codes="kode_jpd",
                    width=18,
                    help="Kode jenis pelayanan dasar dari lembar Kode",
                ),
                Column("nama_jpd", "Jenis Pelayanan Dasar", required=False, stored=False, width=40),
                Column(
                    "kode_wilayah",
                    "Kode Wilayah",
                    codes="kode_kecamatan",
                    width=14,
                    help="Kode kecamatan Kemendagri, misalnya 12.71.01",
                ),
                Column("nama_wilayah", "Kecamatan", required=False, stored=False, width=22),
                _count("harus_dilayani", "Harus Dilayani", help="Jumlah warga yang harus dilayani"),
                _count("terlayani", "Terlayani", help="Jumlah warga yang terlayani sesuai standar"),
                Column("keterangan", "Keterangan", required=False, max_length=500, width=30),
            ),
            rules=(
                PairRule(
                    "harus_dilayani",
                    "terlayani",
                    "warning",
                    "Terlayani lebih banyak daripada yang harus dilayani.",
                    "Periksa kembali kedua angka; jika benar, jelaskan di kolom Keterangan.",
                ),
            ),
        ),
        Sheet(
            name="Mutu",
            table="fact_spm_mutu",
            title="Mutu barang/jasa dan SDM per indikator",
            key=("kode_indikator",),
            columns=(
                Column("kode_indikator", "Kode Indikator", codes="kode_mutu", width=22),
                Column("nama_indikator", "Indikator Mutu", required=False, stored=False, width=45),
                Column("jenis", "Jenis (barang_jasa/sdm)", codes="jenis_mutu", width=14),
                Column("satuan", "Satuan", required=False, stored=False, width=12),
                Column(
                    "target",
                    "Target",
                    kind="number",
                    min_value=0,
                    min_exclusive=True,
                    help="Kebutuhan; harus lebih dari 0",
                ),
                _amount("realisasi", "Realisasi"),
            ),
        ),
        Sheet(
            name="Penerapan",
            table="fact_spm_penerapan",
            title="Penerapan SPM per JPD: anggaran, tahapan, permasalahan dan rencana aksi",
            key=("kode_jpd",),
            columns=(
                Column("kode_jpd", "Kode JPD", codes="kode_jpd", width=18),
                Column("nama_jpd", "Jenis Pelayanan Dasar", required=False, stored=False, width=40),
                _amount("alokasi_anggaran", "Alokasi Anggaran (Rp)", width=18),
                _amount("realisasi_anggaran", "Realisasi Anggaran (Rp)", width=18),
                *(
                    Column(f"tahap_{name}", f"Tahap: {label}", codes="status_tahap", width=14)
                    for name, label in TAHAP_SPM
                ),
                Column("permasalahan", "Permasalahan", required=False, max_length=1000, width=30),
                Column("solusi", "Solusi", required=False, max_length=1000, width=30),
                Column("rencana_aksi", "Rencana Aksi", required=False, max_length=1000, width=30),
            ),
            rules=(
                PairRule(
                    "alokasi_anggaran",
                    "realisasi_anggaran",
                    "warning",
                    "Realisasi anggaran SPM melebihi alokasi.",
                    "Periksa kembali kedua angka sesuai DPA dan SP2D.",
                ),
            ),
        ),
    ),
)

LPPD = Template(
    code="LPPD",
    title="Indikator Kinerja Kunci (IKK) LPPD",
    version="2025.1",
    instructions=(
        "Isi pembilang dan penyebut setiap IKK; capaian dihitung oleh sistem.",
        "Penyebut harus lebih dari 0. Cantumkan tautan data dukung bila ada.",
        "Pembilang IKK pertumbuhan (tahun N dikurangi tahun N-1) boleh negatif bila terjadi penurunan; "
        "pembilang IKK lain tidak boleh negatif.",
        "Ketik angka sebagai angka (misalnya 1234 atau 1234,5), bukan teks; jangan pakai titik ribuan.",
    ),
    sheets=(
        Sheet(
            name="IKK",
            table="fact_lppd_ikk",
            title="Pembilang dan penyebut per IKK",
            key=("kode_ikk",),
            columns=(
                Column("kode_ikk", "Kode IKK", codes="kode_ikk", width=16),
                Column("nama_ikk", "Indikator", required=False, stored=False, width=50),
                Column(
                    "pembilang",
                    "Pembilang",
                    kind="number",
                    help="0 atau lebih; negatif hanya untuk IKK pertumbuhan (N − (N−1)) pada lembar Kode",
                ),
                Column("penyebut", "Penyebut", kind="number", min_value=0, min_exclusive=True),
                Column("penjelasan", "Penjelasan", required=False, max_length=1000, width=30),
                Column("data_dukung", "Data Dukung (tautan)", required=False, max_length=500, width=30),
            ),
            only_for=(
                OnlyFor(
                    "pembilang",
                    "< 0",
                    "kode_ikk",
                    "kode_ikk_pertumbuhan",
                    "Pembilang negatif hanya boleh untuk IKK pertumbuhan (tahun N dikurangi tahun N-1).",
                    "Periksa angka ini; untuk IKK lain pembilang adalah jumlah, 0 atau lebih.",
                ),
            ),
        ),
    ),
)

LKPJ = Template(
    code="LKPJ",
    title="Kinerja Program dan Kegiatan (LKPJ)",
    version="2025.2",
    instructions=(
        "Lembar Kinerja: satu baris per indikator program, kegiatan atau sub-kegiatan.",
        "Pisahkan indikator output dan outcome pada kolom Jenis Indikator.",
        "Kolom Arah: 'positif' bila makin tinggi makin baik; 'negatif' bila makin rendah makin baik "
        "(misalnya angka kemiskinan, jumlah kasus, waktu tunggu). Capaian indikator negatif dihitung "
        "target / realisasi × 100.",
        "Pagu dan realisasi anggaran dalam Rupiah, sesuai DPA/SIPD.",
        "Lembar Tindak Lanjut: tindak lanjut rekomendasi DPRD atas LKPJ tahun lalu.",
    ),
    sheets=(
        Sheet(
            name="Kinerja",
            table="fact_lkpj_kinerja",
            title="Target dan realisasi program, kegiatan dan sub-kegiatan",
            key=("kode", "jenis_indikator", "indikator"),
            columns=(
                Column("kode", "Kode Nomenklatur", codes="kode_nomenklatur", width=22),
                Column(
                    "uraian",
                    "Program/Kegiatan/Sub Kegiatan",
                    required=False,
                    stored=False,
                    width=45,
                ),
                Column("jenis_indikator", "Jenis Indikator", codes="jenis_indikator", width=14),
                Column("indikator", "Indikator", max_length=500, width=40),
                Column(
                    "arah",
                    "Arah (positif/negatif)",
                    codes="arah",
                    width=12,
                    help="positif: makin tinggi makin baik; negatif: makin rendah makin baik",
                ),
                Column("satuan", "Satuan", max_length=50, width=12),
                _amount("target", "Target"),
                _amount("realisasi", "Realisasi"),
                _amount("pagu", "Pagu (Rp)", width=18),
                _amount("realisasi_anggaran", "Realisasi Anggaran (Rp)", width=18),
                Column("permasalahan", "Permasalahan", required=False, max_length=1000, width=30),
                Column("solusi", "Solusi", required=False, max_length=1000, width=30),
            ),
            rules=(
                PairRule(
                    "pagu",
                    "realisasi_anggaran",
                    "warning",
                    "Realisasi anggaran melebihi pagu.",
                    "Periksa kembali angka pagu dan realisasi sesuai DPA dan SP2D.",
                ),
            ),
        ),
        Sheet(
            name="Tindak Lanjut",
            table="fact_lkpj_rekomendasi",
            title="Tindak lanjut rekomendasi DPRD atas LKPJ tahun lalu",
            key=("tahun_lkpj", "nomor"),
            min_rows=0,
            columns=(
                Column(
                    "tahun_lkpj",
                    "Tahun LKPJ",
                    kind="integer",
                    min_value=2000,
                    max_value=2100,
                    width=10,
                ),
                Column("nomor", "No", kind="integer", min_value=1, width=6),
                Column("rekomendasi", "Rekomendasi DPRD", max_length=2000, width=45),
                Column("komisi", "Komisi", max_length=100, width=12),
                Column("tindak_lanjut", "Tindak Lanjut", max_length=2000, width=45),
                Column(
                    "status",
                    "Status (selesai/proses/belum)",
                    codes="status_tindak_lanjut",
                    width=14,
                ),
                Column("bukti", "Bukti (tautan/dokumen)", required=False, max_length=500, width=30),
            ),
        ),
    ),
)

MAKRO = Template(
    code="MAKRO",
    title="Indikator Makro Daerah (angka BPS)",
    version="2025.1",
    instructions=(
        "Diisi Bappeda: satu baris per indikator makro, dengan angka resmi BPS.",
        "Nilai: angka seperti dalam publikasi BPS (persen tanpa tanda %, IPM 0-100, Gini 0-1, PDRB per "
        "kapita dalam juta rupiah). Pertumbuhan ekonomi boleh negatif.",
        "Tahun data: tahun yang diukur angka itu (bisa tahun sebelumnya bila angka terbaru belum terbit).",
        "Sumber: nama publikasi BPS (misalnya 'BPS Kota Medan, Berita Resmi Statistik IPM 2025'); "
        "tautan: alamat web publikasi itu (https://...).",
    ),
    sheets=(
        Sheet(
            name="Makro",
            table="fact_makro_indikator",
            title="Indikator makro daerah: nilai, tahun data dan sumber BPS",
            key=("kode_indikator",),
            columns=(
                Column("kode_indikator", "Kode Indikator", codes="kode_makro", width=16),
                Column("nama_indikator", "Indikator", required=False, stored=False, width=45),
                Column("satuan", "Satuan", required=False, stored=False, width=12),
                Column("nilai", "Nilai", kind="number", help="Angka BPS; pertumbuhan ekonomi boleh negatif"),
                Column("tahun_data", "Tahun Data", kind="integer", min_value=2000, max_value=2100, width=10),
                Column("sumber", "Sumber (publikasi BPS)", max_length=300, width=40),
                Column(
                    "tautan",
                    "Tautan Sumber",
                    max_length=500,
                    pattern=r"^https?://\S+$",
                    width=40,
                    help="Alamat web publikasi BPS, diawali https://",
                ),
                Column("keterangan", "Keterangan", required=False, max_length=500, width=30),
            ),
            only_for=(
                OnlyFor(
                    "nilai",
                    "< 0",
                    "kode_indikator",
                    "kode_makro_boleh_negatif",
                    "Nilai negatif hanya mungkin untuk pertumbuhan ekonomi.",
                    "Periksa angka dan tandanya pada publikasi BPS.",
                ),
                OnlyFor(
                    "nilai",
                    "> 1",
                    "kode_indikator",
                    "kode_makro_di_atas_1",
                    "Rasio Gini selalu antara 0 dan 1.",
                    "Tulis rasio Gini sebagai pecahan, misalnya 0,38 (bukan 38).",
                ),
                OnlyFor(
                    "nilai",
                    "> 100",
                    "kode_indikator",
                    "kode_makro_di_atas_100",
                    "Nilai di atas 100 tidak mungkin untuk indikator ini (persen atau indeks 0-100).",
                    "Periksa angka; persen ditulis tanpa tanda %, misalnya 8,07.",
                ),
            ),
        ),
    ),
)

APBD = Template(
    code="APBD",
    title="Ringkasan APBD: Anggaran dan Realisasi",
    version="2025.1",
    instructions=(
        "Diisi BPKAD: satu baris per kelompok akun APBD (pendapatan, belanja, pembiayaan).",
        "Anggaran = APBD perubahan (bila ada), realisasi = laporan realisasi anggaran akhir tahun, "
        "dalam Rupiah.",
        "SILPA dan jumlah per kelompok dihitung oleh sistem; jangan menambah baris jumlah.",
        "Ketik angka sebagai angka (misalnya 1234567890), bukan teks; jangan pakai titik ribuan.",
    ),
    sheets=(
        Sheet(
            name="APBD",
            table="fact_apbd_akun",
            title="Anggaran dan realisasi APBD per kelompok akun",
            key=("kode_akun",),
            columns=(
                Column("kode_akun", "Kode Akun", codes="kode_akun_apbd", width=12),
                Column("uraian", "Uraian", required=False, stored=False, width=45),
                _amount("anggaran", "Anggaran (Rp)", width=20),
                _amount("realisasi", "Realisasi (Rp)", width=20),
                Column("keterangan", "Keterangan", required=False, max_length=500, width=30),
            ),
        ),
    ),
)


def _quarterly(sheet: Sheet, table: str, title: str, headers: dict[str, str]) -> Sheet:
    """A sheet of the yearly SPM as the quarterly e-SPM report asks it: same columns and rules,
    its own fact table, some headers saying 's.d. triwulan ini'."""
    columns = tuple(replace(c, header=headers.get(c.name, c.header)) for c in sheet.columns)
    return replace(sheet, table=table, title=title, columns=columns)


SPMTW = Template(
    code="SPMTW",
    title="Laporan SPM Triwulanan (e-SPM)",
    version="2025.1",
    periode="triwulan",
    induk="SPM",
    instructions=(
        "Satu berkas per triwulan (I: Januari-Maret ... IV: Oktober-Desember); isi Triwulan pada "
        "lembar Info. Berkas triwulan yang sama yang dikirim ulang menggantikan yang lama.",
        "Angka kumulatif sejak awal tahun: Harus Dilayani = sasaran setahun (sama setiap triwulan); "
        "Terlayani dan Realisasi Anggaran = sampai dengan akhir triwulan ini. Triwulan IV = angka "
        "setahun, yang diperiksa terhadap laporan SPM tahunan.",
        "Status empat tahap penerapan, permasalahan, solusi dan rencana aksi: keadaan pada akhir "
        "triwulan, seperti pada aplikasi e-SPM.",
        "Ketik angka sebagai angka (misalnya 1234 atau 1234,5), bukan teks; jangan pakai titik ribuan.",
    ),
    sheets=(
        _quarterly(
            SPM.sheet("Penerima"),
            "fact_spmtw_penerima",
            "Penerima layanan per JPD dan kecamatan, kumulatif s.d. triwulan",
            {
                "harus_dilayani": "Harus Dilayani (setahun)",
                "terlayani": "Terlayani s.d. Triwulan Ini",
            },
        ),
        _quarterly(
            SPM.sheet("Penerapan"),
            "fact_spmtw_penerapan",
            "Penerapan SPM per JPD s.d. triwulan: anggaran, tahapan, permasalahan, rencana aksi",
            {"realisasi_anggaran": "Realisasi Anggaran s.d. Triwulan (Rp)"},
        ),
    ),
)

TEMPLATES: dict[str, Template] = {t.code: t for t in (SPM, LPPD, LKPJ, MAKRO, APBD, SPMTW)}
LAPORAN: tuple[str, ...] = tuple(code for code, t in TEMPLATES.items() if t.periode == "tahunan")
"""Every yearly report a PD may owe, in the order boards and tables show them."""
LAPORAN_TRIWULAN: tuple[str, ...] = tuple(code for code, t in TEMPLATES.items() if t.periode == "triwulan")
"""Optional quarterly reports (e-SPM): shown on the board per quarter, never reminded."""


def triwulan_number(value: object) -> int | None:
    """'I'..'IV', 1..4 or 'TW II' → 1..4; anything else → None."""
    text = str(value if value is not None else "").strip().upper().removeprefix("TRIWULAN").strip()
    text = text.removeprefix("TW").strip().removesuffix(".0")
    if text in TRIWULAN:
        return TRIWULAN.index(text) + 1
    return int(text) if text in ("1", "2", "3", "4") else None


def template(code: str) -> Template:
    return TEMPLATES[code]
