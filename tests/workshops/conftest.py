"""Fixtures the tests of live workshops share."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.builders import make_workshop
from tests.conftest import Cast
from workshops.models import Workshop


@pytest.fixture
def workshop(cast: Cast, assessment) -> Workshop:
    return make_workshop(cast, assessment)


@pytest.fixture
def facilitator(cast: Cast) -> Client:
    """The cast's facilitator, signed in."""
    client = Client()
    client.force_login(cast.facilitator)
    return client
