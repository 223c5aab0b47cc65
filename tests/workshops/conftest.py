"""Fixtures the tests of live workshops share."""

from __future__ import annotations

import pytest

from tests.conftest import Cast, make_workshop
from workshops.models import Workshop


@pytest.fixture
def workshop(cast: Cast, assessment) -> Workshop:
    return make_workshop(cast, assessment)
