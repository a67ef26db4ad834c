"""The demonstration data reproduces every case-file and PIN figure that "Living in fear"
prints, each checked against the sentence it comes from (chapters 2 and 3, Annex A, Annex D).

``quote`` is the report's sentence (footnote markers dropped); ``text`` is what the finding's
template writes, asserted where the template in criteria/ reproduces the report's wording.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from fieldwork import db, startup
from fieldwork.problems import ProblemError
from fieldwork.services import demo, findings
from models import Answer, Assessment, AuditEvent, CaseFile
from tests.conftest import PG_URL, _drop_pg_database, new_database_url


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    url = new_database_url(tmp_path_factory.mktemp("demo"))
    engine = startup.open_engine(url)
    with db.session_scope(engine) as s:
        loaded = demo.load(s, actor="test")
    with db.session_scope(engine) as s:
        out = {
            "loaded": loaded,
            "all": findings.compute(s, "case_review"),
            "domestic_abuse": findings.compute(s, "case_review", by="domestic_abuse"),
            "force": findings.compute(s, "case_review", by="force"),
            "pin": findings.compute(s, "pin_review"),
            "pin_force": findings.compute(s, "pin_review", by="force"),
        }
    db.dispose_all()
    if PG_URL:
        _drop_pg_database(url)
    return out


@dataclass(frozen=True)
class Figure:
    quote: str  # the report's sentence
    id: str
    answer: str | None
    count: int
    denominator: int
    percent: int | None = None  # checked when the report prints it
    group: str | None = None  # a --by domestic_abuse group, for figures the report gives within one
    not_known: int = 0
    not_applicable: int = 0
    text: str | None = None  # the template's sentence, where it reproduces the report's
    footnote: str | None = None  # the report's footnote, as the template writes it
    report: str = "all"


CASE_FILE = [
    Figure("Of the 112 cases we examined, we found evidence that an initial risk assessment had taken place in "
           "60 cases (54 percent). [66] In one case it was not known if an initial risk assessment had taken place.",
           "initial_risk_assessment", "yes", 60, 112, 54, not_known=1,
           text="we found evidence that an initial risk assessment had taken place in 60 of 112 cases (54 percent)",
           footnote="In one case it was not known if an initial risk assessment had taken place."),
    Figure("We found that of the 82 domestic abuse cases reviewed, there was evidence that an enhanced risk "
           "assessment had been completed in 78 cases",
           "da_enhanced_ra_done", None, 78, 82,
           text="of the 82 domestic abuse cases reviewed, there was evidence that an enhanced risk assessment had "
                "been completed in 78 cases"),
    Figure("[69] A DASH was completed in 74 cases", "enhanced_risk_assessment", "dash", 74, 82, group="yes",
           report="domestic_abuse", text="a DASH was completed in 74 cases"),
    Figure("[69] an S-DASH was completed in two cases", "enhanced_risk_assessment", "s_dash", 2, 82, group="yes",
           report="domestic_abuse", text="an S-DASH was completed in two cases"),
    Figure("[69] and an alternative screening tool was used in two cases", "enhanced_risk_assessment", "other_tool",
           2, 82, group="yes", report="domestic_abuse", text="an alternative screening tool was used in two cases"),
    Figure("and there was no evidence of an enhanced risk assessment in four cases", "enhanced_risk_assessment",
           "none", 4, 82, group="yes", report="domestic_abuse",
           text="there was no evidence of an enhanced risk assessment in four cases"),
    Figure("In 34 of the 74 cases where a DASH had been completed, the supplementary stalking and harassment "
           "questions were not answered.", "dash_supplementary_questions", "no", 34, 74,
           text="in 34 of the 74 cases where a DASH had been completed, the supplementary stalking and harassment "
                "questions were not answered"),
    Figure("the specific risks associated with harassment and stalking were not assessed comprehensively in 40 out "
           "of 82 cases. [70] Four cases had no enhanced risk assessment, 34 cases did not have the supplementary "
           "questions completed, and two cases had an S-DASH completed", "da_sh_risks_not_assessed", None, 40, 82,
           text="the specific risks associated with harassment and stalking were not assessed comprehensively in 40 "
                "out of 82 cases"),
    Figure("In non-domestic abuse cases, we found that 22 of the 30 cases there was no evidence an enhanced risk "
           "assessment had taken place.", "non_da_no_enhanced_ra", None, 22, 30,
           text="in 22 of the 30 non-domestic abuse cases there was no evidence an enhanced risk assessment had "
                "taken place"),
    Figure("In our case assessments we found no evidence of a risk management plan in 68 of the 112 (61 percent) "
           "cases reviewed. [74] In five of the 112 cases it was not known if there was a risk management plan.",
           "risk_management_plan", "no", 68, 112, 61, not_known=5,
           text="we found no evidence of a risk management plan in 68 of the 112 (61 percent) cases reviewed",
           footnote="In five of the 112 cases it was not known if there was a risk management plan."),
    Figure("we found no evidence that the victim had received a referral (or offer of referral) to the victim "
           "support service in 25 of 112 cases examined (22 percent). [88] In one case it was not known if the "
           "victim had received a referral (or offer of referral) to the victim support service.",
           "victim_support_referral", "no", 25, 112, 22, not_known=1,
           text="we found no evidence that the victim had received a referral (or offer of referral) to the victim "
                "support service in 25 of 112 cases examined (22 percent)",
           footnote="In one case it was not known if the victim had received a referral (or offer of referral) to "
                    "the victim support service."),
    Figure("there was no evidence that the victim was referred to specialist support agencies in 55 of the 112 "
           "cases reviewed (49 percent). [89] In two cases it was not known if the victim was referred to "
           "specialist support agencies.", "specialist_support_referral", "no", 55, 112, 49, not_known=2,
           text="there was no evidence that the victim was referred to specialist support agencies in 55 of the 112 "
                "cases reviewed (49 percent)",
           footnote="In two cases it was not known if the victim was referred to specialist support agencies."),
    Figure("we found evidence that victims had been given some form of prevention advice in 48 out of 112 cases "
           "(43 percent).", "prevention_advice", "yes", 48, 112, 43,
           text="we found evidence that victims had been given some form of prevention advice in 48 out of 112 cases "
                "(43 percent)"),
    Figure("In our review of 112 case files, we found that victim care was not good enough in 106 (95 percent).",
           "victim_care_good_enough", "no", 106, 112, 95,
           text="in our review of 112 case files, we found that victim care was not good enough in 106 (95 percent)"),
    Figure("Of the 112 cases examined, 84 cases (75 percent) were dealt with by an officer who was not from a "
           "Criminal Investigation Department (CID) or specialist investigation unit.",
           "investigator_not_specialist", None, 84, 112, 75,
           text="of the 112 cases examined, 84 cases (75 percent) were dealt with by an officer who was not from a "
                "Criminal Investigation Department (CID) or specialist investigation unit"),
    Figure("In 60 of the 112 cases (54 percent), the investigator was from a response or neighbourhood team.",
           "investigator_response_or_neighbourhood", None, 60, 112, 54,
           text="in 60 of the 112 cases (54 percent), the investigator was from a response or neighbourhood team"),
    Figure("In the case sample, 65 of the 112 cases (58 percent) we assessed had delays in the investigation that "
           "were avoidable.", "avoidable_delay", "yes", 65, 112, 58,
           text="in the case sample, 65 of the 112 cases (58 percent) we assessed had delays in the investigation "
                "that were avoidable"),
    Figure("In the 112 case files reviewed, there were 51 cases (46 percent) for which a special measures "
           "assessment was required but that had not been completed.", "special_measures_not_done", None, 51, 112,
           46, text="in the 112 case files reviewed, there were 51 cases (46 percent) for which a special measures "
                    "assessment was required but that had not been completed"),
    Figure("Of the 112 case files reviewed, a victim personal statement was taken in 73 cases (65 percent).",
           "vps_taken", "yes", 73, 112, 65,
           text="of the 112 case files reviewed, a victim personal statement was taken in 73 cases (65 percent)"),
    Figure("In the 39 cases in which a victim personal statement had not been taken, there was evidence that the "
           "victim had been offered the opportunity to provide it in 21 cases.", "vps_offered", "yes", 21, 39,
           text="in the 39 cases in which a victim personal statement had not been taken, there was evidence that "
                "the victim had been offered the opportunity to provide it in 21 cases"),
    Figure("Consequently, in 18 cases reviewed, no victim personal statement had been taken and there was no "
           "evidence that the victim had been offered the opportunity to provide one.", "vps_not_taken_not_offered",
           None, 18, 112,
           text="in 18 cases reviewed, no victim personal statement had been taken and there was no evidence that "
                "the victim had been offered the opportunity to provide one"),
    Figure("The victims' code, Prosecutor's Pledge and other relevant policy guidance on the treatment of "
           "witnesses were complied with by the CPS in 70 of the 112 cases (63 percent).",
           "cps_victim_duties_complied", "yes", 70, 112, 63,
           text="the victims' code, Prosecutor's Pledge and other relevant policy guidance on the treatment of "
                "witnesses were complied with by the CPS in 70 of the 112 cases (63 percent)"),
    Figure("All necessary steps were taken by the CPS throughout the case to protect the victim, witness and public "
           "from harm in 88 of the 112 cases (79 percent). [117] One case was not applicable as in the "
           "circumstances this question was not relevant.", "cps_protect_steps", "yes", 88, 111, 79,
           not_applicable=1,
           text="all necessary steps were taken by the CPS throughout the case to protect the victim, witness and "
                "public from harm in 88 of the 112 cases (79 percent)",
           footnote="One case was not applicable as in the circumstances this question was not relevant."),
    Figure("In the 112 case files reviewed, the overall police file quality from a CPS perspective was not good "
           "enough in about half of the cases.", "police_file_quality_good", "no", 57, 112, 51),
    Figure("None of the 112 cases that we assessed was dealt with well enough by the police and CPS.",
           "dealt_with_well_overall", "yes", 0, 112, 0,
           text="None of the 112 cases that we assessed was dealt with well enough by the police and CPS"),
    Figure("In the case file review, 20 cases were charged by the police. Of these, four should have been referred "
           "to the CPS for charging in accordance with the Director's Guidance.",
           "police_charge_should_have_referred", "yes", 4, 20,
           text="in the case file review, 20 cases were charged by the police. Of these, four should have been "
                "referred to the CPS for charging in accordance with the Director's Guidance"),
    Figure("In the case file review, 20 cases were charged by the police.", "charged_by", "police", 20, 112,
           text="in the case file review, 20 cases were charged by the police"),
    Figure("However, in all 20 police-charged cases reviewed, the police decision to charge applied the Code for "
           "Crown Prosecutors correctly.", "police_charge_code_applied", "yes", 20, 20, 100,
           text="in all 20 police-charged cases reviewed, the police decision to charge applied the Code for "
                "Crown Prosecutors correctly"),
    Figure("The most appropriate charges were advised at the pre-charge stage in 70 of 88 applicable cases (80 "
           "percent). [125] Cases were not applicable if the cases were charged by police or discontinued due to "
           "insufficient evidence.", "most_appropriate_charge_advised", "yes", 70, 88, 80, not_applicable=4,
           text="the most appropriate charges were advised at the pre-charge stage in 70 of 88 applicable cases (80 "
                "percent)",
           footnote="Cases were not applicable if the cases were charged by police or discontinued due to "
                    "insufficient evidence."),
    Figure("the charging decision (MG3) included a proper case analysis and strategy in 32 out of 92 cases reviewed "
           "(35 percent)", "mg3_case_analysis", "fully_met", 32, 92, 35,
           text="the charging decision (MG3) included a proper case analysis and strategy in 32 out of 92 cases "
                "reviewed (35 percent)"),
    Figure("in 50 cases this partially met the needs of the case", "mg3_case_analysis", "partially_met", 50, 92,
           text="in 50 cases the case analysis and strategy in the charging decision (MG3) partially met the needs "
                "of the case"),
    Figure("and in 10 cases it did not.", "mg3_case_analysis", "not_met", 10, 92),
    Figure("The action plan ... met a satisfactory standard in 36 of cases. [128] The remaining cases did not have "
           "an action plan.", "mg3_action_plan", "fully_met", 36, 86, not_applicable=6,
           footnote="The remaining six cases did not have an action plan."),
    Figure("partially met the needs of the case in 37 cases", "mg3_action_plan", "partially_met", 37, 86,
           not_applicable=6),
    Figure("and did not meet them in 13 cases.", "mg3_action_plan", "not_met", 13, 86, not_applicable=6),
    Figure("Victim and witness problems were clearly set out in the MG3 form in 20 cases", "mg3_victim_witness",
           "fully_met", 20, 92,
           text="victim and witness problems were clearly set out in the MG3 form in 20 cases"),
    Figure("in 58 cases the MG3 form partially met the needs of the case", "mg3_victim_witness", "partially_met",
           58, 92),
    Figure("and in 14 cases it did not.", "mg3_victim_witness", "not_met", 14, 92),
    Figure("The decision to accept pleas or a basis of plea was sound and in writing in eight out of 12 relevant "
           "cases reviewed. [132] Relevant cases were those in which a defendant offered to plead guilty to a "
           "lesser or alternative offence.", "plea_acceptance_sound", "yes", 8, 12, not_applicable=100,
           text="the decision to accept pleas or a basis of plea was sound and in writing in eight out of 12 "
                "relevant cases reviewed",
           footnote="Relevant cases were those in which a defendant offered to plead guilty to a lesser or "
                    "alternative offence."),
    Figure("When proposing to stop the case or alter the charges, the police were consulted by the CPS in 19 of 30 "
           "relevant cases where it was practicable to do so.", "police_consulted_on_alteration", "yes", 19, 30,
           not_applicable=82,
           text="when proposing to stop the case or alter the charges, the police were consulted by the CPS in 19 of "
                "30 relevant cases where it was practicable to do so"),
    Figure("Of the case files reviewed, the lawyer or team exercised sound judgment and control of the case in 16 "
           "cases [134] The remaining cases were not relevant", "lawyer_judgment_control", "fully_met", 16, 90,
           not_applicable=22,
           text="of the case files reviewed, the lawyer or team exercised sound judgment and control of the case in "
                "16 cases"),
    Figure("partially in 52 cases", "lawyer_judgment_control", "partially_met", 52, 90, not_applicable=22),
    Figure("and not at all in 22 cases.", "lawyer_judgment_control", "not_met", 22, 90, not_applicable=22),
    Figure("We also found evidence of some elements of the use of digital and/or communications technology in 82 "
           "of the 112 harassment and stalking cases reviewed.", "digital_element", "yes", 82, 112,
           text="we found evidence of some elements of the use of digital and/or communications technology in 82 of "
                "the 112 harassment and stalking cases reviewed"),
    Figure("In our assessment of 270 PIN cases, we found that 176 had featured some form of digital contact between "
           "the victim and the alleged perpetrator.", "digital_contact", "yes", 176, 270, report="pin",
           text="in our assessment of 270 PIN cases, we found that 176 had featured some form of digital contact "
                "between the victim and the alleged perpetrator"),
]


def _finding(reports, fig: Figure) -> findings.Finding:
    return reports[fig.report].get(fig.id, fig.answer, fig.group)


@pytest.mark.parametrize("fig", CASE_FILE, ids=[f"{f.id}={f.answer}" + (f"[{f.group}]" if f.group else "")
                                               for f in CASE_FILE])
def test_each_printed_figure_is_reproduced(reports, fig):
    f = _finding(reports, fig)
    assert (f.count, f.denominator) == (fig.count, fig.denominator), fig.quote
    if fig.percent is not None:
        assert f.percent == fig.percent, fig.quote
    assert (f.not_known, f.not_applicable) == (fig.not_known, fig.not_applicable), fig.quote
    if fig.text is not None:
        assert f.text == fig.text
    if fig.footnote is not None:
        assert fig.footnote in f.footnotes
    if not fig.not_known and not fig.not_applicable:
        assert f.footnotes == ()


def test_the_samples_are_annex_a_and_annex_d(reports):
    """Annex A: 16 cases in each of five forces and 32 in Greater Manchester, with their CPS
    Areas. Annex D: six PIN cases in each of 39 forces, nine in each of the four larger ones."""
    assert reports["loaded"] == {"case_review": 112, "pin_review": 270}
    assert reports["all"].cases == 112 and reports["all"].drafts_excluded == 0
    by_force = reports["force"]
    assert by_force.groups == {"avon_and_somerset": 16, "durham": 16, "greater_manchester": 32, "gwent": 16,
                               "hampshire": 16, "sussex": 16}
    areas = {"avon_and_somerset": "south_west", "durham": "north_east", "greater_manchester": "north_west",
             "gwent": "cymru_wales", "hampshire": "wessex", "sussex": "south_east"}
    for force, area in areas.items():
        assert by_force.get("cps_area", area, force).count == by_force.groups[force]
    pin = reports["pin_force"]
    assert reports["pin"].cases == 270 and len(pin.groups) == 43
    larger = {"greater_manchester", "metropolitan", "west_midlands", "west_yorkshire"}
    assert {f for f, n in pin.groups.items() if n == 9} == larger
    assert all(n == 6 for f, n in pin.groups.items() if f not in larger)


def test_pins_were_not_appropriate_in_the_majority(reports):
    # "We found PINs were not appropriate responses in the majority of cases."
    f = reports["pin"].get("pin_appropriate", "no")
    assert f.denominator == 270 and f.count * 2 > 270 and f.percent > 50
    assert f.text.startswith(f"we found PINs were not appropriate responses in {f.count} of the 270 cases")


def test_percent_of_a_half_rounds_up(reports):
    # 70 of 112 is 62.5 percent: the report prints 63 (half up), float round() would give 62
    assert reports["all"].get("cps_victim_duties_complied", "yes").percent == 63


def test_the_domestic_abuse_breakdown_adds_up_to_the_whole(reports):
    da = reports["domestic_abuse"]
    assert da.groups == {"yes": 82, "no": 30}
    for f in da.overall():
        parts = [da.get(f.id, f.answer, g) for g in ("yes", "no")]
        assert sum(p.count for p in parts) == f.count
        if f.kind == "question":
            assert sum(p.denominator for p in parts) == f.denominator


def test_demo_data_is_pseudonymous_and_refuses_a_second_load(engine):
    with db.session_scope(engine) as s:
        demo.load(s, actor="test")
    with db.session_scope(engine) as s:
        refs = s.scalars(select(CaseFile.case_ref)).all()
        assert all(r.startswith(("HS-", "PIN-")) and r[-4:].isdigit() for r in refs)
        assert s.scalar(select(func.count()).select_from(Answer).where(Answer.note != "")) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "demo.loaded")) == 1
        before = s.scalar(select(func.count()).select_from(Assessment))
    with pytest.raises(ProblemError) as refused, db.session_scope(engine) as s:
        demo.load(s, actor="test")
    assert {p.code for p in refused.value.problems} == {"demo_refused"}
    assert "already holds 112 case_review cases" in str(refused.value)
    with db.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == before


def test_demo_is_the_same_on_every_run():
    assert demo.case_review_answers() == demo.case_review_answers()
    assert demo.pin_review_answers() == demo.pin_review_answers()
