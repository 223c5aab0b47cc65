"""A signed-in person's own account pages."""

from django.urls import path

from workshops.views import account

urlpatterns = [
    path("", account.account, name="account"),
    path("sign-ins/", account.sign_ins, name="account-sign-ins"),
]
