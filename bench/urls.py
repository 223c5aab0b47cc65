from django.urls import include, path

from bench.reference import constant, upsert

urlpatterns = [
    path("bench/constant/", constant),
    path("bench/upsert/", upsert),
    path("", include("lsp_assess.urls")),
]
