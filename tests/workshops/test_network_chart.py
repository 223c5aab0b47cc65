"""The network map (workshops/reporting/network_chart.py): drawn the same way every time,
every organisation labelled, sector shown by shape as well as colour."""

from __future__ import annotations

import re

import pytest

from tests.builders import make_assessment
from tests.workshops.network_shapes import clusters, star
from workshops.reporting.network_chart import network_map
from workshops.services.network import network_for


@pytest.mark.django_db
def test_the_same_network_gives_the_same_svg_bytes(cast, bank):
    assessment = make_assessment(cast)
    clusters(assessment)

    first = network_map(network_for(assessment, min_group=1))
    second = network_map(network_for(assessment, min_group=1))

    assert first.encode() == second.encode()
    assert "<svg" in first and "http://purl.org" not in first  # no metadata with dates


@pytest.mark.django_db
def test_each_organisation_is_labelled_and_its_sector_named_in_the_key(cast, bank):
    assessment = make_assessment(cast)
    star(assessment)

    svg = network_map(network_for(assessment, min_group=1))

    for label in ("Fire service", "Food bank", "Youth club", "Chamber of commerce"):
        assert f">{label}<" in svg
    for key in ("Public sector (circle)", "Private sector (square)", "Third sector (triangle)"):
        assert f">{key}<" in svg
    assert len(re.findall(r'id="tie-\d+-\d+"', svg)) == 4
    assert len(re.findall(r'id="organisation-\d+"', svg)) == 5


@pytest.mark.django_db
def test_without_a_network_it_says_why(cast, bank):
    assessment = make_assessment(cast)

    svg = network_map(network_for(assessment, min_group=1))

    assert "This assessment did not ask" in svg
