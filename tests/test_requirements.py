"""The lock installs on any machine: registry pins only, and the Dockerfile installs from the same lock."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "scripts" / "check_requirements.py"
REQUIREMENT_FILE = re.compile(r"(^|/)(requirements[^/]*\.(txt|lock|in)|[^/]*\.lock|constraints[^/]*\.txt)$")


def tracked_requirement_files() -> list[str]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [name for name in files.splitlines() if REQUIREMENT_FILE.search(name)]


def check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECK), str(path)], capture_output=True, text=True)


def test_the_project_has_a_lock_and_its_input():
    assert {"requirements.lock", "requirements.in"} <= set(tracked_requirement_files())


@pytest.mark.parametrize("name", tracked_requirement_files())
def test_every_tracked_requirements_file_names_registry_packages_only(name):
    result = check(ROOT / name)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "line",
    [
        # What `pip freeze` wrote for wheels installed from a local folder: the bug that stopped new machines.
        "Flask @ file:///tmp/dl/flask-3.1.3-py3-none-any.whl#sha256=f4bcbefc",
        # A direct reference to a URL installs only while that host serves it.
        "waitress @ https://example.org/waitress-3.0.2-py3-none-any.whl",
        # VCS references, with and without a name.
        "rasa @ git+https://github.com/RasaHQ/rasa@3.6.21",
        "git+https://github.com/RasaHQ/rasa@3.6.21#egg=rasa",
        # Editable installs of a checkout.
        "-e ./vendor/rasa",
        "--editable git+https://github.com/RasaHQ/rasa",
        # A wheel or sdist named by path, relative, absolute or home-relative.
        "./wheels/rapidfuzz-3.14.5-cp310-cp310-manylinux_2_28_x86_64.whl",
        "/opt/wheels/RapidFuzz-3.14.5.tar.gz",
        "~/dl/waitress-3.0.2-py3-none-any.whl",
        # A bare file: URL.
        "file:///root/dl/flask-3.1.3-py3-none-any.whl",
        # Options that send pip to another index or folder.
        "--find-links /tmp/dl",
        "--extra-index-url http://127.0.0.1:8080/simple",
        # In a lock, a range is not a pin.
        "pytest<8",
        "requests",
    ],
)
def test_a_lock_line_that_installs_only_on_one_machine_is_refused(tmp_path, line):
    lock = tmp_path / "requirements.lock"
    lock.write_text(f"# header\nrasa==3.6.21\n{line}\n", encoding="utf-8")
    result = check(lock)
    assert result.returncode == 1
    assert "requirements.lock:3:" in result.stderr
    assert "rasa==3.6.21" not in result.stderr


@pytest.mark.parametrize(
    "line",
    [
        "Flask==3.1.3",  # the plain pin
        # hashes
        "RapidFuzz==3.14.5 --hash=sha256:dfa552338f51aec280f17b02d28bace1e162d1a84ccd80e3339a57f98aedb56b",
        "ruamel.yaml.clib==0.2.15",  # dots in names
        "APScheduler==3.9.1.post1  # comment after a pin",
        "tomli==2.5.0 ; python_version < '3.11'",  # an environment marker
    ],
)
def test_registry_pins_pass_in_a_lock(tmp_path, line):
    lock = tmp_path / "requirements.lock"
    lock.write_text(line + "\n", encoding="utf-8")
    assert check(lock).returncode == 0


def test_an_input_file_may_use_ranges_but_not_paths(tmp_path):
    good = tmp_path / "requirements.in"
    good.write_text("rasa==3.6.21\npytest<8\npackaging<21,>=20\nalembic\nrasa[transformers]==3.6.21\n")
    assert check(good).returncode == 0
    good.write_text("alembic\nFlask @ file:///tmp/dl/flask.whl\n")
    assert check(good).returncode == 1


def dockerfile_pip_installs() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [m.group(0) for m in re.finditer(r"pip install[^&\n]*", text)]


def test_the_dockerfile_installs_exactly_the_lock_and_checks_it():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copy_lock = text.index("COPY requirements.lock")
    installs = dockerfile_pip_installs()
    assert any("--no-deps" in cmd and "-r requirements.lock" in cmd for cmd in installs)
    assert "scripts/pip_check.py requirements-nodeps.in" in text
    # The lock is copied and installed before the sources, so a source change reuses the installed layer.
    assert copy_lock < text.index("-r requirements.lock") < text.index("COPY . .")


def test_the_dockerfile_installs_nothing_beside_the_lock():
    for cmd in dockerfile_pip_installs():
        names_lock = "requirements.lock" in cmd
        assert names_lock, f"Dockerfile installs something that is not in the lock: {cmd}"


def test_weights_only_packages_are_in_the_lock():
    """What requirements-nodeps.in installs without dependencies is pinned in the lock too."""
    lock = {line.split("==")[0].lower() for line in (ROOT / "requirements.lock").read_text().splitlines()}
    for line in (ROOT / "requirements-nodeps.in").read_text().splitlines():
        name = line.split("#", 1)[0].strip().split("==")[0].lower()
        if name:
            assert name in lock, name
