"""House-number lookups: exact, with or without a letter, the nearest existing number, and reverse."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.geo.text import split_number
from citydata.folder import Address
from citydata.geometry import LocalProjection

EXACT = 1.0
LETTER_ADDED = 0.9  # "Mannerheimintie 5" when only 5 A and 5 B exist
LETTER_DROPPED = 0.85  # "Mannerheimintie 5 C" when only 5 exists
INTERPOLATED = 0.8  # an unknown number between two known ones on the same side, placed between them
MAX_GAP = 20  # further apart than this, two known numbers say little about where the ones between are
NEAREST_BEST = 0.65  # an unknown number beyond the known ones: near the nearest existing one, at best
NEAREST_FLOOR = 0.4


@dataclass(frozen=True)
class AddressHit:
    """An address found for what was asked, and how sure we are that it is the one meant."""

    address: Address
    score: float
    exact: bool
    near: bool = False  # the number asked for is not known: the place is near this address, not at it


def _key(number: str) -> str:
    return number.replace(" ", "").upper()


class AddressBook:
    """Addresses by street and by position."""

    def __init__(self, addresses: tuple[Address, ...], projection: LocalProjection) -> None:
        self._projection = projection
        self._by_street: dict[str, dict[str, Address]] = {}
        self._numbers: dict[str, list[tuple[int, str, Address]]] = {}
        for address in addresses:
            self._by_street.setdefault(address.street, {}).setdefault(_key(address.housenumber), address)
            value, letter = split_number(_key(address.housenumber))
            self._numbers.setdefault(address.street, []).append((value, letter, address))
        for numbers in self._numbers.values():
            numbers.sort(key=lambda item: (item[0], item[1], item[2].housenumber))
        self._all = addresses
        xy = [projection.to_xy(a.lat, a.lon) for a in addresses]
        self._xy = np.array(xy, dtype=float).reshape(-1, 2)

    def lookup(self, street: str, number: str) -> AddressHit | None:
        """The address for a house number token ("5", "5a", "14-20") on a street.

        Exact numbers win; then the same number with a letter added or dropped; then the nearest existing
        number, preferring the same side of the street (same parity), at a lower score the further it is.
        """
        known = self._by_street.get(street)
        if not known:
            return None
        key = _key(number)
        if key in known:
            return AddressHit(known[key], EXACT, True)
        value, letter = split_number(key)
        same = [a for v, _l, a in self._numbers[street] if v == value]
        if same:
            plain = known.get(str(value))
            if letter and plain is not None:
                return AddressHit(plain, LETTER_DROPPED, False)
            return AddressHit(same[0], LETTER_ADDED if not letter else LETTER_DROPPED, False)
        return self._nearest_number(street, value)

    def _nearest_number(self, street: str, value: int) -> AddressHit | None:
        """An unknown number: between its known neighbours on the same side, or near the nearest one."""
        candidates = self._numbers[street]
        if not candidates:
            return None
        same_side = [(v, a) for v, _letter, a in candidates if v % 2 == value % 2]
        below = [(v, a) for v, a in same_side if v < value]
        above = [(v, a) for v, a in same_side if v > value]
        if below and above:
            (low, a), (high, b) = below[-1], above[0]
            if high - low <= MAX_GAP:
                share = (value - low) / (high - low)
                lat, lon = a.lat + share * (b.lat - a.lat), a.lon + share * (b.lon - a.lon)
                return AddressHit(Address(street, str(value), lat, lon), INTERPOLATED, False)

        def rank(item: tuple[int, str, Address]) -> tuple[int, int, int, str]:
            other, letter, _address = item
            return (
                abs(other - value) if other % 2 == value % 2 else abs(other - value) + 1000,
                other,
                0,
                letter,
            )

        best_value, _letter, best = min(candidates, key=rank)
        score = max(NEAREST_FLOOR, NEAREST_BEST - 0.01 * abs(best_value - value))
        return AddressHit(best, score, False, near=True)

    def middle(self, street: str) -> Address | None:
        """The middle address of a street by number (a stand-in point for a street with no geometry)."""
        numbers = self._numbers.get(street)
        return numbers[len(numbers) // 2][2] if numbers else None

    def nearest(self, lat: float, lon: float) -> tuple[Address, float] | None:
        """The address closest to a point and its distance in metres (None for an empty book)."""
        if not len(self._all):
            return None
        x, y = self._projection.to_xy(lat, lon)
        d2 = (self._xy[:, 0] - x) ** 2 + (self._xy[:, 1] - y) ** 2
        index = int(np.argmin(d2))
        return self._all[index], float(np.sqrt(d2[index]))
