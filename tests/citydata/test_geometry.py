"""Distances on the Earth's surface: the one haversine."""

from __future__ import annotations

import pytest

from citydata.geometry import distance_m


def test_distance_m() -> None:
    assert distance_m(60.0, 24.0, 61.0, 24.0) == pytest.approx(111_195, rel=1e-3)
    assert distance_m(60.1699, 24.9384, 60.1699, 24.9384) == 0.0
