"""One string names a drive, so a deployment configures it with a single setting.

    /srv/drive  or  file:///srv/drive               a local (or mounted) folder
    smb://user@host[:445]/share[/root]              a Windows / Samba share
    sftp://user@host[:22][/absolute/root]           a folder on an SSH server; `/~/x` is x in the
                                                     login folder, no path the login folder itself
    sftp://...?key_file=/path/id_ed25519&host_key=ssh-ed25519%20AAAA...

The password is best kept out of the URL (which ends up in logs and config files): the caller
hands it in (`password`: the Airflow Connection's, else `Settings.drive_password`, i.e.
KINERJA_DRIVE_PASSWORD) and it is used when the URL has none. A drive's `name`, stored in the
manifest to recognise files already seen, is built from the URL without user or secrets, so it
stays stable when credentials rotate.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from kinerja.sources.base import Drive
from kinerja.sources.local import LocalDrive

PASSWORD_ENV = "KINERJA_DRIVE_PASSWORD"
"""Where the command line's drive password comes from (read by `kinerja.config.Settings`), for messages."""
SFTP_OPTIONS = ("key_file", "host_key")


def drive_from_url(url: str, password: str | None = None) -> Drive:
    """Build the drive a URL names, with `password` unless the URL carries one; raises
    ValueError on anything incomplete or unknown."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if len(scheme) <= 1:  # a plain path (a one-letter "scheme" is a Windows drive letter)
        return LocalDrive(Path(url))
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"file URL on another host: {parts.netloc!r}")
        return LocalDrive(Path(unquote(parts.path)))
    if scheme not in ("smb", "sftp"):
        raise ValueError(f"unsupported drive URL scheme {scheme!r} (use a path, file://, smb:// or sftp://)")
    if not parts.hostname or not parts.username:
        raise ValueError(f"{scheme} URL needs user@host: {scheme}://user@host/...")
    host = parts.hostname
    user = unquote(parts.username)
    password = unquote(parts.password) if parts.password is not None else password
    # Not parse_qs: it would turn the '+' of a base64 host key into a space.
    options = {unquote(k): unquote(v) for k, _, v in (o.partition("=") for o in parts.query.split("&") if o)}
    allowed = SFTP_OPTIONS if scheme == "sftp" else ()
    if unknown := sorted(set(options) - set(allowed)):
        raise ValueError(f"unknown option(s) in {scheme} URL: {', '.join(unknown)}")
    shown_host = f"[{host}]" if ":" in host else host
    segments = [unquote(s) for s in parts.path.split("/") if s]

    if scheme == "smb":
        from kinerja.sources.smb import SmbDrive

        if not segments:
            raise ValueError("smb URL needs a share: smb://user@host/share[/root]")
        if not password:
            raise ValueError(f"smb drive needs a password: set {PASSWORD_ENV}")
        port = parts.port or 445
        share, root = segments[0], "/".join(segments[1:])
        name = f"smb://{shown_host}:{port}/{share}" + (f"/{root}" if root else "")
        return SmbDrive(host, share, user, password, port=port, root=root, name=name)

    from kinerja.sources.sftp import SftpDrive

    if not password and not options.get("key_file"):
        raise ValueError(f"sftp drive needs a password ({PASSWORD_ENV}) or ?key_file=")
    port = parts.port or 22
    if segments[:1] == ["~"]:
        root = "/".join(segments[1:]) or "."
    else:
        root = "/" + "/".join(segments) if segments else "."
    shown_root = "/" + "/".join(segments) if segments else "/~"
    return SftpDrive(
        host,
        user,
        password=password or None,
        port=port,
        root=root,
        key_file=options.get("key_file") or None,
        name=f"sftp://{shown_host}:{port}{shown_root}",
        host_key=options.get("host_key") or None,
    )
