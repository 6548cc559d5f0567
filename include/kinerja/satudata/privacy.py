"""Privacy guard: only aggregates leave the warehouse.

Checked before anything is written for, or sent to, the portal. Any finding stops the whole
publication (nothing is half published) with a message naming dataset, column and row:

- a column whose name says personal data (nik, nama_penerima, no_hp, alamat, tanggal_lahir …);
- a value holding a 16-digit NIK (also grouped 6-6-4 or 4-4-4-4 with spaces, dots or dashes);
- a value holding an Indonesian phone number (mobile 08…/+62 8…, or a landline with area code);
- a value that looks like a person's name: an honorific (Bapak, Sdr., Ny., Tn., Alm. …) or
  bin/binti followed by a capitalised name, or a name followed by an academic degree (", S.Kom").

A bare personal name without such a sign cannot be told from a place or programme name by a
pattern; that case is kept out by construction: only the columns listed in satu_data.yaml are
published, and they hold codes, reference names and figures (tidy.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

PERSONAL_COLUMNS = re.compile(
    r"^(nik|no_?ktp|no_?kk|nomor_(ktp|kk|induk_kependudukan)|nama_(lengkap|penerima|pasien|siswa|warga|"
    r"kepala_keluarga|ibu|ayah|pemilik|petugas)|tempat_lahir|tanggal_lahir|tgl_lahir|alamat.*|"
    r"(no|nomor)_?(hp|telp|telepon|wa)|telepon|handphone|email|e_mail)$"
)
NIK = re.compile(
    r"(?<![\d.,])(?:\d{16}|\d{6}[ .-]\d{6}[ .-]\d{4}|\d{4}[ .-]\d{4}[ .-]\d{4}[ .-]\d{4})(?![\d])"
)
PHONE = re.compile(
    r"(?<![\w.])(?:(?:\+62|62|0)[ .-]?8\d{1,3}(?:[ .-]?\d{3,4}){2,3}"
    r"|\(0\d{2,3}\)[ .-]?\d{5,8}|(?:\+62|0)\d{2,3}[ -]\d{5,8})(?![\w.])"
)
NAME = re.compile(
    r"\b(?:Bapak|Bpk|Sdr|Sdri|Saudara|Saudari|Tn|Tuan|Ny|Nyonya|Nn|Nona|Alm|Almarhum|Almarhumah|bin|binti)"
    r"\.?\s+[A-Z][a-z]{2,}"
    r"|\b[A-Z][a-z]{2,}(?:\s[A-Z][a-z]+)*,\s?(?:S|M|Dr|Ir|A\.Md)\.\s?[A-Z][A-Za-z]*\b"
)


@dataclass(frozen=True)
class Finding:
    dataset: str
    column: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        where = f"kolom {self.column!r}" + (f", baris {self.row}" if self.row is not None else "")
        return f"{self.dataset}: {where}: {self.reason}"


class PersonalDataError(ValueError):
    """Publication refused: the tables carry personal data."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = list(findings)
        shown = "\n".join(f"- {f}" for f in self.findings[:20])
        more = f"\n… dan {len(self.findings) - 20} temuan lain" if len(self.findings) > 20 else ""
        super().__init__(
            "Publikasi ke Satu Data dibatalkan: tabel memuat data pribadi. Hanya data agregat yang boleh "
            f"keluar dari gudang data; tidak ada yang dikirim.\n{shown}{more}"
        )


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _value_reason(value: str) -> str | None:
    if NIK.search(value):
        return "berisi 16 digit seperti NIK"
    if NUMBER.match(value):  # a measure (Rp 628.500.000 is no phone number); a NIK is caught above
        return None
    if PHONE.search(value):
        return "berisi nomor telepon"
    if NAME.search(value):
        return "berisi nama orang (sapaan atau gelar)"
    return None


def scan(dataset: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[Finding]:
    """Every sign of personal data in one table (header and cells)."""
    findings = [
        Finding(dataset, c, None, "nama kolom menunjukkan data pribadi")
        for c in columns
        if PERSONAL_COLUMNS.match(c.strip().lower())
    ]
    for n, row in enumerate(rows, start=1):
        for column, value in zip(columns, row, strict=False):
            if value is None or value == "":
                continue
            reason = _value_reason(str(value))
            if reason:
                findings.append(Finding(dataset, column, n, reason))
    return findings


def guard(tables: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> None:
    """Raise PersonalDataError listing every finding in any of the tables."""
    findings = [f for name, columns, rows in tables for f in scan(name, columns, rows)]
    if findings:
        raise PersonalDataError(findings)
