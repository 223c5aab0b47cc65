from workshops.models.accounts import User
from workshops.models.assessment import (
    Answer,
    Assessment,
    Basis,
    EvidenceNote,
    Invitation,
    Respondent,
)
from workshops.models.partnership import Membership, Organisation, Partnership, Person, Sector
from workshops.models.workshop import Action, AgendaItem, Workshop, WorkshopError

__all__ = [
    "Action",
    "AgendaItem",
    "Answer",
    "Assessment",
    "Basis",
    "EvidenceNote",
    "Invitation",
    "Membership",
    "Organisation",
    "Partnership",
    "Person",
    "Respondent",
    "Sector",
    "User",
    "Workshop",
    "WorkshopError",
]
