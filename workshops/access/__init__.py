"""One access helper per object type, in a module for each area (partnership, assessment,
workshop, plan); every view imports them from here.

Each returns the object and the caller's membership. An object of a
partnership the user does not belong to is a 404, so nobody learns whether it
exists; a member whose role lacks the permission gets a 403. Only then is the
method checked: a view that takes only some methods says so to its helper
(``methods=POST_ONLY``), and any other is a 405 naming the ones it takes. An
outsider's wrong method is therefore still a 404.
"""

from workshops.access.assessment import (
    get_assessment,
    get_assessment_person,
    get_import_job,
    get_invitation,
    get_invitation_by_token,
    get_local_question,
)
from workshops.access.core import (
    LINK_TOKEN,
    POST_ONLY,
    READ_ONLY,
    MethodNotAllowed,
    MethodNotAllowedMiddleware,
    Methods,
    Need,
    check_method,
    get_partnership,
)
from workshops.access.partnership import (
    get_member_invitation,
    get_member_invitation_by_token,
    get_membership,
    get_organisation,
    get_person,
)
from workshops.access.plan import get_action, get_priority, get_target
from workshops.access.workshop import (
    get_agenda_item,
    get_dot_vote,
    get_idea,
    get_idea_collection,
    get_workshop,
    get_workshop_action,
    get_workshop_by_code,
)

__all__ = [
    "LINK_TOKEN",
    "POST_ONLY",
    "READ_ONLY",
    "MethodNotAllowed",
    "MethodNotAllowedMiddleware",
    "Methods",
    "Need",
    "check_method",
    "get_action",
    "get_agenda_item",
    "get_assessment",
    "get_assessment_person",
    "get_dot_vote",
    "get_idea",
    "get_idea_collection",
    "get_import_job",
    "get_invitation",
    "get_invitation_by_token",
    "get_local_question",
    "get_member_invitation",
    "get_member_invitation_by_token",
    "get_membership",
    "get_organisation",
    "get_partnership",
    "get_person",
    "get_priority",
    "get_target",
    "get_workshop",
    "get_workshop_action",
    "get_workshop_by_code",
]
