from workshops.forms.partnership import MemberForm, OrganisationForm, PartnershipForm, PersonForm

__all__ = ["MemberForm", "OrganisationForm", "PartnershipForm", "PersonForm"]
