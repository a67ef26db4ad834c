"""A collection of XLSForms written the way other people write them (ODK, KoboToolbox and
the XLSForm project's own test forms): pyxform-style markdown, one sheet per ``| sheet |``
row, turned into a real .xlsx by pyxform's own ``md_table_to_workbook``.

Each form is (file name, markdown, what the form exercises). ``PYXFORM_REFUSES`` holds
forms pyxform refuses, with the spreadsheet row of the fault; ``REPEATS`` forms with repeats:
a repeat group and a loop over a choice list, both read since issue 12.
"""

from __future__ import annotations

import io

from pyxform.xls2json_backends import md_table_to_workbook

YES_NO = """
| choices |
|         | list_name | name | label |
|         | yes_no    | yes  | Yes   |
|         | yes_no    | no   | No    |
"""

ACCEPTED = {
    # no settings sheet at all: form_id from the file name, version chosen by the import
    "timeliness_review.xlsx": """
| survey |
|        | type      | name            | label                             | constraint          | constraint_message    | calculation                     |
|        | date      | reported_on     | Date first reported               |                     |                       |                                 |
|        | date      | arrested_on     | Date of arrest                    | . >= ${reported_on} | Arrest before report? |                                 |
|        | integer   | prior_incidents | Incidents before the first report | . >= 0 and . < 500  | A count, 0 or more    |                                 |
|        | decimal   | hours_to_visit  | Hours until the first visit       | . >= 0              |                       |                                 |
|        | calculate | days_to_arrest  |                                   |                     |                       | ${arrested_on} - ${reported_on} |
""",
    # every question type a KoboToolbox form uses
    "every_type.xlsx": """
| survey |
|        | type                        | name        | label              | appearance | parameters             | calculation                           | default    |
|        | start                       | start       |                    |            |                        |                                       |            |
|        | end                         | end         |                    |            |                        |                                       |            |
|        | today                       | today       |                    |            |                        |                                       |            |
|        | deviceid                    | deviceid    |                    |            |                        |                                       |            |
|        | username                    | username    |                    |            |                        |                                       |            |
|        | audit                       | audit       |                    |            |                        |                                       |            |
|        | begin group                 | basics      | Basics             |            |                        |                                       |            |
|        | integer                     | n_incidents | Incidents          |            |                        |                                       | 0          |
|        | decimal                     | distance_km | Distance (km)      |            |                        |                                       |            |
|        | range                       | severity    | Severity           |            | start=1 end=5 step=1   |                                       |            |
|        | date                        | report_date | Reported           |            |                        |                                       |            |
|        | time                        | report_time | Time               |            |                        |                                       |            |
|        | datetime                    | charged_at  | Charged            |            |                        |                                       |            |
|        | select_multiple behaviours  | behaviours  | Behaviours         | minimal    |                        |                                       |            |
|        | select_one yes_no           | victim_ok   | Victim content?    |            |                        |                                       |            |
|        | rank behaviours             | worst       | Rank the behaviours|            |                        |                                       |            |
|        | text                        | summary     | Summary            | multiline  |                        |                                       |            |
|        | note                        | a_note      | Read the file first|            |                        |                                       |            |
|        | acknowledge                 | read_policy | I have read it     |            |                        |                                       |            |
|        | geopoint                    | where       | Where              |            |                        |                                       |            |
|        | geotrace                    | route       | Route              |            |                        |                                       |            |
|        | geoshape                    | area        | Area               |            |                        |                                       |            |
|        | barcode                     | exhibit     | Exhibit barcode    |            |                        |                                       |            |
|        | image                       | photo       | Photo              |            | max-pixels=1024        |                                       |            |
|        | audio                       | recording   | Recording          |            |                        |                                       |            |
|        | video                       | clip        | Clip               |            |                        |                                       |            |
|        | file                        | attachment  | Attachment         |            |                        |                                       |            |
|        | calculate                   | n_behaviours|                    |            |                        | count-selected(${behaviours})         |            |
|        | end group                   |             |                    |            |                        |                                       |            |
| choices |
|         | list_name  | name       | label        |
|         | yes_no     | yes        | Yes          |
|         | yes_no     | no         | No           |
|         | behaviours | following  | Following    |
|         | behaviours | messaging  | Messaging    |
|         | behaviours | social     | Social media |
|         | behaviours | loitering  | Loitering    |
| settings |
|          | form_id    | version | form_title        |
|          | every_type | 2024.1  | Every type        |
""",
    # a group with relevant: every question inside follows it; a question after end group
    "group_relevant.xlsx": """
| survey |
|        | type              | name        | label          | relevant               | required | required_message     |
|        | select_one yes_no | charged     | Charged?       |                        | yes      | Say whether          |
|        | begin group       | charge      | The charge     | ${charged} = 'yes'     |          |                      |
|        | date              | charge_date | Charge date    |                        | yes      |                      |
|        | begin group       | court       | Court          |                        |          |                      |
|        | text              | court_name  | Court          |                        |          |                      |
|        | end group         |             |                |                        |          |                      |
|        | text              | charge_note | Note on charge |                        |          |                      |
|        | end group         |             |                |                        |          |                      |
|        | text              | closing     | Closing remark |                        |          |                      |
""" + YES_NO,
    # older spellings pyxform still reads; list names in mixed case; names with - and .
    "old_spellings.xlsx": """
| survey |
|        | type            | name          | label:English | label:Welsh |
|        | select one YesNo | q-1.first    | First?        | Cyntaf?     |
|        | select_one YesNo | q-2.second   | Second?       | Ail?        |
|        | int             | how_many      | How many?     | Faint?      |
| choices |
|         | list name | name | label:English | label:Welsh |
|         | YesNo     | yes  | Yes           | Ie          |
|         | YesNo     | no   | No            | Na          |
""",
    # translations with default_language: the default language's labels are used
    "languages.xlsx": """
| survey |
|        | type              | name | label::English (en) | label::Cymraeg (cy) |
|        | select_one yes_no | a    | Was it recorded?    | A gofnodwyd?        |
| choices |
|         | list_name | name | label::English (en) | label::Cymraeg (cy) |
|         | yes_no    | yes  | Yes                 | Ie                  |
|         | yes_no    | no   | No                  | Na                  |
| settings |
|          | form_id   | version | default_language |
|          | languages | 1       | Cymraeg (cy)     |
""",
    # or_other, choice_filter, functions in expressions
    "functions.xlsx": """
| survey |
|        | type                        | name      | label        | relevant                                   | constraint                       | choice_filter         | calculation |
|        | select_one unit or_other    | unit      | Unit         |                                            |                                  |                       |             |
|        | select_one area             | area      | Area         |                                            |                                  |                       |             |
|        | select_one station          | station   | Station      |                                            |                                  | area = ${area}        |             |
|        | select_multiple behaviours  | behaviours| Behaviours   |                                            |                                  |                       |             |
|        | text                        | other_b   | Which other? | selected(${behaviours}, 'other')           | string-length(.) > 2             |                       |             |
|        | text                        | ref       | Reference    | count-selected(${behaviours}) > 1          | regex(., '^[A-Z]{2}[0-9]{4}$')   |                       |             |
|        | date                        | seen      | Seen         |                                            | . <= today()                     |                       |             |
|        | calculate                   | label_out |              |                                            |                                  |                       | concat(jr:choice-name(${unit}, '${unit}'), ' / ', ${ref}) |
|        | calculate                   | days      |              |                                            |                                  |                       | int((decimal-date-time(today()) - decimal-date-time(${seen}))) |
|        | calculate                   | shown     |              |                                            |                                  |                       | if(contains(${ref}, 'HS'), substr(${ref}, 0, 2), coalesce(${other_b}, 'none')) |
|        | calculate                   | month     |              |                                            |                                  |                       | format-date(${seen}, '%Y-%m') |
|        | calculate                   | half      |              |                                            |                                  |                       | round(number(${days}) div 2, 1) + ${days} mod 7 |
| choices |
|         | list_name  | name     | label       | area  |
|         | unit       | cid      | CID         |       |
|         | unit       | response | Response    |       |
|         | area       | north    | North       |       |
|         | area       | south    | South       |       |
|         | station    | n1       | North One   | north |
|         | station    | s1       | South One   | south |
|         | behaviours | following| Following   |       |
|         | behaviours | other    | Other       |       |
""",
    # a form that uses our own extra columns: criteria (checked against the framework)
    "with_criteria.xlsx": """
| survey |
|        | type              | name     | label                         | criteria | footnote_not_known                          |
|        | begin group       | risk     | Risk                          |          |                                             |
|        | select_one ynk    | risk_done| Risk assessed?                | 2.1      | In {count} case it was not known if risk was assessed |
|        | end group         |          |                               |          |                                             |
| choices |
|         | list_name | name      | label      |
|         | ynk       | yes       | Yes        |
|         | ynk       | no        | No         |
|         | ynk       | not_known | Not known  |
| settings |
|          | form_id       | version | framework                |
|          | with_criteria | 3       | harassment_stalking_2017 |
""",
    # choices from a CSV file beside the form
    "from_file.xlsx": """
| survey |
|        | type                             | name    | label   |
|        | select_one_from_file forces.csv  | force   | Force   |
|        | select_multiple_from_file forces.csv | others | Others |
""",
    # found in the XLSForm project's own example forms: older type names, a form_id with a
    # space, pulldata(), duplicate codes allowed for cascading lists
    # filtered on a translated label
    "older_types.xlsx": """
| survey |
|        | type                 | name     | label::English | calculation                                   | choice_filter           |
|        | phone number         | phone    | Phone          |                                               |                         |
|        | osm                  | map      | Map            |                                               |                         |
|        | uri:deviceid         | dev      |                |                                               |                         |
|        | get today            | day      |                |                                               |                         |
|        | q picture            | pic      | Picture        |                                               |                         |
|        | percentage           | share    | Share          |                                               |                         |
|        | select_one state     | state    | State          |                                               |                         |
|        | select_one county    | county   | County         |                                               | state=${state} and label::English != '' |
|        | calculate            | looked_up|                | pulldata('fruits', 'name', 'key', ${state})   |                         |
| choices |
|         | list_name | name | label::English | state |
|         | state     | wa   | Washington     |       |
|         | state     | or   | Oregon         |       |
|         | county    | king | King           | wa    |
|         | county    | king | King           | or    |
| settings |
|          | form_id     | version | allow_choice_duplicates |
|          | Older types | 1       | yes                     |
""",
    # found in CHT and ODK forms: paths instead of ${name}, relative to the question or group
    # they are written on; count(), sum() and join() over one question
    "relative_paths.xlsx": """
| survey |
|        | type        | name      | label      | relevant               | calculation                         | constraint |
|        | integer     | visits    | Visits     |                        |                                     | . >= 0     |
|        | begin group | inputs    | Inputs     | ./source = 'user'      |                                     |            |
|        | text        | source    | Source     |                        |                                     |            |
|        | integer     | prior     | Prior      | ../source != ''        |                                     |            |
|        | calculate   | next      |            |                        | current()/../prior + 1              |            |
|        | end group   |           |            |                        |                                     |            |
|        | calculate   | total     |            |                        | /data/inputs/prior + ../visits      |            |
|        | calculate   | n_visits  |            |                        | count(${visits})                    |            |
|        | calculate   | all_prior |            |                        | sum(${prior}) + sum(../visits)      |            |
|        | calculate   | joined    |            |                        | join(', ', ${source})               |            |
""",
    # the same name in two groups (pyxform allows it while no ${age} names it): paths say which
    "same_name_in_groups.xlsx": """
| survey |
|        | type        | name    | label       | relevant      | calculation                          |
|        | begin group | victim  | Victim      |               |                                      |
|        | integer     | age     | Age         |               |                                      |
|        | text        | school  | School      | ../age < 18   |                                      |
|        | end group   |         |             |               |                                      |
|        | begin group | suspect | Suspect     |               |                                      |
|        | integer     | age     | Age         |               |                                      |
|        | end group   |         |             |               |                                      |
|        | calculate   | gap     |             |               | /data/suspect/age - /data/victim/age |
""",
    # select_one_external: its list is on the external_choices sheet, filtered by an answer
    "external_list.xlsx": """
| survey |
|        | type                     | name  | label  | choice_filter |
|        | select_one region        | region| Region |               |
|        | select_one_external force| force | Force  | region=${region} |
| choices |
|         | list_name | name  | label |
|         | region    | north | North |
|         | region    | south | South |
| external_choices |
|                  | list_name | name    | label   | region |
|                  | force     | durham  | Durham  | north  |
|                  | force     | kent    | Kent    | south  |
""",
    # choices from a file that was not sent with the form: pyxform never opens it either
    "from_absent_file.xlsx": """
| survey |
|        | type                              | name     | label    |
|        | select_one_from_file stations.csv | station  | Station  |
|        | select_multiple_from_file units.xml | units  | Units    |
""",
    # a rule or calculation naming a question further down, as pyxform allows
    "later_reference.xlsx": """
| survey |
|        | type              | name     | label      | relevant            | calculation         |
|        | text              | why_late | Why late?  | ${days} > 28        |                     |
|        | calculate         | weeks    |            |                     | ${days} div 7       |
|        | calculate         | days     |            |                     | ${charged} - ${reported} |
|        | date              | reported | Reported   |                     |                     |
|        | date              | charged  | Charged    |                     |                     |
""",
    # found in FMTM forms: a value looked up in the file of choices (as pulldata() does)
    "instance_lookup.xlsx": """
| survey |
|        | type                               | name     | label    | calculation                                          |
|        | select_one_from_file buildings.csv | existing | Building |                                                      |
|        | calculate                          | xid      |          | instance('buildings')/root/item[id=${existing}]/id    |
""",
    # the oldest spellings of a select's type, as pyxform still reads them
    "old_select_syntax.xlsx": """
| survey |
|        | type                          | name | label |
|        | select one from yes_no        | a    | A     |
|        | select one yes_no             | b    | B     |
|        | select all that apply from yes_no | c | C     |
""" + YES_NO,
}

# file name -> the files that stand beside the form
BESIDE = {"from_file.xlsx": {"forces.csv": "name,label\ndurham,Durham\ngwent,Gwent\n"}}

# forms pyxform refuses: file name -> (markdown, row of the fault)
PYXFORM_REFUSES = {
    "unknown_reference.xlsx": ("""
| survey |
|        | type | name | label | relevant         |
|        | text | a    | A     | ${nobody} = 'x'  |
""", 2),
    "duplicate_name.xlsx": ("""
| survey |
|        | type | name | label |
|        | text | a    | A     |
|        | text | a    | Again |
""", 3),
    "unknown_list.xlsx": ("""
| survey |
|        | type               | name | label |
|        | select_one colours | a    | A     |
""", 2),
    "bad_name.xlsx": ("""
| survey |
|        | type | name    | label |
|        | text | 2bad    | A     |
""", 2),
    "unmatched_group.xlsx": ("""
| survey |
|        | type        | name | label |
|        | begin group | g    | G     |
|        | text        | a    | A     |
""", 2),
    "unknown_type.xlsx": ("""
| survey |
|        | type        | name | label |
|        | text        | a    | A     |
|        | fancy_thing | b    | B     |
""", 3),
    # ${age} names one of two questions called age: pyxform cannot tell which
    "ambiguous_name.xlsx": ("""
| survey |
|        | type        | name    | label   | relevant     |
|        | begin group | victim  | Victim  |              |
|        | integer     | age     | Age     |              |
|        | end group   |         |         |              |
|        | begin group | suspect | Suspect |              |
|        | integer     | age     | Age     |              |
|        | end group   |         |         |              |
|        | text        | school  | School  | ${age} < 18  |
""", 8),
    # a file and a choices list that would both be the instance "stations"
    "two_instances.xlsx": ("""
| survey |
|        | type                              | name    | label   |
|        | text                              | ref     | Ref     |
|        | select_one_from_file stations.csv | station | Station |
|        | select_one stations               | other   | Other   |
| choices |
|         | list_name | name | label |
|         | stations  | n1   | North |
""", 3),
    "duplicate_choice.xlsx": ("""
| survey |
|        | type              | name | label |
|        | select_one yes_no | a    | A     |
| choices |
|         | list_name | name | label |
|         | yes_no    | yes  | Yes   |
|         | yes_no    | no   | No    |
|         | yes_no    | yes  | Again |
""", 4),
}

REPEATS = {
    "loop.xlsx": ("""
| survey |
|        | type                      | name   | label  |
|        | select_multiple toilets   | have   | Have   |
|        | begin loop over toilets   | each   | Each   |
|        | integer                   | count  | Count  |
|        | end loop                  |        |        |
| choices |
|         | list_name | name  | label |
|         | toilets   | pit   | Pit   |
|         | toilets   | flush | Flush |
""", 3),
    "incidents.xlsx": ("""
| survey |
|        | type         | name      | label          |
|        | text         | ref       | Reference      |
|        | begin repeat | incident  | Incident       |
|        | date         | when      | When           |
|        | end repeat   |           |                |
""", 3),
}


def xlsx(markdown: str) -> bytes:
    buf = io.BytesIO()
    md_table_to_workbook(markdown).save(buf)
    return buf.getvalue()
