from workshops.models.accounts import User
from workshops.models.partnership import Membership, Organisation, Partnership, Person

__all__ = ["Membership", "Organisation", "Partnership", "Person", "User"]
