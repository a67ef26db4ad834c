"""Which encoding and CSV dialect a text file is in, decided with certainty or refused.

UTF-8 (with or without a byte order mark), UTF-16 with a byte order mark (Excel's "Unicode
Text"), or Excel's Windows-1252 "CSV (Comma delimited)". Anything else — UTF-32 included — is
refused: guessing wrongly would store mangled notes without anyone noticing. The encoding is
checked without holding the decoded text (chunk by chunk), so a file is then read as a
stream (``open_text``), never decoded whole.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import TextIO

from fieldwork.files.limits import BAD_ENCODING, READ_AS_CP1252, refuse
from fieldwork.problems import Problem

_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CHUNK = 1024 * 1024
# the name each encoding is told by -> the codec that reads it (utf-8-sig drops a BOM)
CODECS = {"UTF-8": "utf-8-sig", "UTF-8 with BOM": "utf-8-sig", "UTF-16": "utf-16", "Windows-1252": "cp1252"}


def _first_fault(data: bytes, codec: str) -> UnicodeDecodeError | None:
    """The first byte ``codec`` cannot read, found chunk by chunk (nothing decoded is kept)."""
    decoder = codecs.getincrementaldecoder(codec)()
    for start in range(0, len(data), _CHUNK):
        try:
            decoder.decode(data[start:start + _CHUNK], final=start + _CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            return UnicodeDecodeError(exc.encoding, data, start + exc.start, start + exc.end, exc.reason)
    if not data:
        decoder.decode(b"", final=True)
    return None


def encoding_of(data: bytes, name: str) -> tuple[str, list[Problem]]:
    """The encoding's name (a key of CODECS) and any warning; refuses what cannot be read with certainty."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # FF FE 00 00 also starts like UTF-16
        raise refuse(BAD_ENCODING, "is UTF-32 text: save it as CSV UTF-8 (Excel: 'CSV UTF-8 (Comma delimited)')",
                     name)
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        if _first_fault(data, "utf-16"):
            raise refuse(BAD_ENCODING, "starts as UTF-16 text but is not valid UTF-16", name)
        return "UTF-16", []
    bom = data.startswith(codecs.BOM_UTF8)
    fault = _first_fault(data, "utf-8")
    if fault is None:
        return ("UTF-8 with BOM" if bom else "UTF-8"), []
    line = data[:fault.start].count(b"\n") + 1
    if bom or _UTF8_SEQUENCE.search(data):
        raise refuse(BAD_ENCODING, f"mixes UTF-8 with another encoding (first bad byte on line {line}): "
                     "open it in Excel and save it as 'CSV UTF-8 (Comma delimited)'", name, row=line)
    if _first_fault(data, "cp1252") is not None:
        raise refuse(BAD_ENCODING, f"is neither UTF-8 nor Windows-1252 text (byte 0x{data[fault.start]:02x} on "
                     f"line {line}): save it as 'CSV UTF-8 (Comma delimited)'", name, row=line)
    warning = Problem(READ_AS_CP1252, "the file is not UTF-8; it was read as Windows-1252, the encoding of "
                      "Excel's 'CSV (Comma delimited)'. Check the preview: if accented letters or symbols look "
                      "wrong, save the file as 'CSV UTF-8' instead", source=name)
    return "Windows-1252", [warning]


def open_text(data: bytes, encoding: str) -> TextIO:
    """The bytes as a text stream in ``encoding`` (a key of CODECS), decoded as it is read."""
    return io.TextIOWrapper(io.BytesIO(data), encoding=CODECS[encoding], newline="")


def delimiter(first_line: str) -> str:
    """Comma by contract; Excel in some locales writes semicolons, and tab-separated text is
    what Excel's 'Unicode text' gives. Decided on the header line only."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > counts[","] else ","
