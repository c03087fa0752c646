"""Settings read from the environment, loudly.

Each helper returns the typed value of one variable, its default when the variable is unset or
empty, and otherwise refuses with ``ImproperlyConfigured`` naming the variable and the value it
could not read: ``SIGN_IN_FAILURE_LIMIT=1o`` or ``DJANGO_DEBUG=ture`` stop the process at start-up
instead of crashing in a bare ``int()`` or being read as "false". URLs are never echoed whole,
since they may carry a password. No Django settings are touched here, so the launcher and
gunicorn's config may use these helpers before Django is set up.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
# A rate as Django REST framework's throttles and neuralnotes.signup read it: a count, a slash,
# and a period of which only the first letter counts ("10/minute", "60/m").
RATE = re.compile(r"^(\d+)/(s|sec|second|m|min|minute|h|hour|d|day)$")


def _value(name: str) -> str | None:
    """The variable's text, stripped; None when unset or empty (both mean "use the default")."""
    value = os.environ.get(name, "").strip()
    return value or None


def _refuse(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name} must be {expected}, not {value!r}.")


def _bounds(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" of at least {minimum}"
    if maximum is not None:
        return f" of at most {maximum}"
    return ""


def env_str(name: str, default: str = "") -> str:
    """The variable as it is written (secrets keep their spaces); ``default`` when unset or
    empty."""
    return os.environ.get(name) or default


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """A whole number, within ``minimum``..``maximum`` (inclusive) when given."""
    value = _value(name)
    if value is None:
        return default
    expected = "a whole number" + _bounds(minimum, maximum)
    try:
        number = int(value)
    except ValueError:
        raise _refuse(name, value, expected) from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise _refuse(name, value, expected)
    return number


def env_float(
    name: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """A finite number, within ``minimum``..``maximum`` (inclusive) when given."""
    value = _value(name)
    if value is None:
        return default
    expected = "a number" + _bounds(minimum, maximum)
    try:
        number = float(value)
    except ValueError:
        raise _refuse(name, value, expected) from None
    if not math.isfinite(number):
        raise _refuse(name, value, expected)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise _refuse(name, value, expected)
    return number


def env_bool(name: str, default: bool = False) -> bool:
    """1/true/yes/on or 0/false/no/off, in any case; anything else is refused, not read as
    false."""
    value = _value(name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise _refuse(name, value, "one of " + "/".join(TRUE_WORDS + FALSE_WORDS))


def env_list(name: str, default: list[str]) -> list[str]:
    """Comma-separated items, blanks dropped. Set but empty is the empty list, not the
    default (``CSRF_TRUSTED_ORIGINS=`` trusts none)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    return Path(_value(name) or default)


def env_choice(name: str, default: str, choices: Collection[str]) -> str:
    """One of ``choices``, compared without regard to case; returned as spelled in
    ``choices``."""
    value = _value(name)
    if value is None:
        return default
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    words = [str(choice) for choice in choices]
    raise _refuse(name, value, ", ".join(words[:-1]) + " or " + words[-1])


def env_rate(name: str, default: str) -> str:
    """A request rate, ``N/second|minute|hour|day`` (``s``, ``m``, ``h``, ``d`` for short)."""
    value = _value(name)
    if value is None:
        return default
    if not RATE.match(value.replace(" ", "").lower()):
        raise _refuse(name, value, "a rate such as 10/minute (per second, minute, hour or day)")
    return value.replace(" ", "").lower()


def env_url(name: str, default: str = "", *, schemes: Collection[str]) -> str:
    """A URL whose scheme is one of ``schemes``; a refusal names the scheme only, as the rest
    may hold a password."""
    value = _value(name)
    if value is None:
        return default
    scheme = urlsplit(value).scheme.lower() if "://" in value else ""
    if scheme not in schemes:
        shown = f"a URL starting {scheme}://" if scheme else "a value that is not a URL"
        raise ImproperlyConfigured(
            f"{name} must be a URL starting {' or '.join(f'{s}://' for s in schemes)}, not {shown}."
        )
    return value
