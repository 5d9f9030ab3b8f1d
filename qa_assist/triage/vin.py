"""Vehicle identification numbers: structure and the position-9 check digit.

ISO 3779 leaves the check digit optional, but North America (49 CFR 565) and China
(GB 16735) require it, so for VINs from those regions a wrong check digit means a typo.
"""

from __future__ import annotations

VIN_LENGTH = 17
VIN_ALPHABET = frozenset("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")  # I, O and Q are never used

# Letter values of the check-digit transliteration (digits stand for themselves).
_TRANSLITERATION: dict[str, int] = {
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
    **{str(digit): digit for digit in range(10)},
}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

# First characters of world manufacturer identifiers whose regulators require the check digit:
# 1-5 North America, L China.
_CHECK_DIGIT_REGIONS = frozenset("12345L")


def check_digit(vin: str) -> str:
    """The check digit (``0``-``9`` or ``X``) that position 9 of ``vin`` must hold.

    ``vin`` must be 17 characters of the VIN alphabet; its own position 9 is ignored.
    """
    vin = vin.upper()
    if len(vin) != VIN_LENGTH or not set(vin) <= VIN_ALPHABET:
        raise ValueError(f"not a 17-character VIN: {vin!r}")
    total = sum(_TRANSLITERATION[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def has_vin_shape(candidate: str) -> bool:
    """Whether a 17-character run looks like a VIN rather than some other code or number.

    Besides the alphabet we require a letter (a run of 17 digits is an order or ID number)
    and four trailing digits: both ISO 3779 (for volume makers) and GB 16735 make the last
    four characters of the serial numeric.
    """
    candidate = candidate.upper()
    return (
        len(candidate) == VIN_LENGTH
        and set(candidate) <= VIN_ALPHABET
        and any(char.isalpha() for char in candidate)
        and candidate[-4:].isdigit()
    )


def is_valid_vin(vin: str) -> bool:
    """Whether ``vin`` has a VIN's shape and a correct check digit at position 9."""
    return has_vin_shape(vin) and vin.upper()[8] == check_digit(vin)


def check_digit_required(vin: str) -> bool:
    """Whether the issuing region mandates the check digit (North America, China)."""
    return bool(vin) and vin[0].upper() in _CHECK_DIGIT_REGIONS


def with_check_digit(vin: str) -> str:
    """``vin`` with position 9 replaced by its correct check digit (for tests and generators)."""
    vin = vin.upper()
    return vin[:8] + check_digit(vin) + vin[9:]
