"""The demonstration data set: synthetic scores that reproduce the report's figures exactly.

Two samples, as in Annex A and Annex D of "Living in fear":

* ``case_review``: 112 complete joint case file reviews, 16 in each of Avon and Somerset,
  Durham, Gwent, Hampshire and Sussex and 32 in Greater Manchester, each with the CPS Area
  the force sits in. Every figure that chapters 2 and 3 print for the case file review
  comes out of ``fieldwork findings case_review`` exactly (60 of 112 initial risk
  assessments with one not known, 40 of 82 domestic abuse cases whose stalking and
  harassment risks were not assessed, and so on: ``CASE_REVIEW_FIGURES`` below).
* ``pin_review``: 270 PIN reviews, six in each of 39 forces and nine in Greater Manchester,
  the Metropolitan Police, West Midlands and West Yorkshire; 176 featured digital contact
  and PINs were not appropriate in the majority.

No real case is in it: references are pseudonymous (``HS-0001``, ``PIN-0001``), inspectors
are ``inspector1`` .. ``inspector6``, and no evidence note is written. Where the report
gives no figure, the numbers are invented to be plausible. Values are dealt to cases by a
seeded random generator, so the set is the same on every machine and every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork import audit
from fieldwork.catalog import load_catalog
from fieldwork.problem_codes import DEMO_INVALID, DEMO_REFUSED
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services import inspections
from fieldwork.services.store import CaseRecord, add_complete_assessments
from models import Assessment, CaseFile

SEED = 2017
QUESTIONNAIRES = ("case_review", "pin_review")

# Phase two (Annex A): five forces with 16 cases and Greater Manchester with 32.
CASE_REVIEW_FORCES = {"avon_and_somerset": 16, "durham": 16, "greater_manchester": 32, "gwent": 16,
                      "hampshire": 16, "sussex": 16}
# Phase one (Annex D): nine cases in each of four larger forces, six in every other force.
PIN_LARGER_FORCES = ("greater_manchester", "metropolitan", "west_midlands", "west_yorkshire")
PIN_PER_FORCE, PIN_PER_LARGER_FORCE = 6, 9

Case = dict  # one case's answers while it is being built
Rule = Callable[[Case], bool]


@dataclass(frozen=True)
class Deal:
    """``n`` cases get ``value``: only cases matching ``only`` (if given), and every case
    matching ``first`` (if given) before any other."""
    value: str
    n: int
    only: Rule | None = None
    first: Rule | None = None


def deal(cases: list[Case], question: str, deals: list[Deal], rnd: random.Random,
         among: Rule | None = None) -> None:
    """Give ``question`` an answer in every case of the population ``among`` so that each
    value is held by exactly its ``n`` cases. Constrained deals go first."""
    population = [c for c in cases if among is None or among(c)]
    total = sum(d.n for d in deals)
    if total != len(population):
        raise ValueError(f"{question}: {total} answers dealt to a population of {len(population)}")
    free = list(population)
    rnd.shuffle(free)
    for d in sorted(deals, key=lambda d: (d.only is None and d.first is None)):
        eligible = [c for c in free if d.only is None or d.only(c)]
        chosen = [c for c in eligible if d.first is not None and d.first(c)]
        if len(chosen) > d.n:
            raise ValueError(f"{question}={d.value}: {len(chosen)} cases must come first but only {d.n} are dealt")
        taken = {id(c) for c in chosen}  # by identity: two cases may hold equal answers so far
        rest = [c for c in eligible if id(c) not in taken]
        chosen += rest[:d.n - len(chosen)]
        if len(chosen) < d.n:
            raise ValueError(f"{question}={d.value}: only {len(chosen)} eligible cases for {d.n}")
        for c in chosen:
            c[question] = d.value
        ids = {id(c) for c in chosen}
        free = [c for c in free if id(c) not in ids]


def is_(question: str, *values: str) -> Rule:
    return lambda c: c.get(question) in values


def in_forces(*forces: str) -> Rule:
    return lambda c: c["force"] in forces


# --- the case file review ------------------------------------------------------------


def case_review_answers(seed: int = SEED) -> list[Case]:
    """The 112 cases' answers, in force order (the figures in the comments are the report's)."""
    rnd = random.Random(seed)
    area = load_catalog().codes.force_area
    cases: list[Case] = []
    for force, n in CASE_REVIEW_FORCES.items():
        cases += [{"force": force, "cps_area": area[force]} for _ in range(n)]
    D = Deal
    police, cps = is_("charged_by", "police"), is_("charged_by", "cps")
    da, non_da = is_("domestic_abuse", "yes"), is_("domestic_abuse", "no")

    # Context. The sample balanced domestic abuse and other cases, guilty and not guilty pleas.
    deal(cases, "domestic_abuse", [D("yes", 82), D("no", 30)], rnd)  # 82 domestic abuse cases
    # 20 police-charged (4 of them domestic abuse, so they should have gone to the CPS: DG5)
    deal(cases, "charged_by", [D("police", 4), D("cps", 78)], rnd, among=da)
    deal(cases, "charged_by", [D("police", 16), D("cps", 14)], rnd, among=non_da)
    # the police may charge only summary offences (section 2 harassment, section 2A stalking)
    deal(cases, "offence_charged", [D("harassment_s2", 14), D("stalking_s2a", 6)], rnd, among=police)
    deal(cases, "offence_charged", [D("harassment_s2", 38), D("harassment_s4", 18), D("stalking_s2a", 16),
                                    D("stalking_s4a", 14), D("other", 6)], rnd, among=cps)
    deal(cases, "plea", [D("guilty", 14), D("not_guilty", 6)], rnd, among=police)
    deal(cases, "plea", [D("guilty", 42), D("not_guilty", 50)], rnd, among=cps)
    deal(cases, "digital_element", [D("yes", 82), D("no", 30)], rnd)  # 82 of the 112

    # Risk. 60 of 112 initial risk assessments, one not known.
    deal(cases, "initial_risk_assessment", [D("yes", 60), D("no", 51), D("not_known", 1)], rnd)
    # Domestic abuse: enhanced RA in 78 of 82 (74 DASH, 2 S-DASH, 2 other tool), none in 4.
    # Two of the six forces used stalking screening tools.
    screening = in_forces("hampshire", "sussex")
    deal(cases, "enhanced_risk_assessment", [D("dash", 74), D("s_dash", 2), D("other_tool", 2, only=screening),
                                             D("none", 4)], rnd, among=da)
    # Other cases: 22 of 30 with no enhanced RA; the gap filled by S-DASH in some stalking cases.
    deal(cases, "enhanced_risk_assessment", [D("none", 22), D("s_dash", 6), D("other_tool", 2, only=screening)],
         rnd, among=non_da)
    # 34 of the 74 DASHes without the supplementary questions; in one force the electronic
    # DASH did not include them at all.
    deal(cases, "dash_supplementary_questions", [D("no", 34, first=in_forces("gwent")), D("yes", 40)], rnd,
         among=is_("enhanced_risk_assessment", "dash"))
    deal(cases, "risk_management_plan", [D("no", 68), D("yes", 39), D("not_known", 5)], rnd)  # 68 (61%), 5 nk

    # Victim care
    deal(cases, "victim_support_referral", [D("no", 25), D("yes", 86), D("not_known", 1)], rnd)  # 25 (22%)
    deal(cases, "specialist_support_referral", [D("no", 55), D("yes", 55), D("not_known", 2)], rnd)  # 55 (49%)
    deal(cases, "prevention_advice", [D("yes", 48), D("no", 64)], rnd)  # 48 (43%)
    deal(cases, "victim_care_good_enough", [D("no", 106), D("yes", 6)], rnd)  # 106 (95%)

    # Investigation: 84 not CID or specialist (75%), 60 response or neighbourhood (54%)
    deal(cases, "investigator_unit", [D("cid_specialist", 28), D("response", 38), D("neighbourhood", 22),
                                      D("other", 24)], rnd)
    deal(cases, "avoidable_delay", [D("yes", 65), D("no", 47)], rnd)  # 65 (58%)

    # File quality: 51 (46%) needed special measures assessed and did not get it
    deal(cases, "special_measures_required", [D("yes", 70), D("no", 42)], rnd)
    deal(cases, "special_measures_assessment", [D("no", 51), D("yes", 19)], rnd,
         among=is_("special_measures_required", "yes"))
    # VPS taken in 73 (65%); of the 39 without, offered in 21, neither in 18
    deal(cases, "vps_taken", [D("yes", 73), D("no", 39)], rnd)
    deal(cases, "vps_offered", [D("yes", 21), D("no", 18)], rnd, among=is_("vps_taken", "no"))
    deal(cases, "police_file_quality_good", [D("no", 57), D("yes", 55)], rnd)  # "about half" not good enough

    # CPS decisions
    deal(cases, "cps_victim_duties_complied", [D("yes", 70), D("no", 42)], rnd)  # 70 of 112 (63%)
    deal(cases, "cps_protect_steps", [D("yes", 88), D("no", 23), D("na", 1)], rnd)  # 88 of 112 (79%), one na
    deal(cases, "police_charge_should_have_referred", [D("yes", 4, first=da), D("no", 16)], rnd, among=police)
    deal(cases, "police_charge_code_applied", [D("yes", 20)], rnd, among=police)  # all 20 correct
    # 70 of 88 applicable (80%); not applicable when discontinued for insufficient evidence
    deal(cases, "most_appropriate_charge_advised", [D("yes", 70), D("no", 18), D("na", 4)], rnd, among=cps)
    deal(cases, "mg3_case_analysis", [D("fully_met", 32), D("partially_met", 50), D("not_met", 10)], rnd, among=cps)
    deal(cases, "mg3_action_plan", [D("fully_met", 36), D("partially_met", 37), D("not_met", 13), D("na", 6)],
         rnd, among=cps)
    deal(cases, "mg3_victim_witness", [D("fully_met", 20), D("partially_met", 58), D("not_met", 14)], rnd,
         among=cps)
    # relevant only where a defendant offered a plea to a lesser or alternative offence: 8 of 12
    deal(cases, "plea_acceptance_sound", [D("yes", 8, only=is_("plea", "guilty")),
                                          D("no", 4, only=is_("plea", "guilty")), D("na", 100)], rnd)
    # relevant only where the CPS proposed to stop the case or alter the charges: 19 of 30
    deal(cases, "police_consulted_on_alteration", [D("yes", 19, only=cps), D("no", 11, only=cps), D("na", 82)], rnd)
    # 16 / 52 / 22, the rest (e.g. an early guilty plea after a police charge) not relevant
    deal(cases, "lawyer_judgment_control", [D("na", 22, first=police), D("fully_met", 16), D("partially_met", 52),
                                            D("not_met", 22)], rnd)
    deal(cases, "dealt_with_well_overall", [D("no", 112)], rnd)  # none of the 112
    return cases


# --- the PIN review ------------------------------------------------------------------


def pin_review_answers(seed: int = SEED) -> list[Case]:
    rnd = random.Random(seed + 1)
    cases: list[Case] = []
    for force in (c.code for c in load_catalog().codes.forces):
        n = PIN_PER_LARGER_FORCE if force in PIN_LARGER_FORCES else PIN_PER_FORCE
        cases += [{"force": force} for _ in range(n)]
    D = Deal
    not_appropriate = is_("pin_appropriate", "no")
    recorded = is_("crime_recorded", "yes")
    # Surrey had stopped using PINs (chapter 3): its alternative response was reviewed.
    deal(cases, "notice_type", [D("alternative", 6, only=in_forces("surrey")), D("other_notice", 30),
                                D("pin", 234)], rnd)
    deal(cases, "domestic_abuse", [D("yes", 151), D("no", 119)], rnd)  # "many" featured domestic abuse
    deal(cases, "digital_contact", [D("yes", 176), D("no", 94)], rnd)  # 176 of 270
    deal(cases, "pin_appropriate", [D("no", 167), D("yes", 103)], rnd)  # not appropriate in the majority
    deal(cases, "crime_recorded", [D("yes", 214), D("no", 49), D("not_known", 7)], rnd)
    deal(cases, "crime_recorded_correctly", [D("no", 41), D("yes", 173)], rnd, among=recorded)
    deal(cases, "stalking_misidentified", [D("yes", 38), D("no", 232)], rnd)
    deal(cases, "risk_assessment_done", [D("yes", 142), D("no", 113), D("not_known", 15)], rnd)
    deal(cases, "previous_pin", [D("yes", 27), D("no", 181), D("not_known", 62)], rnd)
    deal(cases, "victim_referred_support", [D("yes", 124), D("no", 131), D("not_known", 15)], rnd)
    # PINs were used instead of thorough investigations where they were not appropriate
    deal(cases, "investigation_thorough", [D("no", 170, first=not_appropriate), D("yes", 100)], rnd)
    deal(cases, "recipient_account_opportunity", [D("yes", 139), D("no", 98), D("not_known", 33)], rnd)
    deal(cases, "pin_instead_of_investigation", [D("yes", 118, only=not_appropriate), D("no", 152)], rnd)
    deal(cases, "pin_authorised_level", [D("superintendent", 12), D("inspector", 31), D("sergeant", 142),
                                         D("officer", 64), D("not_known", 21)], rnd)
    deal(cases, "behaviour_continued", [D("yes", 96), D("no", 102), D("not_known", 72)], rnd)
    return cases


# --- checking and loading ------------------------------------------------------------


def records(questionnaire: Questionnaire, cases: list[Case], prefix: str) -> list[CaseRecord]:
    """CaseRecords with pseudonymous references, every case checked against the
    questionnaire (codes, skip logic, required answers) so a change to a criteria file that
    the demonstration no longer fits is refused, naming every case and question."""
    problems = []
    out = []
    inspectors = {force: f"inspector{1 + i % 6}" for i, force in enumerate(dict.fromkeys(c["force"] for c in cases))}
    for i, answers in enumerate(cases, start=1):
        ref = f"{prefix}-{i:04d}"
        for name, value in answers.items():
            if not questionnaire.has_question(name) or value not in questionnaire.codes(name):
                problems.append(Problem(DEMO_INVALID, f"{value!r} is not a code of {name!r}", item=ref, field=name))
        for name in questionnaire.irrelevant_answers(answers):
            problems.append(Problem(DEMO_INVALID, "answered although skip logic hides it", item=ref, field=name))
        for name in questionnaire.missing_required(answers):
            if name != "case_ref":
                problems.append(Problem(DEMO_INVALID, "required answer missing", item=ref, field=name))
        out.append(CaseRecord(ref, dict(answers), inspector=inspectors[answers["force"]]))
    if problems:
        raise ProblemError(problems, f"the demonstration data no longer fits {questionnaire.id} "
                                     f"version {questionnaire.version}")
    return out


def existing(session: Session, inspection_id: int) -> dict[str, int]:
    """Cases already registered per demonstration questionnaire in the inspection."""
    rows = session.execute(select(CaseFile.questionnaire, func.count(func.distinct(CaseFile.id)))
                           .where(CaseFile.inspection_id == inspection_id, CaseFile.questionnaire.in_(QUESTIONNAIRES))
                           .group_by(CaseFile.questionnaire)).all()
    return {q: int(n) for q, n in rows if n}


def existing_assessments(session: Session, inspection_id: int) -> dict[str, int]:
    rows = session.execute(select(CaseFile.questionnaire, func.count(Assessment.id))
                           .join(Assessment, Assessment.case_id == CaseFile.id)
                           .where(CaseFile.inspection_id == inspection_id, CaseFile.questionnaire.in_(QUESTIONNAIRES))
                           .group_by(CaseFile.questionnaire)).all()
    return {q: int(n) for q, n in rows if n}


def can_load(session: Session, inspection: inspections.InspectionRef = None) -> bool:
    """Whether the inspection may take the demonstration data: it scores both demonstration
    questionnaires and holds no case of either yet."""
    inspection = inspections.resolve(session, inspection)
    return not _missing(session, inspection) and not existing(session, inspection.id)


def _missing(session: Session, inspection) -> list[str]:
    """The demonstration questionnaires the inspection does not score."""
    return [q for q in QUESTIONNAIRES if q not in inspections.questionnaire_ids(session, inspection)]


def load(session: Session, *, actor: str, inspection: inspections.InspectionRef = None,
         progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Load both samples into the inspection (the default one), in the caller's transaction.

    Refused if the inspection already holds cases or assessments of either questionnaire:
    synthetic scores must never mix with an inspection's real ones (and loading twice would
    double every figure)."""
    inspection = inspections.resolve(session, inspection)
    if missing := _missing(session, inspection):
        raise ProblemError([Problem(DEMO_REFUSED, f"inspection {inspection.code} has no {q} questionnaire: the "
                                    "demonstration data belongs to an inspection that scores case_review and "
                                    "pin_review", item=q) for q in missing], "the demonstration data was not loaded")
    held, scored = existing(session, inspection.id), existing_assessments(session, inspection.id)
    if held:
        raise ProblemError([Problem(
            DEMO_REFUSED, f"inspection {inspection.code} already holds {n} {q} case{'s' if n != 1 else ''}"
            f" ({scored.get(q, 0)} assessment{'s' if scored.get(q, 0) != 1 else ''}); demonstration data is loaded "
            "only where there are none, so that synthetic scores never mix with real ones. Use an empty database "
            "(e.g. fieldwork demo --db sqlite:///demo.db).", item=q) for q, n in held.items()],
            "the demonstration data was not loaded")
    plans = [("case_review", case_review_answers(), "HS"), ("pin_review", pin_review_answers(), "PIN")]
    versions = {q: inspections.current_version(session, q) for q, _, _ in plans}
    prepared = [(q, records(inspections.questionnaire_of(versions[q]), cases, prefix)) for q, cases, prefix in plans]
    total = sum(len(r) for _, r in prepared)
    done = 0
    loaded = {}
    for q, recs in prepared:
        step = (lambda d, t, base=done: progress(base + d, total)) if progress else None
        loaded[q] = add_complete_assessments(session, inspection_id=inspection.id, version=versions[q],
                                             records=recs, created_by=actor, progress=step)
        done += loaded[q]
    audit.record(session, actor, audit.DEMO_LOADED, inspection_id=inspection.id, **loaded)
    return loaded
