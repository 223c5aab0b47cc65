from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from questions.models import BankVersion


def instrument(request: HttpRequest) -> HttpResponse:
    """The whole instrument, public and printable: the product's first deliverable."""
    bank = BankVersion.current()
    outline = bank.outline() if bank else []
    return render(request, "questions/instrument.html", {"bank": bank, "outline": outline})


def glossary(request: HttpRequest) -> HttpResponse:
    """Every term the questions use, in plain English. Public: it holds only our own
    explanations, and partners read it before they have an account, or never need one."""
    bank = BankVersion.current()
    return render(request, "questions/glossary.html", {"bank": bank})
