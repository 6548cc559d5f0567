"""Checks on the raw bytes before any spreadsheet library sees them.

A workbook is a zip; what arrives on a shared drive may be a PDF or CSV with an .xlsx name,
an encrypted (password) workbook, a macro workbook, a truncated copy or a decompression bomb.
Each is rejected with a reason, in bounded time and memory.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from kinerja.intake.issues import Issue, error

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * 1024 * 1024
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_ratio: int = 200
    """Compression ratio above which an entry is treated as a bomb (xlsx XML is ~10-30x)."""
    max_entries: int = 2000
    max_rows: int = 100_000


DEFAULT_LIMITS = Limits()
_SAVE_AS = "Buka berkas di Excel lalu Simpan Sebagai 'Buku Kerja Excel (*.xlsx)' dari template resmi."


def check_container(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Issue | None:
    """Return why these bytes are not a workbook we will open, or None when they are."""
    if not data:
        return error("Berkas kosong (0 byte).", "Unggah ulang berkas yang sudah diisi.")
    if len(data) > limits.max_file_bytes:
        return error(
            f"Berkas terlalu besar ({len(data) / 1e6:.1f} MB; batas {limits.max_file_bytes / 1e6:.0f} MB).",
            "Hapus lampiran, gambar atau lembar lain selain template; data dukung cukup tautan.",
        )
    if data.startswith(OLE2_MAGIC):
        return error(
            "Berkas dilindungi kata sandi atau berformat Excel lama (.xls).",
            "Buka proteksi kata sandi, lalu simpan sebagai .xlsx dari template resmi.",
        )
    if data.startswith(b"%PDF"):
        return error("Berkas ini PDF, bukan buku kerja Excel.", _SAVE_AS)
    if not data.startswith(ZIP_MAGIC):
        kind = "teks/CSV" if _looks_like_text(data[:4096]) else "tidak dikenal"
        return error(f"Berkas bukan buku kerja Excel (.xlsx); isinya {kind}.", _SAVE_AS)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _check_entries(zf, limits)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        return error(
            f"Berkas rusak atau terpotong ({type(exc).__name__}).",
            "Salin ulang berkas ke shared drive; pastikan penyalinan selesai.",
        )


def _check_entries(zf: zipfile.ZipFile, limits: Limits) -> Issue | None:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        return error(f"Berkas berisi terlalu banyak bagian ({len(infos)}).", _SAVE_AS)
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        return error("Berkas zip ini bukan buku kerja Excel (.xlsx).", _SAVE_AS)
    if "xl/vbaProject.bin" in names:
        return error(
            "Buku kerja berisi makro (.xlsm); makro tidak diterima demi keamanan.",
            "Simpan sebagai 'Buku Kerja Excel (*.xlsx)' tanpa makro.",
        )
    total = 0
    for info in infos:
        if info.file_size > limits.max_unzipped_bytes or (
            info.compress_size
            and info.file_size / info.compress_size > limits.max_ratio
            and info.file_size > 1_000_000
        ):
            return _bomb()
        # Declared sizes can lie: count what really comes out, and stop at the limit.
        with zf.open(info) as member:
            while chunk := member.read(1 << 20):
                total += len(chunk)
                if total > limits.max_unzipped_bytes:
                    return _bomb()
    return None


def _bomb() -> Issue:
    return error(
        "Isi berkas terlalu besar setelah diekstrak (kemungkinan 'zip bomb' atau ribuan baris "
        "kosong berformat).",
        "Salin data ke template baru yang kosong, lalu kirim ulang.",
    )


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head
