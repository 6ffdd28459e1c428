"""docker-compose.yml describes the same services `make run` starts, with settings from the environment."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from bot.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_every_service_of_make_run_is_described():
    services = compose()["services"]
    assert {"backoffice", "actions", "rasa", "worker", "redis"} <= set(services)
    assert "rasa_sdk" in services["actions"]["command"] and "backoffice" in services["backoffice"]["command"]
    assert services["rasa"]["command"][:2] == ["rasa", "run"]


def test_only_rasa_is_published_and_no_secret_is_written_down():
    services = compose()["services"]
    assert [name for name, s in services.items() if s.get("ports")] == ["rasa"]
    text = COMPOSE.read_text()
    assert not re.search(r"(TOKEN|SECRET|PASSWORD|API_KEY)S?:\s*['\"]?[A-Za-z0-9]{8,}", text)
    assert "${RASA_TOKEN:?" in text  # refuses to start without a token rather than run an open API


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True, check=False).returncode != 0,
    reason="the docker compose plugin is not installed here",
)
def test_docker_compose_accepts_the_file(tmp_path):
    env = tmp_path / ".env"
    env.write_text("RASA_TOKEN=x\n")
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "--env-file", str(env), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stderr
