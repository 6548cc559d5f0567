"""Every drive kind behaves like the local one, against real servers on 127.0.0.1 (see servers.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import paramiko
import pytest
from kinerja.catalog import Catalog
from kinerja.intake.collect import CollectRun
from kinerja.intake.feedback import feedback_paths
from kinerja.sample import SampleShares, generate_year
from kinerja.sources import Drive, DriveFile, LocalDrive, RefusedFile
from kinerja.sources.sftp import SftpDrive
from kinerja.sources.smb import SmbDrive
from kinerja.sources.url import PASSWORD_ENV, drive_from_url
from kinerja.warehouse.models import drive_refused
from sqlalchemy import Engine, select

from tests.support import servers

pytestmark = pytest.mark.integration

smb_server = servers.smb_server
sftp_server = servers.sftp_server

KINDS = ("local", "smb", "sftp")
UNSAFE = ("../x", "/etc/passwd", "2025/../../x")


@dataclass
class Place:
    drive: Drive
    folder: Path
    """Where the drive's root is on this machine: the test arranges and inspects files here."""


@pytest.fixture(params=KINDS)
def place(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Place]:
    if request.param == "local":
        yield Place(LocalDrive(tmp_path), tmp_path)
        return
    server: servers.Server = request.getfixturevalue(f"{request.param}_server")
    root = server.fresh_root()
    drive = server.drive(root)
    yield Place(drive, server.folder / root)
    drive.close()


def put(folder: Path, rel: str, data: bytes, mtime: float = 1_767_600_000.25) -> Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def test_lists_only_submissions_with_size_and_mtime(place: Place) -> None:
    wanted = {
        "2025/BAPPEDA/BAPPEDA_LKPJ_2025.xlsx": b"lkpj" * 100,
        "2025/DINKES/DINKES_SPM_2025.xlsx": b"spm" * 50,
        "2025/DINKES/catatan.csv": b"a,b\n1,2\n",
        "2025/DINKES/catatan.txt": b"not a workbook: rejected with feedback, never ignored",
    }
    for i, (rel, data) in enumerate(wanted.items()):
        put(place.folder, rel, data, mtime=1_767_600_000.5 + 3600 * i)
    for rel in (
        "2025/DINKES/umpan-balik/DINKES_SPM_2025.umpan-balik.xlsx",  # our own feedback
        "2025/DINKES/~$DINKES_SPM_2025.xlsx",  # Excel's lock file
        "2025/DINKES/.tersembunyi.xlsx",
        "2025/DINKES/arsip/lama.xlsx",  # a folder nested in the agency's folder
        "2025/.rahasia/BAPPEDA_LKPJ_2025.xlsx",  # a hidden "agency" folder
        "2025/lepas.xlsx",  # a file outside any agency folder
        "2024/DINKES/DINKES_SPM_2024.xlsx",  # another year
    ):
        put(place.folder, rel, b"not listed")
    # Links could show one agency's file as another's: a linked file and a linked agency folder.
    (place.folder / "2025/DINKES/tautan.xlsx").symlink_to("../BAPPEDA/BAPPEDA_LKPJ_2025.xlsx")
    (place.folder / "2025/PALSU").symlink_to("DINKES", target_is_directory=True)

    listed = list(place.drive.list_files(2025))

    assert [f.path for f in listed] == sorted(wanted)  # folder, then name
    for f in listed:
        st = (place.folder / f.path).stat()
        assert isinstance(f, DriveFile)
        assert f.size == len(wanted[f.path]) == st.st_size
        assert abs(f.mtime - st.st_mtime) < 1, (f, st.st_mtime)
    assert list(place.drive.list_files(2030)) == []


def test_the_survey_reports_what_it_does_not_take(place: Place, request: pytest.FixtureRequest) -> None:
    put(place.folder, "2025/DINKES/DINKES_SPM_2025.xlsx", b"spm")
    put(place.folder, "2025/DINKES/arsip/lama.xlsx", b"old", mtime=1_767_600_000)
    put(place.folder, "2025/DINKES/arsip/2024/lebih lama.xlsx", b"older")
    put(place.folder, "2025/DINKES/umpan-balik/DINKES_SPM_2025.umpan-balik.html", b"ours")
    put(place.folder, "2025/lepas.xlsx", b"loose")
    if "smb" not in request.node.callspec.id:  # SMB names cannot hold a backslash at all
        put(place.folder, "2025/DINKES/spm\\..\\x.xlsx", b"odd")
    (place.folder / "2025/DINKES/arsip/tautan.xlsx").symlink_to("../DINKES_SPM_2025.xlsx")

    found = list(place.drive.survey(2025))

    assert [f.path for f in found if isinstance(f, DriveFile)] == ["2025/DINKES/DINKES_SPM_2025.xlsx"]
    refused = {f.path: f for f in found if isinstance(f, RefusedFile)}
    expected = {
        "2025/DINKES/arsip/2024/lebih lama.xlsx": ("subfolder", "DINKES"),
        "2025/DINKES/arsip/lama.xlsx": ("subfolder", "DINKES"),
        "2025/lepas.xlsx": ("tempat", None),
    }
    if "smb" not in request.node.callspec.id:
        expected["2025/DINKES/spm\\..\\x.xlsx"] = ("nama", "DINKES")
    assert {p: (f.reason, f.kode_pd_folder) for p, f in refused.items()} == expected
    old = refused["2025/DINKES/arsip/lama.xlsx"]
    assert old.size == 3 and abs(old.mtime - 1_767_600_000) < 1


def test_read_bytes_stops_after_max_bytes_plus_one(place: Place) -> None:
    data = bytes(range(256)) * 400  # 100 KiB, more than one SMB / SFTP read
    put(place.folder, "2025/DINKES/besar.xlsx", data)

    assert place.drive.read_bytes("2025/DINKES/besar.xlsx", len(data)) == data
    assert place.drive.read_bytes("2025/DINKES/besar.xlsx", 10) == data[:11]
    assert place.drive.read_bytes("2025/DINKES/besar.xlsx", len(data) - 1) == data


def test_write_bytes_creates_folders_and_replaces_atomically(place: Place) -> None:
    put(place.folder, "2025/DINKES/DINKES_SPM_2025.xlsx", b"submission")
    target = "2025/DINKES/umpan-balik/DINKES_SPM_2025.umpan-balik.html"

    place.drive.write_bytes(target, b"<p>first</p>")
    first = (place.folder / target).stat()
    place.drive.write_bytes(target, b"<p>second, longer</p>")
    place.drive.write_bytes("2026/BARU/umpan-balik/x.xlsx", b"new tree")

    assert (place.folder / target).read_bytes() == b"<p>second, longer</p>"
    # A new inode: the file was renamed over, never rewritten in place where a reader could see half.
    assert (place.folder / target).stat().st_ino != first.st_ino
    assert sorted(p.name for p in (place.folder / target).parent.iterdir()) == [Path(target).name]
    assert (place.folder / "2026/BARU/umpan-balik/x.xlsx").read_bytes() == b"new tree"
    assert (place.folder / "2025/DINKES/DINKES_SPM_2025.xlsx").read_bytes() == b"submission"


@pytest.mark.parametrize("path", UNSAFE)
def test_unsafe_paths_are_refused(place: Place, path: str) -> None:
    before = sorted(place.folder.parent.iterdir())
    with pytest.raises(ValueError, match="unsafe path"):
        place.drive.read_bytes(path, 100)
    with pytest.raises(ValueError, match="unsafe path"):
        place.drive.write_bytes(path, b"escaped")
    assert sorted(place.folder.parent.iterdir()) == before


def test_drive_from_url_local(tmp_path: Path) -> None:
    put(tmp_path, "2025/DINKES/a.xlsx", b"x")
    for url in (str(tmp_path), tmp_path.as_uri()):
        drive = drive_from_url(url)
        assert isinstance(drive, LocalDrive)
        assert drive.root == tmp_path.resolve()
        assert drive.name == "local"
        assert [f.path for f in drive.list_files(2025)] == ["2025/DINKES/a.xlsx"]


def test_drive_from_url_smb(smb_server: servers.Server) -> None:
    srv, root = smb_server, smb_server.fresh_root()
    put(srv.folder / root, "2025/DINKES/a.xlsx", b"x")
    url = f"smb://{srv.username}@127.0.0.1:{srv.port}/{srv.share}/{root}"
    name = f"smb://127.0.0.1:{srv.port}/{srv.share}/{root}"
    handed_in = drive_from_url(url, password=srv.password)
    in_url = drive_from_url(url.replace("@", f":{quote(srv.password, safe='')}@", 1))
    for drive in (handed_in, in_url):
        assert isinstance(drive, SmbDrive)
        assert drive.name == name
        assert srv.password not in drive.name + repr(drive)
        assert [f.path for f in drive.list_files(2025)] == ["2025/DINKES/a.xlsx"]
        drive.close()
    with pytest.raises(ValueError, match=PASSWORD_ENV):
        drive_from_url(url)


def test_drive_from_url_sftp(sftp_server: servers.Server) -> None:
    srv, root = sftp_server, sftp_server.fresh_root()
    put(srv.folder / root, "2025/DINKES/a.xlsx", b"x")
    url = f"sftp://{srv.username}@127.0.0.1:{srv.port}/{root}?host_key={srv.host_key.replace(' ', '%20')}"
    drive = drive_from_url(url, password=srv.password)
    assert isinstance(drive, SftpDrive)
    assert drive.name == f"sftp://127.0.0.1:{srv.port}/{root}"
    assert srv.password not in drive.name + repr(drive)
    assert [f.path for f in drive.list_files(2025)] == ["2025/DINKES/a.xlsx"]
    drive.close()
    # The login folder is the chroot here, so `/~/<root>` is the same folder.
    home = drive_from_url(url.replace(f"/{root}?", f"/~/{root}?"), password=srv.password)
    assert [f.path for f in home.list_files(2025)] == ["2025/DINKES/a.xlsx"]
    assert isinstance(home, SftpDrive) and home.name == f"sftp://127.0.0.1:{srv.port}/~/{root}"
    home.close()
    # An unknown server key is refused before any password is sent.
    stranger = drive_from_url(url.split("?")[0], password=srv.password)
    with pytest.raises(paramiko.SSHException):
        list(stranger.list_files(2025))


@pytest.mark.parametrize(
    "url",
    [
        "ftp://u@host/x",
        "smb://host/share",  # no user
        "smb://u:p@host",  # no share
        "smb://u:p@host/share?domain=X",  # unknown option
        "sftp://u@host/x",  # neither password nor key
    ],
)
def test_drive_from_url_refuses_incomplete_urls(url: str) -> None:
    with pytest.raises(ValueError):
        drive_from_url(url)


@pytest.mark.parametrize("kind", ["smb", "sftp"])
def test_collection_over_a_network_drive(
    kind: str,
    request: pytest.FixtureRequest,
    catalog: Catalog,
    sqlite_engine: Engine,
    tmp_path: Path,
) -> None:
    server: servers.Server = request.getfixturevalue(f"{kind}_server")
    root = server.fresh_root()
    folder = server.folder / root
    shares = SampleShares(missing=0, defective=0.4)
    files = generate_year(catalog, 2025, folder, seed=1, only=("DINKES", "BAPPEDA"), shares=shares)
    expected = {f.path: "rejected" if f.kind.startswith("defect") else "loaded" for f in files}
    assert set(expected.values()) == {"loaded", "rejected"}
    put(folder, "2025/DINKES/arsip/DINKES_SPM_2024.xlsx", b"in a sub-folder: answered, not processed")
    page = folder / "2025/DINKES/umpan-balik/berkas-tidak-diproses.html"
    drive = server.drive(root)

    def run() -> dict[str, str]:
        collect = CollectRun(
            tahun=2025,
            drive=drive,
            engine=sqlite_engine,
            catalog=catalog,
            archive_dir=tmp_path / "archive",
            settle_seconds=0,
        )
        return {o.path: o.status for o in collect.run()}

    try:
        assert run() == expected
        for f in files:
            for feedback in feedback_paths(f.path):
                assert (folder / feedback).stat().st_size > 0, feedback
        assert "arsip/DINKES_SPM_2024.xlsx" in page.read_text()
        written = page.stat().st_mtime_ns
        # The mtimes the drive reports are stable: a second run finds nothing new.
        assert run() == dict.fromkeys(expected, "unchanged")
        assert page.stat().st_mtime_ns == written  # the refused file was not answered twice
        with sqlite_engine.connect() as conn:
            assert conn.execute(select(drive_refused.c.path)).scalars().all() == [
                "2025/DINKES/arsip/DINKES_SPM_2024.xlsx"
            ]
        # Moved away: the listing over the network no longer shows it, so it is marked gone and
        # the agency's page says nothing is left.
        (folder / "2025/DINKES/arsip/DINKES_SPM_2024.xlsx").unlink()
        assert run() == dict.fromkeys(expected, "unchanged")
        with sqlite_engine.connect() as conn:
            assert conn.execute(select(drive_refused.c.gone_at)).scalar_one() is not None
        text = page.read_text()
        assert "DINKES_SPM_2024.xlsx" not in text and "Tidak ada lagi berkas" in text
    finally:
        drive.close()
