from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from lsp_assess import views

urlpatterns = [
    path("", include("workshops.urls")),
    path("questions/", include("questions.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
]

# A database error raised outside a view still gives the 503 page, not a 500.
handler500 = views.server_error
