"""Conversation tests with Rasa's own runner (`rasa test core`): the report, status, correction, cancel and
clarifying-question paths in tests/conversations/ must be predicted turn by turn, and `rasa data validate`
must find nothing wrong with the training data."""

from __future__ import annotations

import subprocess

import pytest

from tests.fixtures.processes import PROJECT_ROOT, VENV_BIN
from tests.fixtures.stack import MODEL


def rasa(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "rasa"), *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_training_data_is_valid():
    result = rasa(
        "data", "validate", "--data", "nlu_data", "--domain", "domain.yml", "--config", "config.yml",
        "--fail-on-warnings",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_conversation_stories_are_followed(tmp_path):
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it first)")
    result = rasa("test", "core", "--model", str(MODEL), "--stories", "tests/conversations",
                  "--out", str(tmp_path), "--fail-on-prediction-errors")  # fmt: skip
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, details + result.stdout[-2000:] + result.stderr[-2000:]
