from allauth.account import views as account_views
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from lsp_assess import views
from workshops.views import sso

urlpatterns = [
    path("", include("workshops.urls")),
    path("questions/", include("questions.urls")),
    # django-allauth's pages, at the addresses (and names) the site has always used.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    # An account's address is the one its invitation went to (and single sign-on
    # matches on it), so people do not change it themselves: support staff do.
    path("accounts/email/", RedirectView.as_view(pattern_name="account")),
    path("accounts/organisation/", sso.organisation_sign_in, name="sso-sign-in"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accessibility/", views.accessibility, name="accessibility"),
]

# A database error raised outside a view still gives the 503 page, not a 500.
handler500 = views.server_error
