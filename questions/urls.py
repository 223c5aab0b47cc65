from django.urls import path

from questions import views

urlpatterns = [
    path("", views.instrument, name="instrument"),
    path("glossary/", views.glossary, name="glossary"),
]
