"""Tables for choosing the case files: sampling frames, draws, and exclusions.

``sample_frame``
    The eligible cases one force supplied for one questionnaire of an inspection (imported
    from a CSV or xlsx with a column map the lead confirmed). One frame per (inspection,
    questionnaire, force); it may be replaced until it is drawn from, never after.
``frame_case``
    One eligible case: its pseudonymous reference and its attributes as JSON (context codes
    such as ``plea`` and ``domestic_abuse``, and any other column kept, e.g. a finalisation
    date), with the file's row number so a problem can name it.
``sample_draw``
    The one draw from a frame: target, strata, allocation, seed, who drew it and when.
``sample_entry``
    Every frame case of a drawn frame, in its stratum's draw order (``position`` 1, 2, … by
    the keyed hash of the seed and the reference). The first ``n_h`` of a stratum were drawn
    (``role = 'sample'``); the rest are its ordered reserve list (``role = 'reserve'``).
    ``case_id`` is set once the entry is in the Cases register (drawn, or taken in as a
    replacement, ``replaces_entry_id`` naming the entry it replaced).
``sample_exclusion``
    A drawn (or replacement) case marked unusable: the reason code (and text for "other"),
    who and when, and the reserve entry that took its place (null if the stratum had no
    reserve left). Rows are never changed or deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.core import utcnow

SAMPLE = "sample"  # sample_entry.role: drawn
RESERVE = "reserve"  # sample_entry.role: on the ordered reserve list


class SampleFrame(SQLModel, table=True):
    __tablename__ = "sample_frame"
    __table_args__ = (UniqueConstraint("inspection_id", "questionnaire", "force"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", index=True)
    questionnaire: str = Field(max_length=100)
    force: str = Field(max_length=100)
    source: str = Field(default="", max_length=200)  # the file name
    column_map: str = Field(default="{}", sa_type=Text)  # JSON: file column -> field
    cases: int = Field(default=0)
    imported_at: datetime = Field(default_factory=utcnow)
    imported_by: str = Field(default="", max_length=100)


class FrameCase(SQLModel, table=True):
    __tablename__ = "frame_case"
    __table_args__ = (UniqueConstraint("frame_id", "case_ref"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    frame_id: int = Field(foreign_key="sample_frame.id", index=True)
    case_ref: str = Field(max_length=64)
    row: int = Field(default=0)  # the row of the file it came from (header = row 1)
    attributes: str = Field(default="{}", sa_type=Text)  # JSON: field -> code or text


class SampleDraw(SQLModel, table=True):
    __tablename__ = "sample_draw"

    id: Optional[int] = Field(default=None, primary_key=True)
    frame_id: int = Field(foreign_key="sample_frame.id", unique=True)  # one draw per frame
    target: int
    strata: str = Field(default="[]", max_length=400)  # JSON list of the attributes stratified on
    allocation: str = Field(max_length=20)  # proportional | equal
    seed: str = Field(max_length=40)
    inspector: str = Field(max_length=100)  # whose draft each drawn case gets
    drawn_at: datetime = Field(default_factory=utcnow)
    drawn_by: str = Field(max_length=100)


class SampleEntry(SQLModel, table=True):
    __tablename__ = "sample_entry"
    __table_args__ = (UniqueConstraint("draw_id", "frame_case_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    draw_id: int = Field(foreign_key="sample_draw.id", index=True)
    frame_case_id: int = Field(foreign_key="frame_case.id")
    stratum: str = Field(max_length=400)  # e.g. "plea=guilty; domestic_abuse=yes" ("" unstratified)
    position: int  # 1-based draw order within the stratum
    role: str = Field(max_length=20)  # sample | reserve
    case_id: Optional[int] = Field(default=None, foreign_key="case_file.id", index=True)
    replaces_entry_id: Optional[int] = Field(default=None)


class SampleExclusion(SQLModel, table=True):
    __tablename__ = "sample_exclusion"

    id: Optional[int] = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="sample_entry.id", unique=True)
    reason: str = Field(max_length=40)  # a code of fieldwork.services.sampling_exclusions.REASONS
    detail: str = Field(default="", max_length=200)  # the words given with "other"
    replacement_entry_id: Optional[int] = Field(default=None)
    excluded_at: datetime = Field(default_factory=utcnow)
    excluded_by: str = Field(max_length=100)
