"""A signed-in person's own account: the page that leads to its password, second
factors, sessions and sign-ins."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "workshops/account/index.html", {})
