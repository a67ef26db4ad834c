"""Files laid out as KoboToolbox and ODK Central export them, written here from the tools'
documented layouts (never by our exporter), for the import tests.

* KoboToolbox, "XML values and headers" CSV (``;`` by default, or ``,``), with or without
  "include groups in headers" (``group/question``): the form's fields in form order, a
  select_multiple as its space-separated column followed by one 0/1 column per option
  (``path/question/option``), a geopoint as its value followed by ``_path/question_latitude``,
  ``_longitude``, ``_altitude``, ``_precision``; then ``_id``, ``_uuid``, ``_submission_time``,
  ``_validation_status``, ``_notes``, ``_status``, ``_submitted_by``, ``__version__``, ``_tags``,
  ``_index``. Every cell quoted.
* ODK Central, the CSV of "Download all": ``SubmissionDate`` first, the fields with group paths
  joined by ``-``, a geopoint split into ``path-question-Latitude``, ``-Longitude``,
  ``-Altitude``, ``-Accuracy``, then ``meta-instanceID``, ``KEY``, ``SubmitterID``,
  ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``, ``Status``,
  ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``; ``KEY`` is ``uuid:…``.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from datetime import date, datetime, timedelta, timezone

FORM = """
| survey |
|        | type                       | name           | label                 | relevant           | required |
|        | start                      | start          |                       |                    |          |
|        | end                        | end            |                       |                    |          |
|        | begin group                | context        | The case              |                    |          |
|        | select_one force           | force          | Force                 |                    | yes      |
|        | begin group                | dates          | Dates                 |                    |          |
|        | date                       | reported_on    | Date first reported   |                    |          |
|        | end group                  |                |                       |                    |          |
|        | end group                  |                |                       |                    |          |
|        | select_one yes_no          | charged        | Charged?              |                    | yes      |
|        | begin group                | charge         | The charge            | ${charged} = 'yes' |          |
|        | integer                    | days_to_charge | Days to charge        |                    | yes      |
|        | end group                  |                |                       |                    |          |
|        | select_multiple behaviours | behaviours     | Behaviours            |                    |          |
|        | begin group                | place          | Place                 |                    |          |
|        | geopoint                   | location       | Where                 |                    |          |
|        | end group                  |                |                       |                    |          |
| choices |
|         | list_name  | name      | label        |
|         | force      | durham    | Durham       |
|         | force      | gwent     | Gwent        |
|         | force      | kent      | Kent         |
|         | yes_no     | yes       | Yes          |
|         | yes_no     | no        | No           |
|         | behaviours | following | Following    |
|         | behaviours | messaging | Messaging    |
|         | behaviours | social    | Social media |
| settings |
|          | form_id    | version |
|          | submissions | 1      |
"""
QUESTIONNAIRE = "submissions"
BEHAVIOURS = ["following", "messaging", "social"]
PATHS = {"force": ["context"], "reported_on": ["context", "dates"], "charged": [], "days_to_charge": ["charge"],
         "behaviours": [], "location": ["place"]}



def instance_id(rnd) -> str:
    """A random instance id as ODK and KoboToolbox make them, drawn again in the one case in about
    6,000 whose digits read as a date or a phone number: the import refuses such an id as a case
    reference by design (fieldwork/services/case_refs.py), and these fixtures test counting, not
    that rule (a hypothesis seed drew 19261213-… in a whole run, stop 24)."""
    from fieldwork.services import case_refs

    while True:
        drawn = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
        if case_refs.problem(drawn) is None:
            return drawn

def submissions(n: int = 40, seed: int = 5) -> list[dict]:
    """What was collected: answers by field, plus the server's own record of each submission."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        started = datetime(2024, 3, 1, 9, tzinfo=timezone.utc) + timedelta(hours=rnd.randrange(2000))
        answers = {"force": rnd.choice(["durham", "gwent", "kent"]), "charged": rnd.choice(["yes", "no"])}
        if rnd.random() < 0.8:
            answers["reported_on"] = (date(2023, 1, 1) + timedelta(days=rnd.randrange(365))).isoformat()
        if answers["charged"] == "yes":
            answers["days_to_charge"] = str(rnd.randrange(0, 120))
        if rnd.random() < 0.85:
            answers["behaviours"] = " ".join(c for c in BEHAVIOURS if rnd.random() < 0.5) or "messaging"
        if rnd.random() < 0.7:
            answers["location"] = f"{rnd.uniform(50, 55):.6f} {rnd.uniform(-3, 1):.6f} {rnd.randrange(200)}.0 5.0"
        out.append({"answers": answers, "uuid": instance_id(rnd),
                    "id": 1000 + i, "start": started, "end": started + timedelta(minutes=rnd.randrange(5, 60)),
                    "submitted": started + timedelta(hours=1), "by": f"enumerator{i % 3 + 1}"})
    return out


def _iso(moment: datetime, *, millis: bool = True) -> str:
    text = moment.isoformat(timespec="milliseconds" if millis else "seconds")
    return text.replace("+00:00", "Z" if not millis else "+00:00")


def _write(header: list[str], rows: list[list[str]], delimiter: str, *, quote_all: bool) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n",
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def kobo_csv(subs: list[dict], *, delimiter: str = ";", groups: bool = True, case_ref: bool = False) -> bytes:
    def path(name: str, sep: str = "/") -> str:
        return sep.join([*PATHS[name], name]) if groups else name

    header = ["start", "end"] + (["case_ref"] if case_ref else [])
    header += [path("force"), path("reported_on"), path("charged"), path("days_to_charge"), path("behaviours")]
    header += [f"{path('behaviours')}/{c}" for c in BEHAVIOURS]
    header += [path("location")] + [f"_{path('location')}_{p}" for p in ("latitude", "longitude", "altitude",
                                                                         "precision")]
    header += ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
               "__version__", "_tags", "_index"]
    rows = []
    for index, s in enumerate(subs, start=1):
        a = s["answers"]
        row = [_iso(s["start"]), _iso(s["end"])] + ([f"HS-{index:04d}"] if case_ref else [])
        row += [a.get(k, "") for k in ("force", "reported_on", "charged", "days_to_charge", "behaviours")]
        ticked = a.get("behaviours", "").split()
        row += [("1" if c in ticked else "0") if "behaviours" in a else "" for c in BEHAVIOURS]
        point = a.get("location", "").split()
        row += [a.get("location", "")] + (point if point else ["", "", "", ""])
        row += [str(s["id"]), s["uuid"], s["submitted"].strftime("%Y-%m-%dT%H:%M:%S"), "", "[]", "submitted_via_web",
                s["by"], "vGz7aQ2wNcBd", "[]", str(index)]
        rows.append(row)
    return _write(header, rows, delimiter, quote_all=True)


def odk_csv(subs: list[dict]) -> bytes:
    def path(name: str) -> str:
        return "-".join([*PATHS[name], name])

    header = ["SubmissionDate", "start", "end", path("force"), path("reported_on"), path("charged"),
              path("days_to_charge"), path("behaviours")]
    header += [f"{path('location')}-{p}" for p in ("Latitude", "Longitude", "Altitude", "Accuracy")]
    header += ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
               "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
    rows = []
    for s in subs:
        a = s["answers"]
        point = a.get("location", "").split()
        row = [s["submitted"].strftime("%Y-%m-%dT%H:%M:%S.000Z"), _iso(s["start"]), _iso(s["end"])]
        row += [a.get(k, "") for k in ("force", "reported_on", "charged", "days_to_charge", "behaviours")]
        row += point if point else ["", "", "", ""]
        row += [f"uuid:{s['uuid']}", f"uuid:{s['uuid']}", "7", s["by"], "0", "0", "", "", "collect:A1b2C3d4", "0",
                "1"]
        rows.append(row)
    return _write(header, rows, ",", quote_all=False)


# --- a form with repeat groups, and the tools' files of its entries ----------------------
#
# ODK Central's "Download all" zip (getodk/central-backend lib/data/briefcase.js): FORM.csv for
# the submissions (repeats left out of its header), and FORM-REPEAT.csv per repeat group, whose
# header is the repeat's own fields (``group-field`` for a group inside it) followed by
# PARENT_KEY and KEY. KEY is ``uuid:ID/repeat[n]`` (nested: ``uuid:ID/incident[2]/contact[1]``),
# PARENT_KEY the KEY of the entry around it, or the instance id. Rows are written as each entry
# closes, so an inner entry comes before the next outer one.
#
# KoboToolbox's xlsx: the submissions on the first sheet (named after the form's title), then a
# sheet per repeat group named after it, whose columns are the repeat's fields with their whole
# group path (``incident/contact/contact_made``), then ``_index`` (the row's number in the
# sheet), ``_parent_table_name``, ``_parent_index`` (the parent row's ``_index``) and the
# submission's own columns prefixed ``_submission_``.

REPEAT_FORM = """
| survey |
|        | type                   | name         | label                    | relevant          | required |
|        | start                  | start        |                          |                   |          |
|        | end                    | end          |                          |                   |          |
|        | begin group            | context      | The case                 |                   |          |
|        | select_one force       | force        | Force                    |                   | yes      |
|        | end group              |              |                          |                   |          |
|        | select_one yes_no      | charged      | Charged?                 |                   | yes      |
|        | begin repeat           | pin          | PIN issued               |                   |          |
|        | date                   | pin_date     | Date issued              |                   | yes      |
|        | select_one served      | pin_served   | How it was served        |                   |          |
|        | begin group            | pin_detail   | Detail                   |                   |          |
|        | select_one yes_no      | pin_recorded | Recorded on the system?  |                   |          |
|        | end group              |              |                          |                   |          |
|        | end repeat             |              |                          |                   |          |
|        | begin repeat           | incident     | Incident                 |                   |          |
|        | select_one kind        | kind         | Kind of incident         |                   | yes      |
|        | begin repeat           | contact      | Contact with the victim  | ${kind} = 'threat'|          |
|        | select_one yes_no      | contact_made | Contact made in 24 hours |                   | yes      |
|        | end repeat             |              |                          |                   |          |
|        | end repeat             |              |                          |                   |          |
| choices |
|         | list_name | name       | label        |
|         | force     | durham     | Durham       |
|         | force     | gwent      | Gwent        |
|         | force     | kent       | Kent         |
|         | yes_no    | yes        | Yes          |
|         | yes_no    | no         | No           |
|         | served    | in_person  | In person    |
|         | served    | by_post    | By post      |
|         | served    | not_served | Not served   |
|         | kind      | following  | Following    |
|         | kind      | threat     | Threat       |
|         | kind      | messaging  | Messaging    |
| settings |
|          | form_id   | form_title | version |
|          | pins      | PIN review | 1       |
"""
REPEAT_QUESTIONNAIRE = "pins"
SERVED = ["in_person", "by_post", "not_served"]
KINDS = ["following", "threat", "messaging"]
REVIEW_STATES = ["", "approved", "hasIssues", "edited", "rejected"]


def repeat_submissions(n: int = 30, seed: int = 12) -> list[dict]:
    """What was collected: the case's answers and its entries, ``{"pin": [...], "incident": [{"kind":
    ..., "contact": [...]}]}``, plus the server's record of each submission."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        started = datetime(2024, 5, 1, 9, tzinfo=timezone.utc) + timedelta(hours=rnd.randrange(2000))
        answers = {"force": rnd.choice(["durham", "gwent", "kent"]), "charged": rnd.choice(["yes", "no"])}
        pins = []
        for _ in range(rnd.choice([0, 0, 1, 1, 2, 3])):
            pin = {"pin_date": (date(2023, 1, 1) + timedelta(days=rnd.randrange(365))).isoformat()}
            if rnd.random() < 0.9:
                pin["pin_served"] = rnd.choice(SERVED)
            if rnd.random() < 0.7:
                pin["pin_recorded"] = rnd.choice(["yes", "no"])
            pins.append(pin)
        incidents = []
        for _ in range(rnd.choice([0, 1, 2, 3])):
            incident = {"kind": rnd.choice(KINDS), "contact": []}
            if incident["kind"] == "threat":
                incident["contact"] = [{"contact_made": rnd.choice(["yes", "no"])}
                                       for _ in range(rnd.choice([0, 1, 2]))]
            incidents.append(incident)
        out.append({"answers": answers, "pin": pins, "incident": incidents,
                    "uuid": instance_id(rnd), "id": 2000 + i,
                    "start": started, "end": started + timedelta(minutes=rnd.randrange(5, 60)),
                    "submitted": started + timedelta(hours=1), "by": f"enumerator{i % 3 + 1}",
                    "review": rnd.choice(REVIEW_STATES)})
    return out


def entries_of(sub: dict) -> dict[str, dict[str, str]]:
    """The submission's entries by instance path, as ODK positions them (``incident[2]/contact[1]``)."""
    out = {}
    for n, pin in enumerate(sub["pin"], start=1):
        out[f"pin[{n}]"] = dict(pin)
    for n, incident in enumerate(sub["incident"], start=1):
        out[f"incident[{n}]"] = {"kind": incident["kind"]}
        for m, contact in enumerate(incident["contact"], start=1):
            out[f"incident[{n}]/contact[{m}]"] = dict(contact)
    return out


def odk_repeat_zip(subs: list[dict], *, form_id: str = REPEAT_QUESTIONNAIRE) -> bytes:
    import zipfile

    main_header = ["SubmissionDate", "start", "end", "context-force", "charged", "meta-instanceID", "KEY",
                   "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                   "ReviewState", "DeviceID", "Edits", "FormVersion"]
    main, pins, incidents, contacts = [], [], [], []
    for s in subs:
        key = f"uuid:{s['uuid']}"
        main.append([s["submitted"].strftime("%Y-%m-%dT%H:%M:%S.000Z"), _iso(s["start"]), _iso(s["end"]),
                     s["answers"]["force"], s["answers"]["charged"], key, key, "7", s["by"], "0", "0", "",
                     s["review"], "collect:A1b2C3d4", "0", "1"])
        for n, pin in enumerate(s["pin"], start=1):
            pins.append([pin.get("pin_date", ""), pin.get("pin_served", ""), pin.get("pin_recorded", ""), key,
                         f"{key}/pin[{n}]"])
        for n, incident in enumerate(s["incident"], start=1):
            for m, contact in enumerate(incident["contact"], start=1):  # written as each entry closes
                contacts.append([contact["contact_made"], f"{key}/incident[{n}]", f"{key}/incident[{n}]/contact[{m}]"])
            incidents.append([incident["kind"], key, f"{key}/incident[{n}]"])
    files = {f"{form_id}.csv": _write(main_header, main, ",", quote_all=False),
             f"{form_id}-pin.csv": _write(["pin_date", "pin_served", "pin_detail-pin_recorded", "PARENT_KEY", "KEY"],
                                          pins, ",", quote_all=False),
             f"{form_id}-incident.csv": _write(["kind", "PARENT_KEY", "KEY"], incidents, ",", quote_all=False),
             f"{form_id}-contact.csv": _write(["contact_made", "PARENT_KEY", "KEY"], contacts, ",", quote_all=False)}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        zf.writestr("media/", b"")
    return buf.getvalue()


KOBO_SUBMISSION = ["_submission__id", "_submission__uuid", "_submission__submission_time",
                   "_submission__validation_status", "_submission__notes", "_submission__status",
                   "_submission__submitted_by", "_submission___version__", "_submission__tags"]


def kobo_repeat_xlsx(subs: list[dict], *, title: str = "PIN review") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    main = wb.active
    main.title = title[:31]
    main.append(["start", "end", "context/force", "charged", "_id", "_uuid", "_submission_time", "_validation_status",
                 "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index"])
    pin = wb.create_sheet("pin")
    pin.append(["pin/pin_date", "pin/pin_served", "pin/pin_detail/pin_recorded", "_index", "_parent_table_name",
                "_parent_index", *KOBO_SUBMISSION])
    incident = wb.create_sheet("incident")
    incident.append(["incident/kind", "_index", "_parent_table_name", "_parent_index", *KOBO_SUBMISSION])
    contact = wb.create_sheet("contact")
    contact.append(["incident/contact/contact_made", "_index", "_parent_table_name", "_parent_index",
                    *KOBO_SUBMISSION])
    counters = {"pin": 0, "incident": 0, "contact": 0}
    for index, s in enumerate(subs, start=1):
        submission = [s["id"], s["uuid"], s["submitted"].strftime("%Y-%m-%dT%H:%M:%S"), "", "", "submitted_via_web",
                      s["by"], "vGz7aQ2wNcBd", ""]
        main.append([_iso(s["start"]), _iso(s["end"]), s["answers"]["force"], s["answers"]["charged"], s["id"],
                     s["uuid"], s["submitted"].strftime("%Y-%m-%dT%H:%M:%S"), "", "", "submitted_via_web", s["by"],
                     "vGz7aQ2wNcBd", "", index])
        for p in s["pin"]:
            counters["pin"] += 1
            pin.append([p["pin_date"], p.get("pin_served"), p.get("pin_recorded"), counters["pin"], main.title, index,
                        *submission])
        for i in s["incident"]:
            counters["incident"] += 1
            incident.append([i["kind"], counters["incident"], main.title, index, *submission])
            for c in i["contact"]:
                counters["contact"] += 1
                contact.append([c["contact_made"], counters["contact"], "incident", counters["incident"], *submission])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- any form with repeats: the two tools' files for it, from the same layouts ---------------


def _group(q, question) -> list[str]:
    """The group a question sits in inside its repeat (or at the case level), as a path part."""
    section = q.section(question.section)
    repeat = q.repeat_of(question.name)
    if section is None or section.id == repeat or section.id.startswith("general"):
        return []
    return [section.id]


def odk_zip_for(q, subs: list[dict], *, form_id: str) -> bytes:
    """ODK Central's "Download all" for ``subs`` ({"answers", "entries" by path, "uuid", ...}):
    the main file, then a file per repeat group with PARENT_KEY and KEY."""
    import zipfile

    def column(question) -> str:
        return "-".join([*_group(q, question), question.name])

    top = [x for x in q.questions if not q.repeat_of(x.name) and x.name not in ("start", "end")]
    files = {f"{form_id}.csv": (["SubmissionDate", "start", "end", *(column(x) for x in top), "meta-instanceID", "KEY",
                                 "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
                                 "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"], [])}
    for r in q.repeats:
        inside = [x for x in q.questions if q.repeat_of(x.name) == r.name]
        files[f"{form_id}-{r.name}.csv"] = ([column(x) for x in inside] + ["PARENT_KEY", "KEY"], [])
    for s in subs:
        key = f"uuid:{s['uuid']}"
        files[f"{form_id}.csv"][1].append([s["submitted"].strftime("%Y-%m-%dT%H:%M:%S.000Z"), _iso(s["start"]),
                                           _iso(s["end"]), *(s["answers"].get(x.name, "") for x in top), key, key,
                                           "7", s["by"], "0", "0", "", "", "collect:A1b2C3d4", "0", "1"])
        for path in sorted(s["entries"], key=lambda p: [(n.split("[")[0], int(n.split("[")[1][:-1]))
                                                         for n in p.split("/")]):
            repeat = path.rsplit("/", 1)[-1].split("[")[0]
            inside = [x for x in q.questions if q.repeat_of(x.name) == repeat]
            parent = f"{key}/{path.rsplit('/', 1)[0]}" if "/" in path else key
            files[f"{form_id}-{repeat}.csv"][1].append(
                [s["entries"][path].get(x.name, "") for x in inside] + [parent, f"{key}/{path}"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, (header, rows) in files.items():
            zf.writestr(name, _write(header, rows, ",", quote_all=False))
    return buf.getvalue()


def kobo_xlsx_for(q, subs: list[dict], *, title: str) -> bytes:
    """KoboToolbox's xlsx for ``subs``: the submissions sheet, then a sheet per repeat group with
    whole group paths, a select_multiple as its codes and one 0/1 column per option."""
    from openpyxl import Workbook

    def columns(question) -> list[tuple[str, str | None]]:
        chain = q.repeat_chain(q.repeat_of(question.name)) if q.repeat_of(question.name) else []
        full = "/".join([*chain, *_group(q, question), question.name])
        out = [(full, None)]
        if question.is_multiple_choice:
            out += [(f"{full}/{code}", code) for code in q.codes(question.name)]
        return out

    def cells(question, answers) -> list:
        value = answers.get(question.name)
        out = [value]
        if question.is_multiple_choice:
            ticked = (value or "").split()
            out += [(1 if code in ticked else 0) if value is not None else None for code in q.codes(question.name)]
        return out

    wb = Workbook()
    main = wb.active
    main.title = title[:31]
    top = [x for x in q.questions if not q.repeat_of(x.name) and x.name not in ("start", "end")]
    main.append(["start", "end", *(c for x in top for c, _ in columns(x)), "_id", "_uuid", "_submission_time",
                 "_validation_status", "_notes", "_status", "_submitted_by", "__version__", "_tags", "_index"])
    sheets, counters, indexes = {}, {}, {}
    for r in q.repeats:
        inside = [x for x in q.questions if q.repeat_of(x.name) == r.name]
        sheets[r.name] = wb.create_sheet(r.name[:31])
        sheets[r.name].append([*(c for x in inside for c, _ in columns(x)), "_index", "_parent_table_name",
                               "_parent_index", *KOBO_SUBMISSION])
        counters[r.name] = 0
    for index, s in enumerate(subs, start=1):
        submission = [s["id"], s["uuid"], s["submitted"].strftime("%Y-%m-%dT%H:%M:%S"), "", "", "submitted_via_web",
                      s["by"], "vGz7aQ2wNcBd", ""]
        main.append([_iso(s["start"]), _iso(s["end"]), *(v for x in top for v in cells(x, s["answers"])),
                     s["id"], s["uuid"], s["submitted"].strftime("%Y-%m-%dT%H:%M:%S"), "", "", "submitted_via_web",
                     s["by"], "vGz7aQ2wNcBd", "", index])
        for path in sorted(s["entries"], key=lambda p: [(n.split("[")[0], int(n.split("[")[1][:-1]))
                                                         for n in p.split("/")]):
            repeat = path.rsplit("/", 1)[-1].split("[")[0]
            r = next(x for x in q.repeats if x.name == repeat)
            counters[repeat] += 1
            indexes[(index, path)] = counters[repeat]
            parent_sheet = r.parent[:31] if r.parent else main.title
            parent_index = indexes[(index, path.rsplit("/", 1)[0])] if r.parent else index
            inside = [x for x in q.questions if q.repeat_of(x.name) == repeat]
            sheets[repeat].append([*(v for x in inside for v in cells(x, s["entries"][path])), counters[repeat],
                                   parent_sheet, parent_index, *submission])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
