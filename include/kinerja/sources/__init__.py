"""Shared drives behind one small interface (`Drive`)."""

from kinerja.sources.base import Drive, DriveFile, RefusedFile, UnsafePathError, safe_relative
from kinerja.sources.local import LocalDrive

__all__ = ["Drive", "DriveFile", "LocalDrive", "RefusedFile", "UnsafePathError", "safe_relative"]
