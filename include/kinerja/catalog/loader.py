"""Typed loaders for the reference tables (csv/yaml) of one kota."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from kinerja.catalog.scoring import Scoring, load_scoring

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"
DEFAULT_PENGINGAT_HARI = (7, 3, 1, 0)
KECAMATAN = "KECAMATAN"
"""Owner code in the IKK and nomenclature tables meaning: every kecamatan reports this row."""


def catalogue_file(city: str, name: str, base: Path | None = None) -> Path:
    """A catalogue file of `base` (default: the shipped folder): the kota's own copy when it
    has one, else the shared one. With a `Catalog` at hand, pass `catalog.reference`."""
    root = base or REFERENCE_DIR
    own = root / "cities" / city / name
    return own if own.exists() else root / name


@dataclass(frozen=True)
class Wilayah:
    kode: str
    nama: str
    tingkat: str
    induk: str


@dataclass(frozen=True)
class PerangkatDaerah:
    kode_pd: str
    nama: str
    singkatan: str
    jenis: str
    kode_wilayah: str
    berlaku_dari: date
    berlaku_sampai: date | None
    email: str

    def aktif_pada_tahun(self, tahun: int) -> bool:
        """True when the agency existed on any day of the reporting year."""
        mulai_ok = self.berlaku_dari <= date(tahun, 12, 31)
        return mulai_ok and (self.berlaku_sampai is None or self.berlaku_sampai >= date(tahun, 1, 1))

    @property
    def is_kecamatan(self) -> bool:
        return self.jenis == "kecamatan"


@dataclass(frozen=True)
class MutuIndikator:
    kode: str
    nama: str
    jenis: str
    satuan: str


@dataclass(frozen=True)
class Jpd:
    kode_jpd: str
    bidang: str
    nama: str
    penerima: str
    satuan: str
    kode_pd: str
    mutu: tuple[MutuIndikator, ...]


@dataclass(frozen=True)
class Bidang:
    kode: str
    nama: str
    jpd: tuple[Jpd, ...]


@dataclass(frozen=True)
class Ikk:
    kode_ikk: str
    urusan: str
    nama: str
    rumus: str
    pembilang: str
    penyebut: str
    satuan: str
    kode_pd: str
    arah: str = "positif"
    """positif: higher is better; negatif: lower is better (a waiting time, a case rate)."""
    jenis_ikk: str = "hasil"
    """keluaran | hasil | fungsi_penunjang: the EPPD's types of IKK, each weighted (scoring.yaml)."""
    pembilang_negatif: bool = False
    """A growth IKK (N − (N−1)): its numerator may be below 0, and only such an IKK's may."""


ARAH = ("positif", "negatif")
JENIS_IKK = ("keluaran", "hasil", "fungsi_penunjang")


@dataclass(frozen=True)
class Nomenklatur:
    kode: str
    tingkat: str
    nama: str
    induk: str
    kode_pd: str


@dataclass(frozen=True)
class MakroIndikator:
    """A BPS macro indicator Bappeda hands in (makro.yaml)."""

    kode: str
    nama: str
    satuan: str
    arah: str
    min: float | None
    maks: float | None


@dataclass(frozen=True)
class AkunApbd:
    """A main group of APBD accounts BPKAD hands in (apbd.yaml)."""

    kode: str
    nama: str
    jenis: str
    """pendapatan | belanja | penerimaan_pembiayaan | pengeluaran_pembiayaan"""


JENIS_AKUN = ("pendapatan", "belanja", "penerimaan_pembiayaan", "pengeluaran_pembiayaan")


HARI_SETELAH_TRIWULAN = 20
"""e-SPM closes ~20 days after each quarter (domain brief §1; calendar.yaml e_spm_triwulanan)."""
REVIU_DIBUKA_HARI = 7
"""The reviu is asked for this many days before its due date unless calendar.yaml says."""


def _e_spm_default(tahun: int, hari: int = HARI_SETELAH_TRIWULAN) -> tuple[date, ...]:
    """The closing days when a year lists none: `hari` days after each quarter's last day."""
    ends = (date(tahun, 3, 31), date(tahun, 6, 30), date(tahun, 9, 30), date(tahun, 12, 31))
    return tuple(end + timedelta(days=hari) for end in ends)


@dataclass(frozen=True)
class Kalender:
    tahun: int
    batas_pengumpulan: date
    batas_lkpj: date
    batas_lppd: date
    klinik_mulai: date | None
    klinik_selesai: date | None
    rakor: date | None
    batas_reviu_inspektorat: date | None = None
    """The Inspektorat's reviu of the LPPD data is due (fourth week of February of N+1)."""
    batas_triwulan: tuple[date, ...] = ()
    """The e-SPM closing day of quarters I-IV of year N (the last one in January of N+1)."""
    reviu_dibuka_hari: int = REVIU_DIBUKA_HARI
    """The reviu DAG asks the Inspektorat this many days before `batas_reviu_inspektorat`."""

    def batas_e_spm(self, triwulan: int) -> date:
        """The closing day of quarter `triwulan` (1-4) in e-SPM."""
        return (self.batas_triwulan or _e_spm_default(self.tahun))[triwulan - 1]

    @property
    def reviu_dibuka(self) -> date | None:
        """The day the reviu DAG first asks the Inspektorat (before the due date)."""
        if self.batas_reviu_inspektorat is None:
            return None
        return self.batas_reviu_inspektorat - timedelta(days=self.reviu_dibuka_hari)


def _friday_week_4(tahun: int) -> date:
    """The Friday of 22-28 February of N+1: the fourth week, when a year has no explicit date."""
    day = date(tahun + 1, 2, 22)
    return day + timedelta(days=(4 - day.weekday()) % 7)


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def _yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@dataclass(frozen=True)
class Catalog:
    """All reference data of one kota, as loaded from its versioned files."""

    city: str
    kode_wilayah: str
    nama: str
    perangkat_daerah: tuple[PerangkatDaerah, ...]
    wilayah: tuple[Wilayah, ...]
    bidang: tuple[Bidang, ...]
    ikk: tuple[Ikk, ...]
    nomenklatur: tuple[Nomenklatur, ...]
    kalender: dict[int, Kalender]
    scoring: Scoring
    zona_waktu: str = "Asia/Jakarta"
    makro: tuple[MakroIndikator, ...] = ()
    pd_makro: str = ""
    """The PD that hands in the macro indicators (Bappeda)."""
    apbd: tuple[AkunApbd, ...] = ()
    pd_apbd: str = ""
    """The PD that hands in the APBD totals (BPKAD)."""
    toleransi_pagu_persen: float = 0.0
    """Programme budgets vs APBD belanja: a difference above this share (%) is a warning."""
    pengingat_hari: tuple[int, ...] = DEFAULT_PENGINGAT_HARI
    """Days before the collection deadline on which agencies are reminded (0 = the deadline day),
    largest first (`pengingat_hari` in calendar.yaml)."""
    reference: Path = REFERENCE_DIR
    """The catalogue folder this was loaded from (`Settings.reference_dir`, else the shipped
    one): the other catalogue files of the kota (`catalogue_file(city, name, reference)`)."""
    _pd_index: dict[str, PerangkatDaerah] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._pd_index.update({pd.kode_pd: pd for pd in self.perangkat_daerah})

    # --- agencies -------------------------------------------------------------------------
    def pd(self, kode_pd: str) -> PerangkatDaerah | None:
        return self._pd_index.get(kode_pd)

    def pd_aktif(self, tahun: int) -> list[PerangkatDaerah]:
        return [pd for pd in self.perangkat_daerah if pd.aktif_pada_tahun(tahun)]

    # --- regions --------------------------------------------------------------------------
    @property
    def kecamatan(self) -> list[Wilayah]:
        return [w for w in self.wilayah if w.tingkat == "kecamatan"]

    def nama_wilayah(self, kode: str) -> str:
        return next((w.nama for w in self.wilayah if w.kode == kode), kode)

    # --- SPM ------------------------------------------------------------------------------
    @property
    def jpd(self) -> list[Jpd]:
        return [j for b in self.bidang for j in b.jpd]

    def jpd_milik(self, kode_pd: str) -> list[Jpd]:
        return [j for j in self.jpd if j.kode_pd == kode_pd]

    # --- LPPD / LKPJ ----------------------------------------------------------------------
    def _owned(self, rows: Iterable[Any], pd: PerangkatDaerah) -> list[Any]:
        return [r for r in rows if r.kode_pd == pd.kode_pd or (pd.is_kecamatan and r.kode_pd == KECAMATAN)]

    def ikk_milik(self, pd: PerangkatDaerah) -> list[Ikk]:
        return self._owned(self.ikk, pd)

    def nomenklatur_milik(self, pd: PerangkatDaerah) -> list[Nomenklatur]:
        return self._owned(
            (n for n in self.nomenklatur if n.tingkat in ("program", "kegiatan", "sub_kegiatan")),
            pd,
        )

    def laporan_wajib(self, pd: PerangkatDaerah) -> list[str]:
        """Which reports an agency must hand in, derived from what it owns in the catalogues."""
        wajib = []
        if self.jpd_milik(pd.kode_pd):
            wajib.append("SPM")
        if self.ikk_milik(pd):
            wajib.append("LPPD")
        if self.nomenklatur_milik(pd):
            wajib.append("LKPJ")
        if self.makro and pd.kode_pd == self.pd_makro:
            wajib.append("MAKRO")
        if self.apbd and pd.kode_pd == self.pd_apbd:
            wajib.append("APBD")
        return wajib

    @staticmethod
    def alasan_tidak_wajib(laporan: str) -> str:
        """Why an agency owes no report `laporan`, in the words of `laporan_wajib`."""
        return {
            "SPM": "PD ini tidak bertanggung jawab atas satu pun jenis pelayanan dasar (JPD) SPM",
            "LPPD": "PD ini tidak bertanggung jawab atas satu pun IKK LPPD",
            "LKPJ": "PD ini tidak memegang program, kegiatan atau sub-kegiatan dalam nomenklatur",
            "MAKRO": "indikator makro (angka BPS) diisi oleh PD yang ditunjuk di makro.yaml",
            "APBD": "ringkasan APBD diisi oleh PD yang ditunjuk di apbd.yaml",
        }.get(laporan, f"laporan {laporan} bukan tugas PD ini")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zona_waktu)

    @property
    def tz_label(self) -> str:
        return {
            "Asia/Jakarta": "WIB",
            "Asia/Pontianak": "WIB",
            "Asia/Makassar": "WITA",
            "Asia/Jayapura": "WIT",
        }.get(self.zona_waktu, self.zona_waktu)

    def kalender_tahun(self, tahun: int) -> Kalender:
        if tahun in self.kalender:
            return self.kalender[tahun]
        # A year not yet in the calendar falls back to the rule of the brief: 26 Jan / 31 Mar.
        return Kalender(
            tahun,
            date(tahun + 1, 1, 26),
            date(tahun + 1, 3, 31),
            date(tahun + 1, 3, 31),
            None,
            None,
            None,
            _friday_week_4(tahun),
            _e_spm_default(tahun),
        )


def _pengingat_hari(raw: Any, path: Path) -> tuple[int, ...]:
    if raw is None:
        return DEFAULT_PENGINGAT_HARI
    offsets = sorted({int(x) for x in raw}, reverse=True)
    if any(x < 0 for x in offsets):
        raise ValueError(f"{path}: pengingat_hari harus bilangan >= 0, bukan {raw!r}")
    return tuple(offsets)


CATALOG_CACHE_SIZE = 16
"""Catalogues kept per process (~0.3 MB each): a worker that serves many kota one after another
keeps the last few instead of every kota it ever saw (bench/scale.py)."""


@lru_cache(maxsize=CATALOG_CACHE_SIZE)
def load_catalog(city: str = "medan", root: Path | None = None) -> Catalog:
    """Load the reference data of `city` from `root` (`Settings.reference_dir`) or the shipped
    folder (cached per process)."""
    base = root or REFERENCE_DIR
    city_dir = base / "cities" / city
    if not city_dir.is_dir():
        raise FileNotFoundError(f"tidak ada data referensi untuk kota '{city}' di {city_dir}")

    city_meta = _yaml(city_dir / "city.yaml")
    pds = tuple(
        PerangkatDaerah(
            kode_pd=r["kode_pd"],
            nama=r["nama"],
            singkatan=r["singkatan"],
            jenis=r["jenis"],
            kode_wilayah=r["kode_wilayah"],
            berlaku_dari=_date(r["berlaku_dari"]) or date(1900, 1, 1),
            berlaku_sampai=_date(r["berlaku_sampai"]),
            email=r["email"],
        )
        for r in _csv(city_dir / "perangkat_daerah.csv")
    )
    wilayah = tuple(Wilayah(**r) for r in _csv(city_dir / "wilayah.csv"))
    spm_raw = _yaml(catalogue_file(city, "spm.yaml", base))
    bidang = tuple(
        Bidang(
            kode=b["kode"],
            nama=b["nama"],
            jpd=tuple(
                Jpd(
                    kode_jpd=j["kode_jpd"],
                    bidang=b["kode"],
                    nama=j["nama"],
                    penerima=j.get("penerima", ""),
                    satuan=j.get("satuan", "orang"),
                    kode_pd=j["kode_pd"],
                    mutu=tuple(
                        MutuIndikator(m["kode"], m["nama"], m["jenis"], m.get("satuan", ""))
                        for m in j.get("mutu", [])
                    ),
                )
                for j in b["jpd"]
            ),
        )
        for b in spm_raw["bidang"]
    )
    ikk = tuple(
        Ikk(
            **{k: r[k] for k in Ikk.__dataclass_fields__ if k in r and k != "pembilang_negatif"},
            pembilang_negatif=r.get("pembilang_negatif", "") == "ya",
        )
        for r in _csv(catalogue_file(city, "lppd_ikk.csv", base))
    )
    salah = [i.kode_ikk for i in ikk if i.arah not in ARAH or i.jenis_ikk not in JENIS_IKK]
    if salah:
        raise ValueError(
            "lppd_ikk.csv: arah harus positif|negatif dan jenis_ikk keluaran|hasil|fungsi_penunjang "
            f"({', '.join(salah)})"
        )
    nomenklatur = tuple(
        Nomenklatur(**{k: r[k] for k in Nomenklatur.__dataclass_fields__})
        for r in _csv(catalogue_file(city, "lkpj_nomenklatur.csv", base))
    )
    kalender = {}
    calendar_path = catalogue_file(city, "calendar.yaml", base)
    calendar = _yaml(calendar_path) or {}
    hari_tw = int((calendar.get("e_spm_triwulanan") or {}).get("hari_setelah_akhir_triwulan", 20))
    dibuka = int((calendar.get("reviu_inspektorat") or {}).get("dibuka_hari_sebelum_batas", 7))
    for tahun, k in (calendar.get("tahun") or {}).items():
        tw = tuple(d for d in (_date(v) for v in k.get("batas_e_spm") or ()) if d is not None)
        if tw and len(tw) != 4:
            raise ValueError(f"calendar.yaml tahun {tahun}: batas_e_spm harus 4 tanggal (triwulan I-IV)")
        kalender[int(tahun)] = Kalender(
            tahun=int(tahun),
            batas_pengumpulan=_date(k["batas_pengumpulan"]) or date(int(tahun) + 1, 1, 26),
            batas_lkpj=_date(k.get("batas_lkpj")) or date(int(tahun) + 1, 3, 31),
            batas_lppd=_date(k.get("batas_lppd")) or date(int(tahun) + 1, 3, 31),
            klinik_mulai=_date(k.get("klinik_mulai")),
            klinik_selesai=_date(k.get("klinik_selesai")),
            rakor=_date(k.get("rakor")),
            batas_reviu_inspektorat=_date(k.get("batas_reviu_inspektorat")) or _friday_week_4(int(tahun)),
            batas_triwulan=tw or _e_spm_default(int(tahun), hari_tw),
            reviu_dibuka_hari=dibuka,
        )
    # Optional catalogues: a kota without them simply owes no MAKRO / APBD report.
    makro_path, apbd_path = catalogue_file(city, "makro.yaml", base), catalogue_file(city, "apbd.yaml", base)
    makro_raw = (_yaml(makro_path) if makro_path.exists() else None) or {}
    makro = tuple(
        MakroIndikator(
            kode=str(m["kode"]),
            nama=str(m["nama"]),
            satuan=str(m.get("satuan", "")),
            arah=str(m.get("arah", "positif")),
            min=float(m["min"]) if m.get("min") is not None else None,
            maks=float(m["maks"]) if m.get("maks") is not None else None,
        )
        for m in makro_raw.get("indikator", [])
    )
    apbd_raw = (_yaml(apbd_path) if apbd_path.exists() else None) or {}
    apbd = tuple(AkunApbd(str(a["kode"]), str(a["nama"]), str(a["jenis"])) for a in apbd_raw.get("akun", []))
    salah = [m.kode for m in makro if m.arah not in ARAH] + [
        a.kode for a in apbd if a.jenis not in JENIS_AKUN
    ]
    if salah:
        raise ValueError(f"makro.yaml / apbd.yaml: arah atau jenis tidak dikenal ({', '.join(salah)})")
    return Catalog(
        city=city,
        kode_wilayah=str(city_meta["kode_wilayah"]),
        nama=str(city_meta["nama"]),
        perangkat_daerah=pds,
        wilayah=wilayah,
        bidang=bidang,
        ikk=ikk,
        nomenklatur=nomenklatur,
        kalender=kalender,
        scoring=load_scoring(_yaml(catalogue_file(city, "scoring.yaml", base))),
        zona_waktu=str(city_meta.get("zona_waktu", "Asia/Jakarta")),
        makro=makro,
        pd_makro=str(makro_raw.get("kode_pd", "")),
        apbd=apbd,
        pd_apbd=str(apbd_raw.get("kode_pd", "")),
        toleransi_pagu_persen=float(apbd_raw.get("toleransi_pagu_persen", 0)),
        pengingat_hari=_pengingat_hari(calendar.get("pengingat_hari"), calendar_path),
        reference=base,
    )
