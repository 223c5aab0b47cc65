"""Support staff's pages about accounts: finding one, resetting its two-factor
sign-in when a device is lost, and deactivating or reactivating it."""

from django.urls import path

from workshops.views import support_accounts

A = "<int:account_id>/"

urlpatterns = [
    path("", support_accounts.find_account, name="support-accounts"),
    path(A, support_accounts.account_detail, name="support-account"),
    path(
        A + "reset-two-factor/",
        support_accounts.reset_two_factor,
        name="support-account-mfa-reset",
    ),
    path(A + "deactivate/", support_accounts.deactivate, name="support-account-deactivate"),
    path(A + "reactivate/", support_accounts.reactivate, name="support-account-reactivate"),
]
