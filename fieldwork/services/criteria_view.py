"""The framework tree with, under each specific criterion, the questions and indicators that
evidence it (the Criteria page's data, built without Streamlit)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from fieldwork.catalog import load_catalog
from fieldwork.services import inspections


@dataclass(frozen=True)
class EvidenceItem:
    questionnaire: str
    name: str
    label: str
    guidance: str
    answers: str
    relevant: str = ""
    required: bool = False


@dataclass
class SpecificNode:
    id: str
    text: str
    questions: list[EvidenceItem] = field(default_factory=list)

    def matches(self, search: str) -> bool:
        if not search:
            return True
        needle = search.lower()
        return needle in f"{self.id} {self.text}".lower() or any(
            needle in f"{q.name} {q.label} {q.guidance}".lower() for q in self.questions)


@dataclass
class GeneralNode:
    id: str
    text: str
    specific: list[SpecificNode]


@dataclass
class CriteriaTree:
    inspection_name: str
    framework_title: str
    source: str
    general: list[GeneralNode]


def criteria_tree(session: Session, inspection: inspections.InspectionRef = None) -> CriteriaTree:
    inspection = inspections.resolve(session, inspection)
    framework = load_catalog().frameworks[inspection.framework]
    nodes = {s.id: SpecificNode(s.id, s.text) for g in framework.general for s in g.specific}
    for qid in inspections.questionnaire_ids(session, inspection):
        q = inspections.load_questionnaire(session, qid)
        for question in q.questions:
            answers = ", ".join(f"{c.code} ({c.label})" for c in q.options(question.name)) or question.type
            item = EvidenceItem(q.id, question.name, question.label, question.guidance, answers,
                                question.relevant, question.required)
            for c in question.criteria:
                if c in nodes:
                    nodes[c].questions.append(item)
        for ind in q.indicators:
            item = EvidenceItem(q.id, ind.id, f"Indicator: {ind.label}", "", "counted when: " + ind.condition,
                                ind.population)
            for c in ind.criteria:
                if c in nodes:
                    nodes[c].questions.append(item)
    general = [GeneralNode(g.id, g.text, [nodes[s.id] for s in g.specific]) for g in framework.general]
    return CriteriaTree(inspection.name, framework.title, framework.source, general)
