"""What every archive reader shares: the error that names a file and a line or record, opening
an archive that is a zip, a tar.gz or a folder, and the reader's shape.

A reader (`formats.x_archive`, `formats.tags_csv`, `formats.mastodon_archive`,
`formats.bluesky_car`, `formats.wxr`) turns a platform's own export into `ForeignPost`s, lazily:
it never holds the whole archive in memory, and each call to `posts()` reads the files again,
so the importer can check an archive fully before it writes anything, then read it again to
file it. `owner` is the archive's own handle when the archive is one person's (an X, Mastodon
or Bluesky account, a blog's author), which `--as USER` links to a local user.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Protocol, cast

from hashchat.domain.ingest import ForeignPost, Network


class ArchiveError(ValueError):
    """A part of an archive that cannot be read: `FILE:LINE: reason` (or `FILE:record N`)."""

    def __init__(self, file: str, where: int | str | None, reason: str) -> None:
        self.file = file
        self.where = where
        self.reason = reason
        place = file if where is None else f"{file}:{where}"
        super().__init__(f"{place}: {reason}")


Progress = Callable[[int], None]
"""Called with the number of bytes read so far from the archive's main file(s)."""


@dataclass
class Archive:
    """A person's or a site's posts read from one archive."""

    network: Network
    source: str
    owner: str | None
    owner_name: str | None
    size: int
    read: Callable[[Progress | None], Iterator[ForeignPost]] = field(repr=False)

    def posts(self, progress: Progress | None = None) -> Iterator[ForeignPost]:
        """The posts, in the archive's order (read again on each call)."""
        return self.read(progress)


class Opener(Protocol):
    def __call__(self, path: Path) -> Archive: ...


class Members:
    """The files of an archive, whatever holds them: a zip, a tar(.gz) or a folder.

    Names are POSIX paths relative to the archive's root; a single top folder (an archive
    zipped with its folder) is looked through.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = path.name
        if path.is_dir():
            self.kind = "dir"
            names = [p.relative_to(path).as_posix() for p in sorted(path.rglob("*")) if p.is_file()]
        elif zipfile.is_zipfile(path):
            self.kind = "zip"
            try:
                with zipfile.ZipFile(path) as archive:
                    names = [i.filename for i in archive.infolist() if not i.is_dir()]
            except (zipfile.BadZipFile, OSError) as error:
                raise ArchiveError(self.label, None, f"not a readable zip ({error})") from None
        elif _is_tar(path):
            self.kind = "tar"
            try:
                with tarfile.open(path) as archive:
                    names = [m.name for m in archive if m.isfile()]
            except (tarfile.TarError, EOFError, OSError) as error:
                raise ArchiveError(self.label, None, f"not a readable tar ({error})") from None
        elif path.is_file() and _looks_zipped(path):
            raise ArchiveError(self.label, None, "is a damaged or truncated archive (cut short?)")
        elif path.is_file():
            self.kind = "file"
            names = [path.name]
        else:
            raise ArchiveError(self.label, None, "no such file or folder")
        self.names = names

    def find(self, *wanted: str) -> list[str]:
        """Names whose last parts end with one of `wanted` (e.g. `data/account.js`)."""
        found = []
        for name in self.names:
            parts = PurePosixPath(name).parts
            for tail in wanted:
                tail_parts = PurePosixPath(tail).parts
                if parts[-len(tail_parts) :] == tail_parts:
                    found.append(name)
                    break
        return found

    def size(self, name: str) -> int:
        if self.kind == "dir":
            return (self.path / name).stat().st_size
        if self.kind == "zip":
            with zipfile.ZipFile(self.path) as archive:
                return archive.getinfo(name).file_size
        if self.kind == "tar":
            with tarfile.open(self.path) as archive:
                return archive.getmember(name).size
        return self.path.stat().st_size

    def open(self, name: str) -> IO[bytes]:
        """One member, opened for streaming (a zip or tar member is decompressed as read)."""
        try:
            if self.kind == "dir":
                return (self.path / name).open("rb")
            if self.kind == "file":
                return self.path.open("rb")
            if self.kind == "zip":
                archive = zipfile.ZipFile(self.path)  # closed with the member
                return cast(IO[bytes], _Closing(archive.open(name), archive))
            tar = tarfile.open(self.path)  # noqa: SIM115 (closed with the member)
            member = tar.extractfile(name)
            if member is None:
                raise ArchiveError(f"{self.label}/{name}", None, "is not a file")
            return cast(IO[bytes], _Closing(member, tar))
        except (zipfile.BadZipFile, tarfile.TarError, OSError, KeyError) as error:
            raise ArchiveError(
                f"{self.label}/{name}", None, f"cannot be opened ({error})"
            ) from None

    def where(self, name: str) -> str:
        """How errors name a member."""
        return name if self.kind in {"dir", "file"} else f"{self.label}/{name}"


def _looks_zipped(path: Path) -> bool:
    with path.open("rb") as handle:
        magic = handle.read(4)
    return magic == b"PK\x03\x04" or magic[:2] == b"\x1f\x8b" or path.suffix == ".zip"


def _is_tar(path: Path) -> bool:
    try:
        return path.is_file() and tarfile.is_tarfile(path)
    except OSError:
        return False


class _Closing(io.RawIOBase):
    """A member stream that also closes the archive holding it."""

    def __init__(self, stream: IO[bytes], owner: zipfile.ZipFile | tarfile.TarFile) -> None:
        self._stream = stream
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def close(self) -> None:
        try:
            self._stream.close()
            self._owner.close()
        finally:
            super().close()


class Counting(io.RawIOBase):
    """Wraps a stream, counting the bytes read (for progress) and the newlines seen."""

    def __init__(self, stream: IO[bytes], progress: Progress | None, base: int = 0) -> None:
        self._stream = stream
        self._progress = progress
        self.count = base

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.count += len(data)
        if self._progress is not None:
            self._progress(self.count)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            super().close()


def counting(stream: IO[bytes], progress: Progress | None) -> IO[bytes]:
    """`stream`, reporting the bytes read so far to `progress`."""
    return cast(IO[bytes], Counting(stream, progress))
