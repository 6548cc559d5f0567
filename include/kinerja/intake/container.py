"""Checks on the raw bytes before any spreadsheet library sees them.

A workbook is a zip; what arrives on a shared drive may be a PDF or CSV with an .xlsx name,
an encrypted (password) workbook, a macro workbook, a truncated copy or a decompression bomb.
Each is rejected with a reason, in bounded time and memory.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

from kinerja.schema.issues import Issue, error

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
    max_cells: int = 4_000_000
    """Cells of one sheet's grid (last used row x last used column); readers allocate all of it."""


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
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, OSError) as exc:
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
        grid = _GridBounds(limits, cells=info.filename.startswith("xl/worksheets/"))
        with zf.open(info) as member:
            while chunk := member.read(1 << 20):
                total += len(chunk)
                if total > limits.max_unzipped_bytes:
                    return _bomb()
                if not grid.feed(chunk):
                    return _too_wide(grid)
        if not grid.feed(b"", final=True):
            return _too_wide(grid)
    return None


def _too_wide(grid: _GridBounds) -> Issue:
    def n(value: int) -> str:
        return f"{value:,}".replace(",", ".")

    if grid.declared:
        what = f"Buku kerja menyatakan {n(grid.declared)} isian, terlalu banyak untuk dibaca dengan aman."
    else:
        what = (
            f"Area sel buku kerja terlalu luas untuk dibaca dengan aman (sampai baris {n(grid.max_row)}, "
            f"kolom ke-{n(grid.max_col)}); biasanya karena sel kosong berformat jauh di bawah atau di "
            "kanan data."
        )
    return error(what, "Salin data ke template baru yang kosong, lalu kirim ulang.")


_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^<>]*)>")
_REF_ATTR = re.compile(rb"""\br\s*=\s*["']([^"']*)["']""")
_CELL_REF = re.compile(rb"^\$?([A-Za-z]*)\$?(\d+)$")
_COUNT_TAIL = re.compile(rb"""ount\s*=\s*["']\s*\+?0*(\d{1,20})""")
"""The end of a `count` or `uniqueCount` attribute: searched from its literal start (many times
faster than the whole name behind a word boundary); `_declared_counts` checks the name."""
_WORD = re.compile(rb"\w")
# The fast path: when every <row>/<c> tag starts with its reference (as Excel and openpyxl write),
# the grid is the largest row and column named, found by C-level searches, not a Python loop.
# Any other tag (a namespace prefix, other whitespace, no or an odd reference) sends the chunk
# to the exact walk instead.
_IRREGULAR_TAG = re.compile(
    rb"""<[A-Za-z_][\w.-]*:(?:c|row)[\s/>]|<(?:c|row)(?: (?!r=["'])|[\t\r\n/>])"""
    rb"""|<c r=["'](?![A-Za-z]{1,8}\d{1,20}["'])|<row r=["'](?!\d{1,20}["'])"""
)
_ROW_NUM = re.compile(rb"""<row r=["'](\d{1,20})["']""")
_CELL_COL_ROW = re.compile(rb"""<c r=["']([A-Za-z]{1,8})(\d{1,20})["']""")


class _GridBounds:
    """The size of the cell grid a spreadsheet reader would allocate for one part, read from
    the XML as it streams by: a tiny file can name cell XFD1048576 or promise four billion
    shared strings, and the reader would try to allocate all of it before reading a value."""

    def __init__(self, limits: Limits, cells: bool = True) -> None:
        self.cells = cells
        """Walk row and cell tags (worksheets: what the reader lays out as a grid)."""
        self.limits = limits
        self.row = self.col = self.max_row = self.max_col = self.declared = 0
        self.tail = b""

    def feed(self, chunk: bytes, final: bool = False) -> bool:
        """False as soon as the grid (or a declared count) is over the limits."""
        data = self.tail + chunk
        cut = len(data) if final else data.rfind(b"<")
        if cut < 0:
            cut = max(0, len(data) - 64)  # no tag starts here; keep a little for a split attribute
        scan, self.tail = data[:cut], data[cut:]
        if len(self.tail) > 1 << 20:  # one tag this long is not a worksheet
            return False
        for count in _declared_counts(scan) if b"ount" in scan else ():
            if count > self.limits.max_cells:
                self.declared = count
                return False
        if not self.cells or self._fast(scan):
            return not self._over()
        for m in _TAG.finditer(scan):
            ref = _REF_ATTR.search(m.group(2))
            if m.group(1) == b"row":
                self.row = _number(ref.group(1)) if ref else self.row + 1
                self.col = 0
            else:
                cell = _CELL_REF.match(ref.group(1).strip()) if ref else None
                if cell:
                    self.col = _column(cell.group(1)) if cell.group(1) else self.col + 1
                    self.row = max(self.row, _number(cell.group(2)))
                else:
                    self.col += 1
            self.max_row, self.max_col = max(self.max_row, self.row), max(self.max_col, self.col)
            if self._over():
                return False
        return True

    def _fast(self, scan: bytes) -> bool:
        """Grid of a chunk whose every row and cell tag carries its reference; False: use the
        exact walk (tags without references are placed after the previous one)."""
        if _IRREGULAR_TAG.search(scan):
            return False
        rows = _ROW_NUM.findall(scan)
        cells = _CELL_COL_ROW.findall(scan)
        cols, cell_rows = zip(*cells, strict=True) if cells else ((), ())
        if cell_rows:
            self.max_col = max(self.max_col, *(_column(c) for c in set(cols)))
            self.row, self.col = int(cell_rows[-1]), _column(cols[-1])
        elif rows:
            self.row, self.col = int(rows[-1]), 0
        self.max_row = max(
            self.max_row, self.row, max(map(int, rows), default=0), max(map(int, cell_rows), default=0)
        )
        return True

    def _over(self) -> bool:
        return (
            self.max_row > self.limits.max_rows + 100 or self.max_row * self.max_col > self.limits.max_cells
        )


def _declared_counts(scan: bytes) -> list[int]:
    """The values of the `count` and `uniqueCount` attributes in `scan` (each name whole: not
    preceded by a letter, digit or underscore), in order."""
    out = []
    for m in _COUNT_TAIL.finditer(scan):
        start = m.start()
        for name in (b"c", b"uniqueC"):
            begin = start - len(name)
            if scan[max(begin, 0) : start] == name and (begin == 0 or not _WORD.match(scan, begin - 1)):
                out.append(int(m.group(1)))
                break
    return out


def _number(text: bytes) -> int:
    digits = text.strip()
    return int(digits[:20]) if digits.isdigit() else 0


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper()[:8]:
        n = n * 26 + ch - 64
    return n


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
