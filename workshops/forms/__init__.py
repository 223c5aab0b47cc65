from workshops.forms.partnership import OrganisationForm, PartnershipForm, PersonForm

__all__ = ["OrganisationForm", "PartnershipForm", "PersonForm"]
