"""A signed-in person's own account pages."""

from django.urls import path

from workshops.views import account

urlpatterns = [
    path("", account.account, name="account"),
]
