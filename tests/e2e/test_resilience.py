"""Nothing a resident sends is lost.

With the city's back office down, a report still gets a reference at once; it is filed exactly once when the
back office is back, and the resident is told its number on their own channel.
"""

from __future__ import annotations

import re
import sys

import pytest
import requests

from tests.e2e.test_channels import TelegramResident
from tests.fixtures.media import phone_jpeg
from tests.fixtures.processes import start_process
from tests.fixtures.stack import Stack, wait_until

pytestmark = pytest.mark.e2e


def restart_backoffice(stack: Stack) -> None:
    """Starts the back office again on the same port and database."""
    office = stack.backoffice
    port = office.root.rsplit(":", 1)[1]
    env = {
        "DATABASE_URL": office.database_url, "BACKOFFICE_HOST": "127.0.0.1", "BACKOFFICE_PORT": port,
        "BACKOFFICE_PUBLIC_URL": office.root, "BACKOFFICE_API_KEYS": office.api_key,
        "BACKOFFICE_MEDIA_DIR": str(office.media_dir), "BACKOFFICE_ADMIN_USER": office.staff_user,
        "BACKOFFICE_ADMIN_PASSWORD": office.staff_password,
    }  # fmt: skip
    office.process = start_process(
        "backoffice-again",
        [sys.executable, "-m", "backoffice"],
        url=office.root,
        health_url=f"{office.root}/health",
        log_dir=office.process.log_path.parent,
        env=env,
        timeout=60,
    )


def test_a_report_made_while_the_back_office_is_down_is_filed_once_when_it_returns(stack: Stack):
    resident = TelegramResident(stack)
    stack.backoffice.process.stop()
    try:
        readback = resident.send("huge pothole outside Unioninkatu 20", photo=phone_jpeg())
        assert "Shall I send it" in readback  # the city folder stands in for the back office's catalogue
        saved = resident.tap("/affirm")
        reference = re.search(r"reference (R-[A-Z0-9]{6})", saved)
        assert reference, saved
    finally:
        restart_backoffice(stack)

    def told_number() -> list[str]:
        texts = [str(c.get("text")) for c in resident._sent()]
        return [t for t in texts if reference.group(1) in t and "reached the city" in t]

    told = wait_until(told_number, timeout=60)
    number = re.search(r"number is (\d+)", told[0]).group(1)
    matching = [r for r in requests.get(f"{stack.backoffice.url}requests.json", timeout=10).json()
                if r.get("address") == "Unioninkatu 20"]  # fmt: skip
    assert [r["service_request_id"] for r in matching] == [number]  # filed exactly once
    assert f"Report {number}" in resident.send(f"what's the status of {number}?")
