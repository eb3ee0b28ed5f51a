"""What counts as a number in a command's MW, price or count field.

Commands arrive as JSON values: ``True`` is an ``int`` to Python and ``NaN``
or ``inf`` are floats, but none of them is a quantity a participant can
submit, so every module checks fields with this one rule.
"""

from __future__ import annotations

import math


def is_finite_number(value: object) -> bool:
    """True for an int or float that is not a bool, NaN or infinite."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
