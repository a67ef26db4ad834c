"""Read a draft report (.docx) back with python-docx, as the tests check it."""

from __future__ import annotations

import io
from dataclasses import dataclass

import docx

from exports import docx_footnotes


@dataclass
class Para:
    text: str
    style: str
    footnotes: list[str]


@dataclass
class Report:
    document: object
    paragraphs: list[Para]
    tables: list[list[list[str]]]  # each table: rows of cell texts, header first
    images: list[bytes]  # the pictures in the body, in order
    footnotes: dict[int, str]

    def table_headed(self, first: str) -> list[list[str]]:
        return next(t for t in self.tables if t[0][0] == first)

    def texts(self) -> list[str]:
        return [p.text for p in self.paragraphs]

    def under(self, heading: str) -> list[Para]:
        """The paragraphs after the heading whose text starts with ``heading``, up to the next heading."""
        out, inside = [], False
        for p in self.paragraphs:
            if p.style.startswith("Heading"):
                if inside:
                    break
                inside = p.text.startswith(heading)
                continue
            if inside:
                out.append(p)
        return out


def read(data: bytes) -> Report:
    d = docx.Document(io.BytesIO(data))
    notes = docx_footnotes.read_footnotes(d)
    paragraphs = [Para(p.text, p.style.name if p.style is not None else "",
                       [notes[i] for i in docx_footnotes.references(p)]) for p in d.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    images = []
    for blip in d.element.body.xpath(".//a:blip"):
        rid = blip.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
        images.append(d.part.related_parts[rid].blob)
    return Report(d, paragraphs, tables, images, notes)
