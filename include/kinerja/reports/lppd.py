"""LPPD: IKK achievement per PD, urusan and for the kota, with an EPPD-style score and status.

    capaian(IKK)  = pembilang / penyebut × 100     when the IKK's satuan is %
                  = pembilang / penyebut           otherwise (rata-rata hari, rasio: reported as is)
    kota(IKK)     = Σ pembilang / Σ penyebut over the PDs that reported it (the kecamatan IKKs are
                    handed in by each of the 21 kecamatan: their numerators and denominators add up)

Design of the EPPD-style score (the ministry's EPPD scores 0–4 from documents and field checks
we do not have, so this is an estimate, labelled as such in every output):

* per IKK: its capaian mapped piecewise-linearly through the points of `scoring.yaml`
  `eppd_skor.titik` (default 0 % → 0, 100 % → 4), 0 below the first point, on the exact value;
* an IKK whose direction (`arah` in the catalogue) is negatif, in %, is scored on 100 − capaian
  (the share that is not bad); its capaian itself is shown as computed;
* only IKKs whose satuan is in `eppd_skor.satuan_dinilai` (default: %) are scored: for a ratio or
  a number of days the better direction is not in the number, so they are shown, not scored;
* a required IKK nobody reported is left out of the mean or scored 0 (`eppd_skor.tanpa_data`);
  coverage (IKK berdata / IKK wajib) is always reported next to the score;
* never capped at 4 (EPPD scores above 4 exist): above the last point the mapping goes on, up to
  `eppd_skor.capaian_maks`;
* urusan / PD score = mean of its scored IKKs weighted per IKK type (keluaran / hasil / fungsi
  penunjang) or per IKK; kota score = mean of the urusan scores weighted per bidang urusan
  (`eppd_bobot`, all [I] until confirmed); rounded half-up to 4 places (EPPD quotes
  scores as 3,6109); the status comes from the EPPD bands of the regime in force for the year
  (`Scoring.status_eppd`), which cite their source; no data at all is "nihil".

Numerators and denominators are kept next to every percentage; capaian is rounded half-up to
2 places (4 for a rasio, which is often well below 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from sqlalchemy import Engine, select

from kinerja.catalog.loader import Catalog, Ikk
from kinerja.catalog.scoring import Band, EppdSkor, Scoring
from kinerja.rules.numbers import exact, round_half_up
from kinerja.warehouse.models import FACT_TABLES

NIHIL = "nihil"
"""EPPD status of a region that handed in no data [C, domain brief §2]."""
PLACES_SKOR = 4


@dataclass(frozen=True)
class IkkInput:
    kode_pd: str
    kode_ikk: str
    pembilang: float
    penyebut: float
    penjelasan: str | None = None
    data_dukung: str | None = None


@dataclass(frozen=True)
class IkkRow:
    """One IKK, for one PD (`kode_pd` set) or for the kota (`kode_pd` empty)."""

    kode_ikk: str
    urusan: str
    nama: str
    rumus: str
    satuan: str
    kode_pd: str
    pembilang: Decimal | None
    penyebut: Decimal | None
    capaian: Decimal | None
    """None: not reported."""
    skor: Decimal | None
    """EPPD-style score (an estimate, not capped at 4); None when the IKK is not scored or has no
    data (and tanpa_data=abaikan)."""
    dinilai: bool
    pelapor: int
    """PDs that reported it (kota rows) / 1 or 0 (PD rows)."""
    wajib: int
    """PDs that had to report it."""
    penjelasan: str = ""
    data_dukung: str = ""
    arah: str = "positif"
    """From the catalogue: negatif when lower is better (scored on 100 − capaian)."""
    jenis_ikk: str = "hasil"


@dataclass(frozen=True)
class LppdGroup:
    """An urusan or a PD: its IKKs summarised."""

    kode: str
    nama: str
    n_ikk: int
    n_berdata: int
    rata_capaian: Decimal | None
    """Mean capaian of its IKKs in % that have data (other units cannot be averaged)."""
    skor: Decimal | None
    status: str | None


@dataclass(frozen=True)
class LppdResult:
    tahun: int
    kota: list[IkkRow]
    pd: list[IkkRow]
    per_urusan: list[LppdGroup]
    per_pd: list[LppdGroup]
    skor: Decimal | None
    status: str | None
    sumber_status: str
    """Source of the EPPD bands used for the status."""
    bands: tuple[Band, ...]
    sumber_skor: str
    """Source of the capaian → score mapping."""
    sumber_bobot: str
    n_ikk: int
    n_berdata: int


def eppd_bands(scoring: Scoring, tahun: int) -> tuple[tuple[Band, ...], str]:
    """The EPPD status bands in force for `tahun` and their source (same rule as status_eppd)."""
    if not scoring.eppd:
        return (), ""
    regimes = [r for r in scoring.eppd if r[0] <= tahun] or [scoring.eppd[0]]
    _, bands, sumber = max(regimes, key=lambda r: r[0])
    return bands, sumber


def skor_ikk(capaian: Fraction, cfg: EppdSkor) -> Fraction:
    """Piecewise-linear capaian (%) → score through the configured points: the first point's score
    below it; above the last point the last segment goes on, up to `capaian_maks` (no cap at 4)."""
    points = [(exact(c), exact(s)) for c, s in cfg.titik]
    if cfg.capaian_maks is not None:
        capaian = min(capaian, exact(cfg.capaian_maks))
    if capaian <= points[0][0]:
        return points[0][1]
    for (c0, s0), (c1, s1) in pairwise(points):
        if capaian <= c1:
            return s0 + (s1 - s0) * (capaian - c0) / (c1 - c0)
    (c0, s0), (c1, s1) = points[-2], points[-1]
    return s1 + (s1 - s0) * (capaian - c1) / (c1 - c0)


def _capaian(pembilang: Fraction, penyebut: Fraction, satuan: str) -> Fraction:
    return pembilang / penyebut * (100 if satuan == "%" else 1)


def _round_capaian(value: Fraction, satuan: str) -> Decimal:
    return round_half_up(value, 4 if satuan == "rasio" else 2)


def _mean(values: Sequence[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def _weighted_mean(pairs: Sequence[tuple[Fraction, Fraction]]) -> Fraction | None:
    """Σ w·x / Σ w over (x, w); None when nothing weighs anything."""
    total = sum((w for _, w in pairs), Fraction(0))
    return sum((x * w for x, w in pairs), Fraction(0)) / total if total else None


class _Scorer:
    def __init__(self, scoring: Scoring, tahun: int, ikk: Sequence[Ikk] = ()) -> None:
        self.cfg = scoring.eppd_skor
        self.scoring = scoring
        self.tahun = tahun
        self._ikk = {i.kode_ikk: i for i in ikk}

    def bobot_ikk(self, kode_ikk: str) -> Fraction:
        bobot = self.cfg.bobot if self.cfg else None
        ikk = self._ikk.get(kode_ikk)
        return exact(bobot.ikk_bobot(ikk)) if bobot and ikk else Fraction(1)

    def bobot_urusan(self, urusan: str) -> Fraction:
        bobot = self.cfg.bobot if self.cfg else None
        return exact(bobot.urusan_bobot(urusan)) if bobot else Fraction(1)

    def dinilai(self, ikk: Ikk) -> bool:
        return self.cfg is not None and ikk.satuan in self.cfg.satuan_dinilai

    def skor(self, ikk: Ikk, capaian: Fraction | None) -> Fraction | None:
        if self.cfg is None or not self.dinilai(ikk):
            return None
        if capaian is None:
            return Fraction(0) if self.cfg.tanpa_data == "nol" else None
        if ikk.arah == "negatif":
            # A share where lower is better (e.g. stunting): what is not bad is the achievement.
            capaian = 100 - capaian
        return skor_ikk(capaian, self.cfg)

    def status(self, skor: Decimal | None, any_data: bool) -> str | None:
        if not any_data:
            return NIHIL
        if skor is None:
            return None
        return self.scoring.status_eppd(self.tahun, float(skor))[0]


def _row(
    ikk: Ikk,
    kode_pd: str,
    pembilang: Fraction | None,
    penyebut: Fraction | None,
    scorer: _Scorer,
    pelapor: int,
    wajib: int,
    penjelasan: str = "",
    data_dukung: str = "",
) -> tuple[IkkRow, Fraction | None, Fraction | None]:
    capaian = _capaian(pembilang, penyebut, ikk.satuan) if pembilang is not None and penyebut else None
    skor = scorer.skor(ikk, capaian)
    row = IkkRow(
        kode_ikk=ikk.kode_ikk,
        urusan=ikk.urusan,
        nama=ikk.nama,
        rumus=ikk.rumus,
        satuan=ikk.satuan,
        kode_pd=kode_pd,
        pembilang=round_half_up(pembilang, 2) if pembilang is not None else None,
        penyebut=round_half_up(penyebut, 2) if penyebut is not None else None,
        capaian=_round_capaian(capaian, ikk.satuan) if capaian is not None else None,
        skor=round_half_up(skor, PLACES_SKOR) if skor is not None else None,
        dinilai=scorer.dinilai(ikk),
        pelapor=pelapor,
        wajib=wajib,
        penjelasan=penjelasan,
        data_dukung=data_dukung,
        arah=ikk.arah,
        jenis_ikk=ikk.jenis_ikk,
    )
    return row, capaian, skor


def _group_skor(
    items: Sequence[tuple[IkkRow, Fraction | None, Fraction | None]], scorer: _Scorer
) -> Fraction | None:
    """The weighted mean of the scored IKKs (weights per IKK / per IKK type, scoring.yaml)."""
    return _weighted_mean([(s, scorer.bobot_ikk(r.kode_ikk)) for r, _, s in items if s is not None])


def _group(
    kode: str,
    nama: str,
    items: Sequence[tuple[IkkRow, Fraction | None, Fraction | None]],
    scorer: _Scorer,
) -> LppdGroup:
    pct = [c for r, c, _ in items if c is not None and r.satuan == "%"]
    rata = _mean(pct)
    skor = _group_skor(items, scorer)
    skor_d = round_half_up(skor, PLACES_SKOR) if skor is not None else None
    berdata = sum(1 for r, _, _ in items if r.capaian is not None)
    return LppdGroup(
        kode=kode,
        nama=nama,
        n_ikk=len(items),
        n_berdata=berdata,
        rata_capaian=round_half_up(rata) if rata is not None else None,
        skor=skor_d,
        status=scorer.status(skor_d, berdata > 0),
    )


def compute_lppd(inputs: Sequence[IkkInput], catalog: Catalog, tahun: int) -> LppdResult:
    """PD rows (every required IKK of every active PD, reported or not), kota rows, urusan and PD
    summaries, the kota's EPPD-style score and status."""
    scorer = _Scorer(catalog.scoring, tahun, catalog.ikk)
    by_key = {(i.kode_pd, i.kode_ikk): i for i in inputs}
    ikk_index = {i.kode_ikk: i for i in catalog.ikk}
    wajib: dict[str, list[str]] = {i.kode_ikk: [] for i in catalog.ikk}
    pd_items: dict[str, list[tuple[IkkRow, Fraction | None, Fraction | None]]] = {}
    pd_rows: list[IkkRow] = []
    pd_names: dict[str, str] = {}
    active = catalog.pd_aktif(tahun)
    # Data from a PD that no longer owns the IKK (or ended) is still counted for the kota.
    extra = {i.kode_pd for i in inputs} - {p.kode_pd for p in active}
    pds = [*active, *(p for p in (catalog.pd(k) for k in sorted(extra)) if p is not None)]
    for pd in pds:
        owned = catalog.ikk_milik(pd) if pd.aktif_pada_tahun(tahun) else []
        codes = [i.kode_ikk for i in owned] + sorted(
            k for (p, k) in by_key if p == pd.kode_pd and k not in {i.kode_ikk for i in owned}
        )
        for kode in codes:
            ikk = ikk_index.get(kode)
            if ikk is None:
                continue
            if any(i.kode_ikk == kode for i in owned):
                wajib[kode].append(pd.kode_pd)
            got = by_key.get((pd.kode_pd, kode))
            item = _row(
                ikk,
                pd.kode_pd,
                exact(got.pembilang) if got else None,
                exact(got.penyebut) if got else None,
                scorer,
                1 if got else 0,
                1,
                (got.penjelasan or "") if got else "",
                (got.data_dukung or "") if got else "",
            )
            pd_rows.append(item[0])
            pd_items.setdefault(pd.kode_pd, []).append(item)
            pd_names[pd.kode_pd] = pd.nama

    kota_items = []
    for ikk in catalog.ikk:
        reported = [i for i in inputs if i.kode_ikk == ikk.kode_ikk]
        if not reported and not wajib[ikk.kode_ikk]:
            continue
        pembilang = sum((exact(i.pembilang) for i in reported), Fraction(0)) if reported else None
        penyebut = sum((exact(i.penyebut) for i in reported), Fraction(0)) if reported else None
        kota_items.append(_row(ikk, "", pembilang, penyebut, scorer, len(reported), len(wajib[ikk.kode_ikk])))

    per_urusan: dict[str, list[tuple[IkkRow, Fraction | None, Fraction | None]]] = {}
    for item in kota_items:
        per_urusan.setdefault(item[0].urusan, []).append(item)
    kota = _group("", catalog.nama, kota_items, scorer)
    # The kota: urusan scores weighted per bidang urusan (each urusan: its IKKs weighted).
    urusan_skor = [
        (skor, scorer.bobot_urusan(u))
        for u, items in per_urusan.items()
        if (skor := _group_skor(items, scorer)) is not None
    ]
    kota_skor = _weighted_mean(urusan_skor)
    kota_skor_d = round_half_up(kota_skor, PLACES_SKOR) if kota_skor is not None else None
    kota = replace(kota, skor=kota_skor_d, status=scorer.status(kota_skor_d, kota.n_berdata > 0))
    bands, sumber = eppd_bands(catalog.scoring, tahun)
    cfg = catalog.scoring.eppd_skor
    return LppdResult(
        tahun=tahun,
        kota=[r for r, _, _ in kota_items],
        pd=pd_rows,
        per_urusan=[_group(u, u, items, scorer) for u, items in per_urusan.items()],
        per_pd=[_group(k, pd_names[k], items, scorer) for k, items in pd_items.items()],
        skor=kota.skor,
        status=kota.status,
        sumber_status=sumber,
        bands=bands,
        sumber_skor=cfg.sumber if cfg else "",
        sumber_bobot=cfg.bobot.sumber if cfg and cfg.bobot else "",
        n_ikk=kota.n_ikk,
        n_berdata=kota.n_berdata,
    )


def lppd_inputs(engine: Engine, tahun: int) -> list[IkkInput]:
    t = FACT_TABLES["fact_lppd_ikk"]
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.c.kode_pd, t.c.kode_ikk, t.c.pembilang, t.c.penyebut, t.c.penjelasan, t.c.data_dukung)
            .where(t.c.tahun == tahun)
            .order_by(t.c.kode_pd, t.c.baris)
        ).all()
    return [
        IkkInput(r.kode_pd, r.kode_ikk, r.pembilang, r.penyebut, r.penjelasan, r.data_dukung) for r in rows
    ]


def lppd_for_year(engine: Engine, catalog: Catalog, tahun: int) -> LppdResult:
    return compute_lppd(lppd_inputs(engine, tahun), catalog, tahun)
