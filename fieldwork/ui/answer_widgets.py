"""The Assess form's widget for each XLSForm question type beyond single choice and plain
text: numbers, a range's slider, dates and times, several answers at once, acknowledgements,
locations and barcodes as checked text, calculations shown read-only, and what the tool
does with a photo, recording or file (it stores none: case files are sensitive).

Each widget takes its value from the stored answer when it mounts, through the form's
``stored_values`` rule (converted to what the widget holds: a time, a list of codes…), and
hands the widget's value on as the text ``fieldwork.questionnaire.answers.convert`` reads —
the same conversion an import uses, so the app stores what an import would.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from typing import Callable, Mapping

import streamlit as st

from fieldwork import summary_charts
from fieldwork.questionnaire import entries as repeat_entries
from fieldwork.questionnaire import filter_checks
from fieldwork.questionnaire.answers import FILE_LIST, convert
from fieldwork.questionnaire.loader import filtered_choices
from fieldwork.questionnaire.model import MEDIA_TYPES, METADATA_TYPES, Question, Questionnaire
from fieldwork.ui import stored_values

# Types drawn here; select_one and text without an appearance stay in questionnaire_form.
TYPES = {"integer", "decimal", "range", "date", "time", "datetime", "select_multiple", "rank", "acknowledge",
         "geopoint", "geotrace", "geoshape", "barcode", "calculate", *MEDIA_TYPES}
HINTS = {"decimal": "a number, e.g. 4.2", "date": "YYYY-MM-DD, e.g. 2016-04-11 (or DD/MM/YYYY)",
         "datetime": "YYYY-MM-DDTHH:MM, e.g. 2016-02-01T14:30",
         "geopoint": "latitude longitude, e.g. 51.5072 -0.1276", "geotrace": "points 'lat lon' separated by ';'",
         "geoshape": "4 or more points 'lat lon' separated by ';' (first = last)", "barcode": "the code as printed"}
# A date typed year first with spaces, dots or slashes, or as eight digits, read as YYYY-MM-DD
YEAR_FIRST = re.compile(r"^(\d{4})(?:[ ./]+(\d{1,2})[ ./]+(\d{1,2})|(\d{2})(\d{2}))$")
MAX_SLIDER_STEPS = 200  # a range with more steps is a number box with its bounds
NOT_ANSWERED = "—"
MEDIA_NOTE = ("This tool stores no photos, recordings or files: case files are sensitive. Record where the item "
              "is held (document and page, exhibit number) in the evidence note; a file name may be kept here.")


def asks(question: Question) -> bool:
    """Whether the inspector answers it on the form (metadata is filled in, not asked)."""
    return question.type not in METADATA_TYPES


def handles(question: Question) -> bool:
    return (question.type in TYPES or (question.type == "text" and question.appearance == "multiline")
            or (question.type == "select_one" and bool(question.choice_filter)) or typed_code(question))


def typed_code(question: Question) -> bool:
    """A select whose list is in a file that did not come with the form: the code is typed."""
    return question.type in ("select_one", "select_multiple", "rank") and bool(
        question.choices and FILE_LIST.search(question.choices))


def _seed(owner: dict, key: str, stored: str | None, to_widget: Callable[[str | None], object]) -> None:
    """The stored answer, as this widget holds it, when the widget mounts (stored_values)."""
    stored_values.seed(owner, key, to_widget(stored))


def _safe(convert: Callable[[str | None], object]) -> Callable[[str | None], object]:
    def inner(stored):
        if stored in (None, ""):
            return None
        try:
            return convert(stored)
        except (ValueError, ArithmeticError):
            return None
    return inner


def _typed_date(questionnaire: Questionnaire, question: Question, wkey: str) -> str | None:
    """What was typed in a date box, for the save. A date the import would read (11/04/2016),
    or one typed year first as the old date field took it (2016 04 11, 20160411), is saved and
    shown back as it is stored (2016-04-11), so the box never holds a form the inspector did
    not see saved; anything else goes to the save as typed, which refuses it in words."""
    typed = (st.session_state[wkey] or "").strip()
    candidate, year_first = typed, YEAR_FIRST.match(typed)
    if year_first:
        year, month, day = year_first[1], year_first[2] or year_first[4], year_first[3] or year_first[5]
        candidate = f"{year}-{month.zfill(2)}-{day.zfill(2)}"
    stored, fault = convert(questionnaire, question, candidate)
    if stored and fault is None:
        st.session_state[wkey] = stored
        return stored
    return typed or None


def _range_options(question: Question) -> list[Decimal] | None:
    p = question.parameters
    start, end = Decimal(p.get("start") or "0"), Decimal(p.get("end") or "10")
    step = abs(Decimal(p.get("step") or "1")) or Decimal(1)
    low, high = min(start, end), max(start, end)
    if (high - low) / step > MAX_SLIDER_STEPS:
        return None
    out, value = [], low
    while value <= high:
        out.append(value.normalize())
        value += step
    return out


def calculate_label(questionnaire: Questionnaire, question: Question, label: str) -> str:
    """An unlabelled calculate (its label is its code name, ``days_to_charge``) named in words by
    its name and what it is worked out from, as the findings name it (walk 24, W19)."""
    if question.label and question.label != question.name:
        return label
    return summary_charts.title(questionnaire, question.name)


def draw(questionnaire: Questionnaire, question: Question, *, key: str, stored: str | None, label: str,
         editable: bool, help: str | None, answers: Mapping[str, str],
         on_change: Callable[[str | None], None], owner: dict) -> None:
    """Draw the question's widget under ``key`` (the form's answer key, so ``stored_values``
    redraws it after a refused save); ``on_change(text)`` saves what the inspector gave."""
    wkey = key
    kind = question.type
    disabled = not editable or question.read_only
    placeholder = HINTS.get(kind, "") + (f" (usually {question.default})" if question.default else "")

    def changed(to_text: Callable[[object], str | None]) -> Callable[[], None]:
        return lambda: on_change(to_text(st.session_state[wkey]))

    if kind == "calculate":
        if questionnaire.repeats and not questionnaire.repeat_of(question.name):
            # the case's calculation may read the entries (count(${incident_date})): worked out with them in view
            worked = repeat_entries.Entries(questionnaire, answers).values.get(question.name)
        else:
            worked = questionnaire.with_calculations(answers).get(question.name)
        label = calculate_label(questionnaire, question, label)
        st.text_input(label, value=str(worked or ""), key=wkey + ":calc:" + str(worked), disabled=True,
                      help="Worked out from the answers (" + question.calculation + "); saved with them.")
        return
    if typed_code(question) and not questionnaire.options(question.name):
        _seed(owner, wkey, stored, lambda v: v or "")
        st.text_input(label, key=wkey, disabled=disabled, help=help,
                      placeholder=f"the code, as in {question.choices}" + (" (several: separated by spaces)"
                                                                           if kind != "select_one" else ""),
                      on_change=changed(lambda v: (v or "").strip() or None))
        st.caption(f"The choices are in {question.choices}, which did not come with the form: type the code.")
        return
    if kind in MEDIA_TYPES:
        st.caption(f"**{label}** — {MEDIA_NOTE}")
        _seed(owner, wkey, stored, lambda v: v or "")
        st.text_input(label, key=wkey, disabled=disabled, label_visibility="collapsed",
                      placeholder="file name or reference (optional)", on_change=changed(lambda v: v or None))
        return
    if kind == "integer":
        _seed(owner, wkey, stored, _safe(int))
        st.number_input(label, key=wkey, step=1, format="%d", disabled=disabled, help=help,
                        placeholder=placeholder or "a whole number",
                        on_change=changed(lambda v: None if v is None else str(int(v))))
    elif kind == "range" and _range_options(question) is not None:
        options = [NOT_ANSWERED, *(str(o) for o in _range_options(question))]
        _seed(owner, wkey, stored, lambda v: v if v in options else NOT_ANSWERED)
        st.select_slider(label, options=options, key=wkey, disabled=disabled, help=help,
                         on_change=changed(lambda v: None if v == NOT_ANSWERED else v))
    elif kind == "date":
        # Checked text, not st.date_input: Streamlit's date field (1.67) sends a typed date only
        # when focus leaves the whole widget, and Tab from the day lands on the widget's own
        # calendar button, so a date typed, Tabbed away from and reloaded was lost (walk W6).
        # A text box sends what was typed as it is left (Tab, a click, Enter).
        _seed(owner, wkey, stored, lambda v: v or "")
        st.text_input(label, key=wkey, disabled=disabled, help=help, placeholder=placeholder,
                      on_change=lambda: on_change(_typed_date(questionnaire, question, wkey)))
    elif kind == "time":
        _seed(owner, wkey, stored, _safe(time.fromisoformat))
        st.time_input(label, key=wkey, step=60, disabled=disabled, help=help,
                      on_change=changed(lambda v: v.isoformat() if isinstance(v, time) else None))
    elif kind in ("select_multiple", "rank") or (kind == "select_one" and question.choice_filter):
        options = filtered_choices(questionnaire, question, answers)
        codes = [c.code for c in options]
        labels = {c.code: c.label for c in questionnaire.options(question.name)}
        if filter_checks.leaves_out(questionnaire, question.name, stored, answers):  # the force changed, say
            st.warning(filter_checks.refusal(questionnaire, {**answers, question.name: stored}, question.name),
                       icon=":material/filter_alt:")
        if kind == "select_one":
            _seed(owner, wkey, stored, lambda v: v if v in codes else None)
            st.selectbox(label, codes, index=None, key=wkey, format_func=labels.get, disabled=disabled, help=help,
                         placeholder="Choose an answer", on_change=changed(lambda v: v))
        else:
            _seed(owner, wkey, stored, lambda v: [c for c in (v or "").split() if c in codes])
            st.multiselect(label, codes, key=wkey, format_func=labels.get, disabled=disabled,
                           help=(help or "") + (" Choose them in order, first = most." if kind == "rank" else
                                                " Choose every one that applies."),
                           placeholder="Choose every answer that applies" if kind != "rank" else "Choose in order",
                           on_change=changed(lambda v: " ".join(v) or None))
    elif kind == "acknowledge":
        _seed(owner, wkey, stored, lambda v: v == "OK")
        st.checkbox(label, key=wkey, disabled=disabled, help=help, on_change=changed(lambda v: "OK" if v else None))
    elif kind == "text":  # appearance multiline
        _seed(owner, wkey, stored, lambda v: v or "")
        st.text_area(label, key=wkey, disabled=disabled, help=help, placeholder=placeholder,
                     on_change=changed(lambda v: v or None))
    else:  # decimal (exact, as typed), a wide range, datetime, locations, barcode: checked text
        _seed(owner, wkey, stored, lambda v: v or "")
        if kind == "range":
            p = question.parameters
            placeholder = f"a number from {p.get('start', '0')} to {p.get('end', '10')}"
        st.text_input(label, key=wkey, disabled=disabled, help=help, placeholder=placeholder,
                      on_change=changed(lambda v: v or None))
