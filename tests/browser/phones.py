"""Phones joining a live workshop, as people do: by name from the invited list, or anonymously."""

from __future__ import annotations

from playwright.sync_api import expect

PRIYA = "Priya Shah, Eastvale District Council"


def join_as(phone, code: str, name: str = PRIYA) -> None:
    phone.goto(f"/w/{code}/join/")
    phone.get_by_label(name).check()
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.get_by_role("heading", name="You have joined")).to_be_visible()


def join_anonymously(phone, code: str) -> None:
    phone.goto(f"/w/{code}/join/")
    phone.get_by_label("Stay anonymous").check()
    phone.get_by_label("Your role", exact=True).select_option(label="Officer")
    phone.get_by_label("Your sector").select_option(label="Public sector")
    phone.get_by_label("Your part of the partnership").select_option(label="Executive")
    phone.get_by_role("button", name="Join the workshop").click()
    expect(phone.get_by_role("heading", name="You have joined")).to_be_visible()
