"""Services and their questions: from the back office, with the city folder's hints and as fallback."""

from __future__ import annotations

from bot.catalogue.services import ServiceCatalogue
from bot.open311 import Open311Client
from citydata.catalogue import load_catalogue
from tests.fixtures.city import DEMO_CITY

CITY = load_catalogue(DEMO_CITY / "services.yml")


def test_questions_come_from_the_back_office_with_the_citys_hints(shared_backoffice):
    catalogue = ServiceCatalogue(Open311Client(shared_backoffice.url, timeout=5), CITY)
    questions = catalogue.questions("streetlight")
    assert [q.code for q in questions] == ["light_problem", "pole_number"]
    assert "flickering" in questions[0].values[1].hints  # hints are the city's, not Open311's
    assert catalogue.name("pothole") == "Pothole or damaged road"
    assert len(catalogue.services()) == 21


def test_with_the_back_office_down_the_city_folder_keeps_reports_possible(fake_open311):
    fake_open311.set_route(
        "GET", "services.json", status=502, body="<html>bad gateway</html>", content_type="text/html"
    )
    fake_open311.set_route(
        "GET", "services/tree.json", status=502, body="<html>bad gateway</html>", content_type="text/html"
    )
    catalogue = ServiceCatalogue(Open311Client(fake_open311.url, timeout=1), CITY)
    assert catalogue.is_known("tree")
    assert [q.code for q in catalogue.questions("tree")] == ["tree_problem"]


def test_answers_are_cached_for_a_while(fake_open311):
    now = [0.0]
    catalogue = ServiceCatalogue(
        Open311Client(fake_open311.url, timeout=1), CITY, ttl=60, clock=lambda: now[0]
    )
    catalogue.services()
    catalogue.services()
    now[0] = 61
    catalogue.services()
    gets = [r for r in fake_open311.received if r.path == "services.json"]
    assert len(gets) == 2
