"""The scoring rules of the regulation (scoring.yaml): SPM category bands, EPPD status regimes,
the EPPD-style score and its weights; checked against the published cases when loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kinerja.catalog.loader import Ikk


@dataclass(frozen=True)
class Band:
    nama: str
    min: float
    sumber: str = ""


@dataclass(frozen=True)
class ContohCek:
    """A published value and the category (or status) the bands must give it (scoring.yaml)."""

    nilai: float
    hasil: str
    sumber: str


@dataclass(frozen=True)
class EppdSkor:
    """How an IKK's capaian (%) maps to an EPPD-style score (scoring.yaml `eppd_skor`)."""

    titik: tuple[tuple[float, float], ...]
    """(capaian %, skor) points, ascending; linear in between and beyond the last point, 0 below
    the first. The score is never capped at 4: EPPD scores above 4 exist."""
    satuan_dinilai: tuple[str, ...]
    tanpa_data: str
    """A required IKK nobody reported: 'abaikan' (left out of the mean) or 'nol' (scored 0)."""
    sumber: str
    capaian_maks: float | None = None
    """Capaian above this is scored as this (one 300 % IKK must not carry a whole urusan)."""
    bobot: EppdBobot | None = None


@dataclass(frozen=True)
class EppdBobot:
    """Weights of the EPPD-style score (scoring.yaml `eppd_bobot`), each [I] until confirmed."""

    jenis_ikk: dict[str, float]
    bidang_urusan: dict[str, float]
    """Per urusan name as in lppd_ikk.csv; an urusan not listed weighs `bidang_urusan_lain`."""
    ikk: dict[str, float]
    """Per kode_ikk, overriding its type's weight."""
    bidang_urusan_lain: float = 1.0
    sumber: str = ""

    def ikk_bobot(self, ikk: Ikk) -> float:
        return self.ikk.get(ikk.kode_ikk, self.jenis_ikk.get(ikk.jenis_ikk, 1.0))

    def urusan_bobot(self, urusan: str) -> float:
        return self.bidang_urusan.get(urusan, self.bidang_urusan_lain)


@dataclass(frozen=True)
class Scoring:
    bobot_penerima: float
    bobot_mutu: float
    batas_atas_indeks: float
    kategori_spm: tuple[Band, ...]
    eppd: tuple[tuple[int, tuple[Band, ...], str], ...]
    eppd_skor: EppdSkor | None = None
    kategori_cek: tuple[ContohCek, ...] = ()

    def kategori(self, nilai: float) -> str:
        for band in self.kategori_spm:
            if nilai >= band.min:
                return band.nama
        return self.kategori_spm[-1].nama

    def status_eppd(self, tahun: int, skor: float) -> tuple[str, str]:
        """EPPD status of a score under the regime in force for `tahun`, and its source."""
        regimes = [r for r in self.eppd if r[0] <= tahun] or [self.eppd[0]]
        _, bands, sumber = max(regimes, key=lambda r: r[0])
        for band in bands:
            if skor >= band.min:
                return band.nama, sumber
        return bands[-1].nama, sumber


def load_scoring(raw: dict[str, Any]) -> Scoring:
    spm = raw["spm"]
    scoring = Scoring(
        bobot_penerima=float(spm["bobot"]["penerima"]),
        bobot_mutu=float(spm["bobot"]["mutu"]),
        batas_atas_indeks=float(spm.get("batas_atas_indeks", 100)),
        kategori_spm=tuple(
            Band(b["nama"], float(b["min"]), str(b.get("sumber", ""))) for b in spm["kategori"]
        ),
        eppd=tuple(
            (
                int(r["berlaku_dari_tahun"]),
                tuple(Band(b["status"], float(b["min"])) for b in r["status"]),
                str(r.get("sumber", "")),
            )
            for r in raw["eppd"]
        ),
        eppd_skor=_load_eppd_skor(raw.get("eppd_skor"), raw.get("eppd_bobot")),
        kategori_cek=tuple(
            ContohCek(float(c["nilai"]), str(c["kategori"]), str(c.get("sumber", "")))
            for c in spm.get("contoh_cek", [])
        ),
    )
    # Bands that contradict a published fact are a configuration error, not a report detail.
    salah = [
        f"SPM {c.nilai} -> {scoring.kategori(c.nilai)}, seharusnya {c.hasil} ({c.sumber})"
        for c in scoring.kategori_cek
        if scoring.kategori(c.nilai) != c.hasil
    ]
    for r in raw["eppd"]:
        for c in r.get("contoh_cek", []):
            got = scoring.status_eppd(int(r["berlaku_dari_tahun"]), float(c["skor"]))[0]
            if got != c["status"]:
                salah.append(f"EPPD {c['skor']} -> {got}, seharusnya {c['status']} ({c.get('sumber', '')})")
    if salah:
        raise ValueError("scoring.yaml bertentangan dengan contoh_cek: " + "; ".join(salah))
    return scoring


def _weights(raw: dict[str, Any] | None) -> dict[str, float]:
    """{name: {bobot, sumber}} or {name: number} → {name: weight}."""
    return {str(k): float(v["bobot"] if isinstance(v, dict) else v) for k, v in (raw or {}).items()}


def _load_eppd_bobot(raw: dict[str, Any] | None) -> EppdBobot | None:
    if not raw:
        return None
    bobot = EppdBobot(
        jenis_ikk=_weights(raw.get("jenis_ikk")),
        bidang_urusan=_weights(raw.get("bidang_urusan")),
        ikk=_weights(raw.get("ikk")),
        bidang_urusan_lain=float(raw.get("bidang_urusan_lain", 1)),
        sumber=str(raw.get("sumber", "")).strip(),
    )
    every = [*bobot.jenis_ikk.values(), *bobot.bidang_urusan.values(), *bobot.ikk.values()]
    if any(w < 0 for w in every) or bobot.bidang_urusan_lain < 0:
        raise ValueError("scoring.yaml eppd_bobot: bobot tidak boleh negatif")
    return bobot


def _load_eppd_skor(raw: dict[str, Any] | None, bobot: dict[str, Any] | None = None) -> EppdSkor | None:
    if not raw:
        return None
    titik = tuple(sorted((float(t["capaian"]), float(t["skor"])) for t in raw["titik"]))
    tanpa_data = str(raw.get("tanpa_data", "abaikan"))
    if tanpa_data not in ("abaikan", "nol") or len(titik) < 2:
        raise ValueError("scoring.yaml eppd_skor: tanpa_data must be abaikan|nol, titik needs >= 2 points")
    return EppdSkor(
        titik=titik,
        satuan_dinilai=tuple(str(v) for v in raw["satuan_dinilai"]),
        tanpa_data=tanpa_data,
        sumber=str(raw.get("sumber", "")).strip(),
        capaian_maks=float(raw["capaian_maks"]) if raw.get("capaian_maks") is not None else None,
        bobot=_load_eppd_bobot(bobot),
    )
