from workshops.models.accounts import User
from workshops.models.assessment import (
    Answer,
    Assessment,
    Basis,
    EvidenceNote,
    Invitation,
    Respondent,
)
from workshops.models.audit import AuditEvent
from workshops.models.partnership import Membership, Organisation, Partnership, Person, Sector
from workshops.models.pdf import PlanPdf
from workshops.models.plan import (
    Action,
    ActionChange,
    ImprovementPlan,
    Priority,
    ProgressNote,
)
from workshops.models.workshop import AgendaItem, Workshop, WorkshopError

__all__ = [
    "Action",
    "ActionChange",
    "AgendaItem",
    "Answer",
    "Assessment",
    "AuditEvent",
    "Basis",
    "EvidenceNote",
    "ImprovementPlan",
    "Invitation",
    "Membership",
    "Organisation",
    "Partnership",
    "Person",
    "PlanPdf",
    "Priority",
    "ProgressNote",
    "Respondent",
    "Sector",
    "User",
    "Workshop",
    "WorkshopError",
]
