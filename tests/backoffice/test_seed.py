"""Seeding the catalogue (backoffice/seed.py): idempotent, updates in place, retires what left the file."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select

from backoffice.db import make_engine, make_sessions, migrate
from backoffice.models import Service, ServiceAttribute
from backoffice.seed import seed_catalogue, seed_from_file
from citydata.catalogue import parse_catalogue
from tests.fixtures.backoffice import PROJECT_ROOT, backoffice_test_settings, build_app, dispose_app

CATALOGUE = PROJECT_ROOT / "cities" / "helsinki" / "services.yml"


def test_seeding_twice_does_not_duplicate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    migrate(url)
    engine = make_engine(url)
    sessions = make_sessions(engine)
    for _ in range(2):
        with sessions() as session:
            assert seed_from_file(session, CATALOGUE) == 21
            session.commit()
    with sessions() as session:
        assert session.execute(select(func.count(Service.id))).scalar_one() == 21
        attributes = session.execute(select(func.count(ServiceAttribute.id))).scalar_one()
        assert attributes == sum(
            len(s.attributes) for s in parse_catalogue(yaml.safe_load(CATALOGUE.read_text()))
        )
    engine.dispose()


def test_changed_catalogue_updates_and_retires_services(tmp_path: Path) -> None:
    settings = backoffice_test_settings(tmp_path)
    app = build_app(settings)
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    pothole = next(s for s in data["services"] if s["service_code"] == "pothole")
    pothole["service_name"] = "Pothole (renamed)"
    pothole["attributes"] = [a for a in pothole["attributes"] if a["code"] == "size"]
    data["services"] = [s for s in data["services"] if s["service_code"] != "noise"]
    state = app.extensions["backoffice"]
    with state.session() as session:
        seed_catalogue(session, parse_catalogue(data))
        session.commit()
    client = app.test_client()
    services = {s["service_code"]: s for s in client.get("/open311/v2/services.json").get_json()}
    assert services["pothole"]["service_name"] == "Pothole (renamed)"
    assert "noise" not in services  # retired, not deleted
    assert client.get("/open311/v2/services/noise.json").status_code == 404
    codes = [a["code"] for a in client.get("/open311/v2/services/pothole.json").get_json()["attributes"]]
    assert codes == ["size"]
    dispose_app(app)
