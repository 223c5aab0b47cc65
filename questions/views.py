from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from questions.models import BankVersion


def instrument(request: HttpRequest) -> HttpResponse:
    """The whole instrument, public and printable: the product's first deliverable."""
    bank = BankVersion.current()
    outline = bank.outline() if bank else []
    return render(request, "questions/instrument.html", {"bank": bank, "outline": outline})
