"""Support staff's pages about accounts."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
