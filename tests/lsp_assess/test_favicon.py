"""The site's icon at /favicon.ico (lsp_assess.views.favicon), drawn by
scripts/make_favicon.py, and named by every page."""

from __future__ import annotations

from io import BytesIO

from django.urls import reverse
from PIL import Image


def test_the_icon_is_served_where_browsers_look_for_it_unasked(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "max-age=86400" in response["Cache-Control"]
    icon = Image.open(BytesIO(b"".join(response.streaming_content)))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= icon.info["sizes"]
    assert "sessionid" not in response.cookies


def test_the_icon_refuses_writes(client, db):
    assert client.post("/favicon.ico").status_code == 405


def test_every_page_names_its_icons(client, db):
    page = client.get(reverse("home")).content.decode()
    assert f'<link rel="icon" href="{reverse("favicon")}"' in page
    assert 'href="/static/img/favicon.svg" type="image/svg+xml"' in page
