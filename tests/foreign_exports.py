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
        out.append({"answers": answers, "uuid": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
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
