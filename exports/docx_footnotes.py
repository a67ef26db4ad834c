"""Real Word footnotes for python-docx documents.

python-docx (1.2) reads and writes comments but has no footnote API, so this module adds the
one part Word keeps footnotes in — ``word/footnotes.xml``, related to the document by the
``footnotes`` relationship — through python-docx's own packaging layer (``PartFactory``,
``StoryPart``), exactly as python-docx adds its comments part. A footnote is then what Word
itself writes: a ``w:footnoteReference`` run in the body (superscript number, numbered by
Word in order) and a ``w:footnote`` holding the text, so Word and LibreOffice number, place
and renumber them at the foot of the page, and the lead can edit them as footnotes.

A template that already has a footnotes part (every document Word saves has one, holding the
separator footnotes) keeps it; new footnotes are appended after the highest id in it.
"""

from __future__ import annotations

import weakref

from docx.enum.style import WD_STYLE_TYPE
from lxml import etree
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import PartFactory
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.parts.story import StoryPart
from docx.shared import Pt

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W_NS}
TEXT_STYLE = "footnote text"  # Word's built-in style names (lower case, as styles.xml holds them)
REFERENCE_STYLE = "footnote reference"

_EMPTY = (
    f'<w:footnotes xmlns:w="{W_NS}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


def _xpath(element, expression: str) -> list:
    """XPath with the w: prefix on any element (python-docx's own elements and plain lxml ones)."""
    return etree.XPath(expression, namespaces=NS)(element)


class FootnotesPart(StoryPart):
    """``word/footnotes.xml``: a story part (it may hold runs, styles and images like the body)."""

    @classmethod
    def new(cls, package) -> "FootnotesPart":
        return cls(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(_EMPTY), package)


# Loaded templates give their footnotes part this class too, so it can be appended to.
PartFactory.part_type_for[CT.WML_FOOTNOTES] = FootnotesPart


def footnotes_part(document) -> FootnotesPart:
    """The document's footnotes part, created (with Word's separators) if it has none."""
    part = document.part
    try:
        return part.part_related_by(RT.FOOTNOTES)
    except KeyError:
        new = FootnotesPart.new(part.package)
        part.relate_to(new, RT.FOOTNOTES)
        return new


# The footnote styles' ids, per document part: found (or added) once, not by reading every
# style for each footnote (a report by force has dozens: docs/waits.md).
_ids: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _style_id(document, name: str, kind: WD_STYLE_TYPE) -> str:
    """The id of Word's built-in footnote style ``name``, added (as Word defines it) when the
    document or template lacks it."""
    known = _ids.setdefault(document.part, {})
    if (name, kind) not in known:
        known[(name, kind)] = _find_or_add_style(document, name, kind)
    return known[(name, kind)]


def _find_or_add_style(document, name: str, kind: WD_STYLE_TYPE) -> str:
    styles = document.styles
    for style in styles:
        if style.name is not None and style.name.lower() == name and style.type == kind:
            return style.style_id
    style = styles.add_style(name, kind)
    style.style_id = "".join(w.capitalize() for w in name.split())
    if kind == WD_STYLE_TYPE.PARAGRAPH:
        style.base_style = styles.default(WD_STYLE_TYPE.PARAGRAPH)
        style.font.size = Pt(9)
        style.paragraph_format.space_after = Pt(0)
    else:
        style.font.superscript = True
    style.hidden = False
    style.unhide_when_used = True
    return style.style_id


def _properties(tag: str, style_tag: str, style_id: str):
    """A run's or paragraph's properties naming its style: ``<w:rPr><w:rStyle w:val=.../></w:rPr>``."""
    properties = OxmlElement(tag)
    style = OxmlElement(style_tag)
    style.set(qn("w:val"), style_id)
    properties.append(style)
    return properties


def _reference_run(style_id: str, tag: str, footnote_id: int | None = None):
    run = OxmlElement("w:r")
    run.append(_properties("w:rPr", "w:rStyle", style_id))
    mark = OxmlElement(tag)
    if footnote_id is not None:
        mark.set(qn("w:id"), str(footnote_id))
    run.append(mark)
    return run


def add_footnote(paragraph, text: str) -> int:
    """Put a footnote holding ``text`` at the end of ``paragraph``; returns its id."""
    document = paragraph.part.document
    part = footnotes_part(document)
    root = part.element
    ids = [int(x) for x in _xpath(root, "./w:footnote/@w:id")]
    footnote_id = max([0, *ids]) + 1
    text_style = _style_id(document, TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    ref_style = _style_id(document, REFERENCE_STYLE, WD_STYLE_TYPE.CHARACTER)

    note = OxmlElement("w:footnote")
    note.set(qn("w:id"), str(footnote_id))
    p = OxmlElement("w:p")
    p.append(_properties("w:pPr", "w:pStyle", text_style))
    p.append(_reference_run(ref_style, "w:footnoteRef"))  # the number, as Word shows it in the note
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = " " + text
    run.append(t)
    p.append(run)
    note.append(p)
    root.append(note)

    paragraph._p.append(_reference_run(ref_style, "w:footnoteReference", footnote_id))
    return footnote_id


def read_footnotes(document) -> dict[int, str]:
    """Footnote id -> its text (the separators left out), for reading a document back."""
    try:
        part = document.part.part_related_by(RT.FOOTNOTES)
    except KeyError:
        return {}
    out = {}
    for note in _xpath(part.element, "./w:footnote"):
        if note.get(qn("w:type")) in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        out[int(note.get(qn("w:id")))] = "".join(_xpath(note, ".//w:t/text()")).strip()
    return out


def references(paragraph) -> list[int]:
    """The ids of the footnotes referenced in a paragraph, in order."""
    return [int(x) for x in _xpath(paragraph._p, ".//w:footnoteReference/@w:id")]
