"""Reading the parts of a zip file (an .xlsx, a bundle, ODK Central's download) within limits.

A zip's header declares each part's unpacked size, and an attacker writes the header. So a
part is refused when it *declares* more than its limit (before anything is unpacked), and
again while it is unpacked if it *delivers* more: bytes are counted as they are read and the
reading stops at the limit, whatever the header said. Python's zipfile itself stops a part at
its declared size and then finds the checksum wrong; that is told as a part that unpacks to
more (or other) than its header declares. Nothing is unpacked whole before it is checked.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from fieldwork.files.limits import FILE_TOO_LARGE, MALFORMED_FILE, mb, refuse

CHUNK = 1024 * 1024


class Budget:
    """What one file's parts may unpack to: ``limits`` per part name (e.g. an .xlsx's shared
    strings), ``total`` for every other part and for all of them read together."""

    def __init__(self, name: str, total: int, limits: dict[str, int] | None = None,
                 what: dict[str, str] | None = None):
        self.name, self.total, self.limits, self.what = name, total, limits or {}, what or {}
        self.unpacked = 0  # bytes of distinct content: a part read twice (openpyxl probes a sheet for its size) counts once
        self._seen: dict[str, int] = {}

    def delivered(self, info: zipfile.ZipInfo, so_far: int) -> None:
        """A part has delivered ``so_far`` bytes; the file's total grows by what is new."""
        before = self._seen.get(info.filename, 0)
        if so_far > before:
            self.unpacked += so_far - before
            self._seen[info.filename] = so_far

    def limit_of(self, info: zipfile.ZipInfo) -> int:
        return min(self.limits.get(info.filename, self.total), self.total)

    def too_large(self, info: zipfile.ZipInfo, limit: int):
        what = self.what.get(info.filename, f"its part {info.filename[:80]}")
        return refuse(FILE_TOO_LARGE, f"{what} unpacks to more than {mb(limit)}; at most {mb(limit)} are accepted",
                      self.name)

    def open(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, opener=None, limit: int | None = None) -> "_Counted":
        limit = self.limit_of(info) if limit is None else min(limit, self.limit_of(info))
        if info.file_size > limit:  # declared: refused before a byte is unpacked
            raise self.too_large(info, limit)
        return _Counted((opener or archive.open)(info), info, limit, self)


class _Counted(io.RawIOBase):
    """A part being unpacked, counting what it delivers against its limit and the file's."""

    def __init__(self, raw, info: zipfile.ZipInfo, limit: int, budget: Budget):
        self._raw, self._info, self._limit, self._budget = raw, info, limit, budget
        self.delivered = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            parts = []
            while chunk := self.read(CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        budget = self._budget
        try:
            data = self._raw.read(min(n, self._limit - self.delivered + 1))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise refuse(MALFORMED_FILE, f"its part {self._info.filename[:80]} unpacks to more (or other) than its "
                         f"header declares ({type(exc).__name__}): it was altered or damaged", budget.name) from None
        self.delivered += len(data)
        budget.delivered(self._info, self.delivered)
        if self.delivered > self._limit:
            raise budget.too_large(self._info, self._limit)
        if budget.unpacked > budget.total:
            raise refuse(FILE_TOO_LARGE, f"unpacks to more than {mb(budget.total)}; at most {mb(budget.total)} "
                         "are accepted", budget.name)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class GuardedZip(zipfile.ZipFile):
    """A ZipFile whose parts are opened for reading only through a count (``_Counted``), so a
    reader that opens parts itself (openpyxl) reads within the ``budget``."""

    def __init__(self, file, budget: Budget, whole_limit: int | None = None):
        super().__init__(file)
        self.budget, self.whole_limit = budget, whole_limit

    def open(self, name, mode="r", pwd=None, **kwargs):
        if mode != "r":
            return super().open(name, mode, pwd, **kwargs)
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        return self.budget.open(self, info, lambda i: super(GuardedZip, self).open(i, mode, pwd, **kwargs))

    def read(self, name, pwd=None) -> bytes:
        """A part read whole: a reader that does so (openpyxl's styles, workbook, properties,
        relationships) builds objects of all of it, so it is bounded by ``whole_limit``; a part
        opened and streamed (a sheet) only by its own limit and the total."""
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        with self.budget.open(self, info, lambda i: super(GuardedZip, self).open(i, "r", pwd),
                              limit=self.whole_limit) as part:
            return part.read()


def read_part(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, limit: int, name: str,
              what: str | None = None) -> bytes:
    """One part's bytes, refused (ProblemError) if it declares or delivers more than ``limit``."""
    info = member if isinstance(member, zipfile.ZipInfo) else archive.getinfo(member)
    budget = Budget(name, limit, what={info.filename: what} if what else None)
    with budget.open(archive, info) as part:
        return part.read()
