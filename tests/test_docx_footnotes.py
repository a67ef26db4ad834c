"""Word footnotes written through python-docx's packaging layer read back as footnotes."""

from __future__ import annotations

import io
import zipfile

import docx

from exports import docx_footnotes as fn


def _reopen(document) -> docx.Document:
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    return docx.Document(out)


def test_footnotes_are_word_footnotes_numbered_in_order():
    d = docx.Document()
    first = d.add_paragraph("Sixty cases.")
    fn.add_footnote(first, "In one case it was not known.")
    second = d.add_paragraph("Eighty-eight cases.")
    fn.add_footnote(second, "One case was not applicable.")
    back = _reopen(d)
    assert fn.read_footnotes(back) == {1: "In one case it was not known.", 2: "One case was not applicable."}
    assert [fn.references(p) for p in back.paragraphs] == [[1], [2]]
    assert back.paragraphs[0].text == "Sixty cases."  # the reference mark holds no text of its own
    out = io.BytesIO()
    back.save(out)
    with zipfile.ZipFile(out) as z:
        types = z.read("[Content_Types].xml").decode()
        assert "wordprocessingml.footnotes+xml" in types
        notes = z.read("word/footnotes.xml").decode()
        assert 'w:type="separator"' in notes and 'w:type="continuationSeparator"' in notes
    styles = {s.name.lower() for s in back.styles if s.name}
    assert {"footnote text", "footnote reference"} <= styles


def test_a_reopened_document_keeps_its_footnotes_and_numbers_on():
    d = docx.Document()
    fn.add_footnote(d.add_paragraph("One."), "First.")
    back = _reopen(d)
    fn.add_footnote(back.add_paragraph("Two."), "Second.")
    again = _reopen(back)
    assert fn.read_footnotes(again) == {1: "First.", 2: "Second."}
    assert len([s for s in again.styles if s.name and s.name.lower() == "footnote text"]) == 1
