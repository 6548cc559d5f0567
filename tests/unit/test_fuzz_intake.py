"""Fuzzing the intake: mutated real workbooks and random bytes never crash it.

Every example goes through `judge` (container checks → reader → template checks → Great
Expectations), the entry point the collection uses for one file, and then through the agency's
feedback (.xlsx and .html). For every example: no exception, every finding a readable message
in Bahasa Indonesia (errors with a fix), bounded time (hypothesis deadline) and bounded memory.

The default run is small and deterministic (derandomized, no example database) for CI. A bigger
run for a report: `KINERJA_FUZZ_EXAMPLES=2000 uv run pytest tests/unit/test_fuzz_intake.py -s`
(figures are printed and written to test-artifacts/fuzz-intake.json).
"""

from __future__ import annotations

import io
import json
import os
import re
import statistics
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from kinerja.catalog import Catalog, load_catalog
from kinerja.intake.collect import Judgement, judge
from kinerja.intake.container import Limits
from kinerja.intake.feedback import FeedbackContext, render_html, render_xlsx
from kinerja.intake.reader import _unreadable, read_info
from kinerja.intake.validation import shared_validator
from kinerja.sample import SampleShares, generate_year
from kinerja.schema.issues import Issue
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("KINERJA_FUZZ_EXAMPLES", "0"))
"""Examples per strategy for a big run; 0: the small CI run."""
SHRINK = os.environ.get("KINERJA_FUZZ_SHRINK") == "1"
MAX_PEAK_GROWTH_BYTES = 512 * 1024 * 1024
"""How far the process's peak RSS may rise above its resident size while checking one file
(calamine's Rust allocations included; Linux resets the peak through /proc/self/clear_refs)."""
INDONESIAN = re.compile(
    r"\b(berkas|buku kerja|lembar|kolom|nilai|kode|isian|kombinasi|angka|tahun|versi|jenis|"
    r"baris|tidak|bukan|harus|terlalu|belum|wajib|melebihi|lebih|kosong|rusak|isi|sel)\b",
    re.IGNORECASE,
)
SEEDS = (
    ("DINKES", "SPM"),
    ("DINKES", "LPPD"),
    ("DINKES", "LKPJ"),
    ("KEC-MEDAN-KOTA", "LKPJ"),
)


def fuzz_settings(default: int) -> settings:
    return settings(
        max_examples=EXAMPLES or default,
        deadline=timedelta(seconds=30),
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
        # Shrinking a zip takes minutes; the recipe in the report says how the file was made.
        phases=[Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if SHRINK else []),
    )


@cache
def _catalog() -> Catalog:
    return load_catalog("medan")


@cache
def _seeds() -> dict[tuple[str, str], bytes]:
    """Real sample workbooks (what `kinerja sample` writes), valid ones only."""
    out = Path(tempfile.mkdtemp(prefix="kinerja-fuzz-seeds-"))
    files = generate_year(
        _catalog(), 2025, out, seed=7, only={p for p, _ in SEEDS}, shares=SampleShares(0, 0, 0)
    )
    by_key = {(f.kode_pd, f.laporan): (out / f.path).read_bytes() for f in files}
    return {key: by_key[key] for key in SEEDS}


class Case:
    """A fuzzed file, shown by how it was made (not its bytes) when hypothesis reports it."""

    def __init__(self, kode_pd: str, data: bytes, recipe: tuple[str, ...]) -> None:
        self.kode_pd, self.data, self.recipe = kode_pd, data, recipe

    def __repr__(self) -> str:
        return f"Case({self.kode_pd}, {len(self.data)} bytes, {'; '.join(self.recipe)[:2000]})"


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --- measuring ---------------------------------------------------------------------------


@dataclass
class Figures:
    seconds: list[float]
    peaks: list[int]
    rejected: int = 0
    accepted: int = 0


FIGURES: dict[str, Figures] = {}


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    # Warm up outside the measured examples: Great Expectations is imported and its suites
    # loaded once per process (the collection does the same); the seeds must be valid.
    catalog = _catalog()
    for (kode_pd, laporan), data in _seeds().items():
        j = judge(data, catalog.pd(kode_pd), kode_pd, 2025, catalog, shared_validator)
        assert j.laporan == laporan and not [i for i in j.issues if i.severity == "error"]
    yield
    if not FIGURES:
        return
    summary = {}
    for name, f in FIGURES.items():
        ordered = sorted(f.seconds)
        summary[name] = {
            "examples": len(ordered),
            "rejected": f.rejected,
            "accepted": f.accepted,
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1),
            "peak_rss_growth_mb": round(max(f.peaks) / 2**20, 1),
        }
    summary["process_rss_mb"] = {
        "after": round(_rss_kb("VmRSS") / 1024, 1),
    }
    text = json.dumps(summary, indent=1)
    print("\nfuzz figures:\n" + text)
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "fuzz-intake.json").write_text(text + "\n", encoding="utf-8")


def _readable(j: Judgement) -> None:
    """Every finding is a message an official can read; every error says how to fix it."""
    for i in j.issues:
        assert isinstance(i.message, str) and i.message.strip(), i
        assert len(i.message) <= 1000, i.message[:200]
        assert "Traceback" not in i.message and "\x00" not in i.message, i.message
        assert INDONESIAN.search(i.message), i.message
        if i.severity == "error":
            assert i.fix.strip(), i


def _rss_kb(field: str) -> int:
    """VmRSS (resident now) or VmHWM (peak since the last reset) of this process, in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


def _reset_peak() -> int:
    Path("/proc/self/clear_refs").write_text("5")
    return _rss_kb("VmRSS") * 1024


def check_file(strategy: str, data: bytes, kode_pd: str = "DINKES") -> Judgement:
    """One file through the collection's checks and the agency's feedback, measured."""
    catalog = _catalog()
    resident = _reset_peak()
    started = time.perf_counter()
    j = judge(data, catalog.pd(kode_pd), kode_pd, 2025, catalog, shared_validator, Limits())
    ctx = FeedbackContext(
        path=f"2025/{kode_pd}/fuzz.xlsx",
        nama_pd=kode_pd,
        kode_pd=kode_pd,
        tahun=2025,
        laporan=j.laporan,
        version=1,
        received_at=datetime(2026, 1, 20, tzinfo=UTC),
        terlambat=False,
        batas="26-01-2026",
        zona=ZoneInfo("Asia/Jakarta"),
        zona_label="WIB",
    )
    sheet = render_xlsx(ctx, j.issues)
    page = render_html(ctx, j.issues)
    elapsed = time.perf_counter() - started
    peak = _rss_kb("VmHWM") * 1024 - resident
    figures = FIGURES.setdefault(strategy, Figures([], []))
    figures.seconds.append(elapsed)
    figures.peaks.append(peak)
    errors = [i for i in j.issues if i.severity == "error"]
    if errors:
        figures.rejected += 1
        assert "DITOLAK" in page.decode("utf-8")
    else:
        figures.accepted += 1
        assert j.frames is not None and j.template is not None
    _readable(j)
    assert load_workbook(io.BytesIO(sheet), read_only=True)["Umpan Balik"]["A1"].value.startswith("Hasil")
    assert peak < MAX_PEAK_GROWTH_BYTES, f"peak RSS +{peak / 2**20:.0f} MB"
    return j


# --- strategies ----------------------------------------------------------------------------

seed_keys = st.sampled_from(SEEDS)
INTERESTING_NUMBERS = (
    "0",
    "-1",
    "1",
    "9",
    "10",
    "65536",
    "1048576",
    "1048577",
    "16384",
    "16385",
    "2147483648",
    "4294967296",
    "9223372036854775808",
    "99999999999999999999",
    "1e308",
    "1e400",
    "NaN",
    "-0",
    "0x10",
    "1,5",
    " 12 ",
    "",
)
CELL_REFS = ("A1", "B2", "Z99", "XFD1", "A1048576", "XFD1048576", "AAAA1", "A0", "1A", "", "a1")
XML_FRAGMENTS = (
    "<row>",
    '<row r="1048576">',
    "</row>",
    "<c>",
    "</c>",
    '<c r="XFD1048576"><v>1</v></c>',
    '<c r="B2" t="s"><v>99999</v></c>',
    '<c r="B2" t="e"><v>#DIV/0!</v></c>',
    '<c r="B2" t="b"><v>2</v></c>',
    '<c r="B2" t="d"><v>2025-13-45T99:00:00</v></c>',
    '<c r="B2" t="str"><f>WEBSERVICE("http://x")</f><v>=1+1</v></c>',
    '<c r="B2"><f>[1]Sheet1!A1</f><v>7</v></c>',
    "</sheetData>",
    "<sheetData>",
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    "&b;",
    "&#0;",
    "&#xFFFE;",
    "<![CDATA[<c r='A1'/>]]>",
    '<?xml version="1.0" encoding="UTF-16"?>',
    'count="4000000000" uniqueCount="4000000000"',
    '<dimension ref="A1:XFD1048576"/>',
    '<mergeCell ref="A1:XFD1048576"/>',
    '<sheet name="Info" sheetId="99" r:id="rId99"/>',
    '<sheet name="Penerima" sheetId="1" r:id="rId1"/>',
    '<Relationship Id="rId1" Target="../../../../etc/passwd" Type="x"/>',
    '<Relationship Id="rId9" TargetMode="External" Target="http://127.0.0.1:1/x" Type="x"/>',
    "_x0000_",
    "_x001F_",
    "\u202e",
    "\ufeff",
    "Ｄｉｎａｓ",
)


@st.composite
def byte_mutations(draw: st.DrawFn) -> Case:
    """Flip, insert, delete, overwrite or truncate bytes of a real workbook (the zip itself)."""
    key = draw(seed_keys)
    data = bytearray(_seeds()[key])
    recipe = ["-".join(key)]
    for _ in range(draw(st.integers(1, 6))):
        # Half the edits land in the zip's headers and central directory (the last KBs).
        size = len(data)
        if draw(st.booleans()) and size > 2048:
            pos = draw(st.integers(size - 2048, size - 1))
        else:
            pos = draw(st.integers(0, max(0, size - 1)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "overwrite", "truncate", "duplicate"]))
        recipe.append(f"{op}@{pos}")
        if op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 256))]
        elif op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=16))
            data[pos : pos + len(chunk)] = chunk
        elif op == "truncate":
            del data[pos:]
        elif op == "duplicate":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 512))]
    return Case(key[0], bytes(data), tuple(recipe))


def _mutate_text(draw: st.DrawFn, text: str, recipe: list[str]) -> str:
    size = len(text)
    pos = draw(st.integers(0, size))
    op = draw(st.sampled_from(["delete", "duplicate", "insert", "number", "type", "ref"]))
    recipe.append(f"{op}@{pos}")
    if op == "delete":
        return text[:pos] + text[pos + draw(st.integers(1, 400)) :]
    if op == "duplicate":
        return text[:pos] + text[pos : pos + draw(st.integers(1, 4000))] + text[pos:]
    if op == "insert":
        fragment = draw(st.sampled_from(XML_FRAGMENTS) | st.text(max_size=40))
        recipe.append(repr(fragment))
        return text[:pos] + fragment + text[pos:]
    pattern = {
        "number": r"(?<=[>\"])-?\d+(\.\d+)?(?=[<\"])",
        "type": r'(?<=\bt=")[a-zA-Z]+',
        "ref": r'(?<=\br=")\w+',
    }[op]
    matches = list(re.finditer(pattern, text))
    if not matches:
        return text
    m = matches[draw(st.integers(0, len(matches) - 1))]
    replacement = draw(
        {
            "number": st.sampled_from(INTERESTING_NUMBERS),
            "type": st.sampled_from(["s", "str", "inlineStr", "n", "b", "e", "d", "x", ""]),
            "ref": st.sampled_from(CELL_REFS + INTERESTING_NUMBERS[:14]),
        }[op]
    )
    recipe.append(f"{m.group(0)!r}->{replacement!r}")
    return text[: m.start()] + replacement + text[m.end() :]


@st.composite
def xml_mutations(draw: st.DrawFn) -> Case:
    """Mutate the XML inside one or more entries of a real workbook, then zip it again."""
    key = draw(seed_keys)
    entries = _entries(_seeds()[key])
    recipe = ["-".join(key)]
    for _ in range(draw(st.integers(1, 4))):
        name = draw(
            st.sampled_from(sorted(entries))
            | st.sampled_from([n for n in sorted(entries) if n.startswith("xl/worksheets/")])
        )
        text = entries[name].decode("utf-8")
        recipe.append(name)
        for _ in range(draw(st.integers(1, 4))):
            text = _mutate_text(draw, text, recipe)
        entries[name] = text.encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()):  # an entry dropped or an extra one added
        if draw(st.booleans()):
            dropped = draw(st.sampled_from(sorted(entries)))
            entries.pop(dropped, None)
            recipe.append(f"drop {dropped}")
        else:
            added = draw(st.sampled_from(["xl/sharedStrings.xml", "xl/x.xml", "../evil.xml", "/abs.xml"]))
            entries[added] = draw(st.sampled_from(XML_FRAGMENTS)).encode()
            recipe.append(f"add {added}")
    method = draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    return Case(key[0], _zip(entries, method), tuple(recipe))


# Text an official (or an attacker) could put in a cell.
odd_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300),
    st.sampled_from(
        [
            "=1+1",
            "+SUM(A1:A9)",
            "-2+3",
            "@cmd",
            '=HYPERLINK("http://evil","klik")',
            "=cmd|' /C calc'!A0",
            "<script>alert(1)</script>",
            "\u202egnp.exe",
            "e\u0301\u0301\u0301",
            "１２３",
            "1.234,5",
            "12,5",
            "  ",
            "_x0000__x0001__x001F_",
            "NaN",
            "inf",
            "-inf",
            "9" * 400,
            "kesehatan.1",
            "DINSOS",
            "2025",
        ]
    ),
    st.integers(1, 40_000).map(lambda n: "x" * n),
)


def _xml_safe(text: str) -> str:
    """Text as it can appear in OOXML: invalid XML characters are not written."""
    keep = (
        c
        for c in text
        if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c > "\uffff"
    )
    return escape("".join(keep))


@st.composite
def cell_values(draw: st.DrawFn) -> str:
    """One `<c>` element body: a value of an odd type, a huge string, a formula, Unicode."""
    kind = draw(st.sampled_from(["n", "inlineStr", "str", "b", "e", "d", "s", "formula"]))
    if kind == "n":
        return f"<v>{draw(st.sampled_from(INTERESTING_NUMBERS) | st.floats().map(repr))}</v>"
    if kind == "inlineStr":
        return f't="inlineStr"><is><t xml:space="preserve">{_xml_safe(draw(odd_text))}</t></is>'
    if kind == "str":
        return f't="str"><v>{_xml_safe(draw(odd_text))}</v>'
    if kind == "b":
        return f't="b"><v>{draw(st.sampled_from(["0", "1", "2", "true", ""]))}</v>'
    if kind == "e":
        return f't="e"><v>{draw(st.sampled_from(["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#BOGUS"]))}</v>'
    if kind == "d":
        return f't="d"><v>{draw(st.sampled_from(["2025-01-26", "2025-13-45", "0000-00-00", "x"]))}</v>'
    if kind == "s":
        return f't="s"><v>{draw(st.sampled_from(["0", "1", "-1", "99999999"]))}</v>'
    formulas = ["SUM(A1:A9)", "[1]Sheet1!A1", 'WEBSERVICE("http://x")', "1/0"]
    formula = _xml_safe(draw(st.sampled_from(formulas)))
    return f"><f>{formula}</f><v>{draw(st.sampled_from(INTERESTING_NUMBERS))}</v>"


_CELL = re.compile(r'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)


@st.composite
def cell_mutations(draw: st.DrawFn) -> Case:
    """Replace cells of the Info and data sheets with odd values (the XML stays well formed)."""
    key = draw(seed_keys)
    entries = _entries(_seeds()[key])
    recipe = ["-".join(key)]
    sheets = sorted(n for n in entries if n.startswith("xl/worksheets/sheet"))
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(sheets))
        text = entries[name].decode("utf-8")
        cells = list(_CELL.finditer(text))
        if not cells:
            continue
        # Mostly the first rows: the Info values, the header row and the first data rows.
        m = cells[draw(st.integers(0, min(len(cells) - 1, 60)) | st.integers(0, len(cells) - 1))]
        body = draw(cell_values())
        element = f'<c r="{m.group(1)}"' + (body if body.startswith(("t=", ">")) else ">" + body)
        element = element.replace('<c r="' + m.group(1) + '"t=', '<c r="' + m.group(1) + '" t=')
        text = text[: m.start()] + element + "</c>" + text[m.end() :]
        entries[name] = text.encode("utf-8")
        recipe.append(f"{name}:{m.group(1)}={element[:200]!r}")
    return Case(key[0], _zip(entries), tuple(recipe))


random_files = st.one_of(
    st.binary(max_size=4096),
    st.binary(max_size=64).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=64).map(lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b),
    st.binary(max_size=64).map(lambda b: b"%PDF-1.7\n" + b),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
    st.text(max_size=300).map(
        lambda t: ("\ufeffkode_jpd;terlayani\n" + t).encode("utf-8", errors="surrogatepass")
    ),
)


# --- the properties --------------------------------------------------------------------------


@fuzz_settings(60)
@given(case=byte_mutations())
def test_byte_mutations_of_real_workbooks(case: Case) -> None:
    check_file("bytes", case.data, case.kode_pd)


@fuzz_settings(40)
@given(case=xml_mutations())
def test_xml_mutations_inside_real_workbooks(case: Case) -> None:
    check_file("xml", case.data, case.kode_pd)


@fuzz_settings(40)
@given(case=cell_mutations())
def test_odd_cell_values_in_real_workbooks(case: Case) -> None:
    check_file("cells", case.data, case.kode_pd)


@fuzz_settings(60)
@given(data=random_files)
def test_random_bytes(data: bytes) -> None:
    j = check_file("random", data)
    assert any(i.severity == "error" for i in j.issues), "random bytes are never a valid workbook"


# --- what fuzzing found, kept as explicit regressions ------------------------------------------


def _judge_plain(data: bytes, limits: Limits | None = None) -> Judgement:
    catalog = _catalog()
    return judge(data, catalog.pd("DINKES"), "DINKES", 2025, catalog, shared_validator, limits or Limits())


def _info_part(entries: dict[str, bytes]) -> str:
    return next(
        n for n, d in entries.items() if n.startswith("xl/worksheets/") and b"Kode Perangkat Daerah" in d
    )


def _with_info_cell(ref: str) -> bytes:
    """The DINKES SPM sample with one more cell on its Info sheet at `ref`."""
    entries = _entries(_seeds()[("DINKES", "SPM")])
    name = _info_part(entries)
    xml = entries[name].decode()
    extra = f'<row r="99999999"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
    xml = xml.replace("</sheetData>", extra.replace('r="99999999"', "") + "</sheetData>")
    entries[name] = xml.encode()
    return _zip(entries)


def test_a_corrupt_deflate_stream_is_rejected_not_raised() -> None:
    # Found by byte flips: zlib.error escaped the container check.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>" * 50)
    data = bytearray(buf.getvalue())
    data[30 + len("xl/workbook.xml")] = 0xFF  # first deflate block: BTYPE=11, invalid
    j = _judge_plain(bytes(data))
    assert [i.message for i in j.issues] == ["Berkas rusak atau terpotong (error)."]


@pytest.mark.parametrize("ref", ["XFD1048576", "ZZ300000", "A4294967295", "ZZZZZZ1", "XFD1000"])
def test_a_cell_far_from_the_data_is_refused_before_the_reader_allocates_it(ref: str) -> None:
    # Found by XML mutations: one cell at XFD1048576 made calamine allocate the whole grid
    # (hundreds of GB: the process aborted, no exception); ZZ300000 took 6.7 GB.
    started = time.perf_counter()
    j = _judge_plain(_with_info_cell(ref))
    assert time.perf_counter() - started < 5
    messages = [i.message for i in j.issues]
    assert len(messages) == 1 and "Area sel buku kerja terlalu luas" in messages[0], messages


def test_a_huge_declared_shared_string_count_is_refused() -> None:
    # calamine reserves `uniqueCount` strings up front: 4e9 of them aborted the process.
    entries = _entries(_seeds()[("DINKES", "SPM")])
    entries["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" '
        b'uniqueCount="4000000000"><si><t>x</t></si></sst>'
    )
    j = _judge_plain(_zip(entries))
    assert [i.message for i in j.issues] == [
        "Buku kerja menyatakan 4.000.000.000 isian, terlalu banyak untuk dibaca dengan aman."
    ]


def test_a_malformed_cell_reference_is_a_finding() -> None:
    # Found by XML mutations: calamine's CalamineError escaped `judge` from the Info sheet.
    entries = _entries(_seeds()[("DINKES", "SPM")])
    name = _info_part(entries)
    entries[name] = entries[name].replace(b'<c r="B2"', b'<c r="B"', 1)
    j = _judge_plain(_zip(entries))
    assert len(j.issues) == 1 and j.issues[0].sheet == "Info", j.issues
    assert j.issues[0].message.startswith("Lembar 'Info' tidak dapat dibaca (CalamineError")
    _readable(j)


class PanicException(BaseException):
    """Stands in for pyo3's PanicException (a BaseException), which calamine raises on a panic."""


class _PanickingWorkbook:
    sheet_names = ("Info", "Penerima", "Mutu")

    def get_sheet_by_name(self, name: str) -> object:
        raise PanicException("chunk size must be non-zero")


def test_a_panic_inside_calamine_is_a_finding_not_a_crash() -> None:
    # A lone cell at XFD1048576 made calamine panic ("chunk size must be non-zero": 16384 x
    # 1048576 cells overflow to 0); `except Exception` let the panic through and stopped the run.
    # The container check now refuses such files first; should a panic happen anyway, the
    # reader turns it into a finding. (A real panicking file is not used here: one cell
    # further and calamine allocates the whole grid instead.)
    issue = read_info(_PanickingWorkbook())  # type: ignore[arg-type]
    assert isinstance(issue, Issue) and issue.sheet == "Info"
    assert issue.message == "Lembar 'Info' tidak dapat dibaca (PanicException: chunk size must be non-zero)."
    with pytest.raises(KeyboardInterrupt):
        _unreadable(KeyboardInterrupt())


def test_control_characters_in_a_cell_reach_the_feedback_workbook() -> None:
    # Excel writes control characters as `_x0001_`; calamine decodes them, the value lands in
    # an issue, and openpyxl refused to write it (IllegalCharacterError stopped the run).
    entries = _entries(_seeds()[("DINKES", "SPM")])
    name = next(n for n, d in entries.items() if n.startswith("xl/worksheets/") and b"Harus Dilayani" in d)
    xml = entries[name].decode()
    m = re.search(r'<c r="E2"[^>]*?(?:/>|>.*?</c>)', xml, re.DOTALL)
    assert m
    entries[name] = (
        xml[: m.start()] + '<c r="E2" t="inlineStr"><is><t>a_x0001_b</t></is></c>' + xml[m.end() :]
    ).encode()
    j = check_file("regression", _zip(entries))
    assert any(i.value == "a\x01b" and i.row == 2 for i in j.issues), j.issues[:3]
