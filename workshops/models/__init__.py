from workshops.models.accounts import User
from workshops.models.assessment import (
    Answer,
    Assessment,
    Basis,
    EvidenceNote,
    Invitation,
    PersonalLink,
    Respondent,
)
from workshops.models.audit import AuditEvent
from workshops.models.dots import DotAllocation, DotCandidate, DotMark, DotVote
from workshops.models.ideas import Idea, IdeaCollection, IdeaGroup
from workshops.models.imports import ImportJob
from workshops.models.mail import EmailSend
from workshops.models.members import MemberInvitation
from workshops.models.network import Frequency, NetworkAnswer
from workshops.models.partnership import (
    Comparison,
    Membership,
    Organisation,
    Partnership,
    Person,
    Sector,
)
from workshops.models.pdf import PlanPdf
from workshops.models.plan import (
    Action,
    ActionChange,
    ImprovementPlan,
    Priority,
    ProgressNote,
)
from workshops.models.sso import SignInProvider as SignInProvider
from workshops.models.targets import Target
from workshops.models.workshop import AgendaItem, WaitingPhone, Workshop, WorkshopError

__all__ = [
    "Action",
    "ActionChange",
    "AgendaItem",
    "Answer",
    "Assessment",
    "AuditEvent",
    "Basis",
    "Comparison",
    "DotAllocation",
    "DotCandidate",
    "DotMark",
    "DotVote",
    "EmailSend",
    "EvidenceNote",
    "Frequency",
    "Idea",
    "IdeaCollection",
    "IdeaGroup",
    "ImportJob",
    "ImprovementPlan",
    "Invitation",
    "MemberInvitation",
    "NetworkAnswer",
    "Membership",
    "Organisation",
    "Partnership",
    "Person",
    "PersonalLink",
    "PlanPdf",
    "Priority",
    "ProgressNote",
    "Respondent",
    "Sector",
    "Target",
    "User",
    "WaitingPhone",
    "Workshop",
    "WorkshopError",
]
