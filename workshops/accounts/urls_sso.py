"""Support staff's pages about single sign-on providers."""

from django.urls import path

from workshops.views import sso

urlpatterns = [
    path("", sso.provider_list, name="sso-providers"),
    path("new/", sso.provider_add, name="sso-provider-add"),
    path("<int:provider_id>/", sso.provider_edit, name="sso-provider-edit"),
    path("<int:provider_id>/deactivate/", sso.provider_deactivate, name="sso-provider-deactivate"),
]
