"""What other tools rely on (shared/contract/README.md), held once so the loader can check
the criteria files against it: a questionnaire named like a contract questionnaire must carry
every contract variable with exactly the contract's codes, and only those may be required."""

YES_NO = ("yes", "no")
YES_NO_NK = ("yes", "no", "not_known")
YES_NO_NA = ("yes", "no", "na")
MET = ("fully_met", "partially_met", "not_met")
MET_NA = MET + ("na",)
FORCES = "forces"  # the codes of contract section 6, from criteria/codes.toml
CPS_AREAS = "cps_areas"
TEXT = None

CASE_REVIEW = {
    "case_ref": TEXT,
    "force": FORCES,
    "cps_area": CPS_AREAS,
    "domestic_abuse": YES_NO,
    "offence_charged": ("harassment_s2", "harassment_s4", "stalking_s2a", "stalking_s4a", "other"),
    "plea": ("guilty", "not_guilty"),
    "charged_by": ("police", "cps"),
    "digital_element": YES_NO,
    "initial_risk_assessment": YES_NO_NK,
    "enhanced_risk_assessment": ("dash", "s_dash", "other_tool", "none", "not_known"),
    "dash_supplementary_questions": YES_NO,
    "risk_management_plan": YES_NO_NK,
    "victim_support_referral": YES_NO_NK,
    "specialist_support_referral": YES_NO_NK,
    "prevention_advice": YES_NO,
    "victim_care_good_enough": YES_NO,
    "investigator_unit": ("cid_specialist", "response", "neighbourhood", "other"),
    "avoidable_delay": YES_NO,
    "special_measures_required": YES_NO,
    "special_measures_assessment": YES_NO,
    "vps_taken": YES_NO,
    "vps_offered": YES_NO,
    "police_file_quality_good": YES_NO,
    "cps_victim_duties_complied": YES_NO,
    "cps_protect_steps": YES_NO_NA,
    "police_charge_should_have_referred": YES_NO,
    "police_charge_code_applied": YES_NO,
    "most_appropriate_charge_advised": YES_NO_NA,
    "mg3_case_analysis": MET,
    "mg3_action_plan": MET_NA,
    "mg3_victim_witness": MET,
    "plea_acceptance_sound": YES_NO_NA,
    "police_consulted_on_alteration": YES_NO_NA,
    "lawyer_judgment_control": MET_NA,
    "dealt_with_well_overall": YES_NO,
}

CASE_REVIEW_INDICATORS = (
    "da_enhanced_ra_done",
    "da_sh_risks_not_assessed",
    "non_da_no_enhanced_ra",
    "investigator_not_specialist",
    "investigator_response_or_neighbourhood",
    "special_measures_not_done",
    "vps_not_taken_not_offered",
)

PIN_REVIEW = {
    "case_ref": TEXT,
    "force": FORCES,
    "domestic_abuse": YES_NO,
    "digital_contact": YES_NO,
    "pin_appropriate": YES_NO,
}

QUESTIONNAIRES = {
    "case_review": (CASE_REVIEW, CASE_REVIEW_INDICATORS),
    "pin_review": (PIN_REVIEW, ()),
}

DEFAULT_INSPECTION = "living_in_fear_2017"
CASE_REF = "case_ref"
CONTEXT_SECTION = "context"  # the facts of the case, a questionnaire's first section (section 3's "Context")
