from django import template

from workshops.models import Basis

register = template.Library()


@register.filter
def section_url(answering, number: int) -> str:
    return answering.url("section", number)


@register.filter
def page_url(answering, page: str) -> str:
    return answering.url(page)


@register.filter
def basis_label(part: str) -> str:
    return Basis(part).label if part in Basis.values else part
