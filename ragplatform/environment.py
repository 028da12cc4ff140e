"""The environment as the settings read it: `.env` under the real environment, parsed strictly.

Nothing here writes ``os.environ``: `.env` is read into a dict, so its values reach a child
process only when its own settings read the same file or an entry point passes them on.
A malformed value raises InvalidEnvironmentValue naming the variable and what it accepts,
instead of silently becoming a default.
"""

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv import dotenv_values

BASE_DIR = Path(__file__).resolve().parent.parent
RAG_ENVS = ("local", "production")
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


class InvalidEnvironmentValue(ImproperlyConfigured):
    """An environment variable holds a value its setting cannot take."""

    def __init__(self, name: str, raw: str, expected: str) -> None:
        super().__init__(f"{name}={raw!r} is not valid: expected {expected}.")
        self.name = name


def env_file_path(environ: Mapping[str, str]) -> Path:
    """The `.env` file to read: RAG_ENV_FILE, else `.env` in the checkout."""
    return Path(environ.get("RAG_ENV_FILE") or BASE_DIR / ".env")


def data_dir_path(env: Mapping[str, str]) -> Path:
    """Where local data lives (embedded PostgreSQL, uploaded files): RAG_DATA_DIR, else `.data/`."""
    return Path(env.get("RAG_DATA_DIR") or BASE_DIR / ".data")


def read_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """`.env`'s values overlaid by ``environ`` (the real environment wins); writes nothing."""
    path = env_file_path(environ)
    from_file = dotenv_values(path) if path.is_file() else {}
    return {**{k: v for k, v in from_file.items() if v is not None}, **environ}


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    """true/false, 1/0, yes/no, on/off (any case); unset or empty is ``default``."""
    value = (raw or "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidEnvironmentValue(name, raw or "", "one of " + ", ".join(_TRUE + _FALSE))


def parse_int(
    name: str,
    raw: str | None,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """A whole number within [minimum, maximum]; unset or empty is ``default``."""
    value = (raw or "").strip()
    if not value:
        return default
    try:
        number = int(value, 10)
    except ValueError:
        number = None
    if number is None or not _in_range(number, minimum, maximum):
        raise InvalidEnvironmentValue(name, raw or "", "an integer" + _range_text(minimum, maximum))
    return number


def parse_float(name: str, raw: str | None, default: float, *, minimum: float = 0.0) -> float:
    """A finite number of at least ``minimum``; unset or empty is ``default``."""
    value = (raw or "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = None
    # float() also reads "nan" and "inf"; neither is a usable timeout or budget.
    if number is None or not math.isfinite(number) or number < minimum:
        raise InvalidEnvironmentValue(name, raw or "", f"a number of at least {minimum:g}")
    return number


def parse_list(name: str, raw: str | None, default: str = "") -> list[str]:
    """Comma-separated items (spaces around commas allowed, empty items dropped)."""
    items = [item.strip() for item in (default if raw is None else raw).split(",")]
    # Hosts and origins never contain spaces: "a b" is a list written without its comma.
    if any(" " in item or "\t" in item for item in items):
        raise InvalidEnvironmentValue(name, raw or "", "a comma-separated list, e.g. a,b")
    return [item for item in items if item]


def parse_choice(name: str, raw: str | None, default: str, choices: Iterable[str]) -> str:
    """One of ``choices`` (compared without case); unset or empty is ``default``."""
    allowed = tuple(choices)
    value = (raw or "").strip()
    if not value:
        return default
    for choice in allowed:
        if value.lower() == choice.lower():
            return choice
    raise InvalidEnvironmentValue(name, raw or "", "one of " + ", ".join(allowed))


def _in_range(number: int, minimum: int | None, maximum: int | None) -> bool:
    return (minimum is None or number >= minimum) and (maximum is None or number <= maximum)


def _range_text(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f" from {minimum} to {maximum}"
    if minimum is not None:
        return f" of at least {minimum}"
    if maximum is not None:
        return f" of at most {maximum}"
    return ""
