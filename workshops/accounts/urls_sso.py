"""Support staff's pages about single sign-on providers."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
