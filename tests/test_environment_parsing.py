"""Malformed environment values stop the start with an error naming the variable and what it
accepts, instead of being read as false or as a default (issue 12)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ragplatform.environment import (
    InvalidEnvironmentValue,
    parse_bool,
    parse_choice,
    parse_float,
    parse_int,
    parse_list,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("TRUE", True), ("1", True), ("on", True), ("no", False), ("0", False)],
)
def test_bool_reads_the_usual_spellings(raw, expected):
    assert parse_bool("DEBUG", raw, default=not expected) is expected


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_unset_or_empty_bool_is_the_default(raw):
    assert parse_bool("DEBUG", raw, default=True) is True


def test_misspelt_bool_is_refused_with_the_accepted_values():
    with pytest.raises(InvalidEnvironmentValue) as excinfo:
        parse_bool("DEBUG", "ture", default=False)
    message = str(excinfo.value)
    assert message.startswith("DEBUG='ture' is not valid")
    assert "true" in message and "false" in message
    assert excinfo.value.name == "DEBUG"


@pytest.mark.parametrize("raw", ["80x", "8.0", "eighty", "1e3"])
def test_non_integer_is_refused(raw):
    with pytest.raises(InvalidEnvironmentValue, match=rf"^PORT='{raw}' is not valid: .*integer"):
        parse_int("PORT", raw, 8000, minimum=1, maximum=65535)


def test_integer_out_of_range_is_refused_with_the_range():
    with pytest.raises(InvalidEnvironmentValue, match="from 1 to 65535"):
        parse_int("PORT", "70000", 8000, minimum=1, maximum=65535)


def test_integer_is_read_and_unset_is_the_default():
    assert parse_int("PORT", " 8001 ", 8000, minimum=1) == 8001
    assert parse_int("PORT", None, 8000) == 8000


@pytest.mark.parametrize("raw", ["30s", "nan", "inf", "-1"])
def test_unusable_number_is_refused(raw):
    with pytest.raises(InvalidEnvironmentValue, match=r"PROVIDER_TIMEOUT_SECONDS=.*a number"):
        parse_float("PROVIDER_TIMEOUT_SECONDS", raw, 30.0)


def test_list_without_commas_is_refused():
    with pytest.raises(InvalidEnvironmentValue, match=r"ALLOWED_HOSTS=.*comma-separated"):
        parse_list("ALLOWED_HOSTS", "example.com www.example.com")


def test_list_allows_spaces_around_commas():
    assert parse_list("ALLOWED_HOSTS", " a.example , b.example,") == ["a.example", "b.example"]
    assert parse_list("ALLOWED_HOSTS", None, "127.0.0.1,localhost") == ["127.0.0.1", "localhost"]


def test_unknown_choice_is_refused_with_the_choices():
    with pytest.raises(InvalidEnvironmentValue, match="expected one of local, production"):
        parse_choice("RAG_ENV", "prod", "local", ("local", "production"))
    assert parse_choice("RAG_ENV", "Production", "local", ("local", "production")) == "production"


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("DEBUG", "ture", "DEBUG='ture' is not valid: expected one of true"),
        ("PORT", "80x", "PORT='80x' is not valid: expected an integer from 1 to 65535"),
        ("RAG_ENV", "prod", "RAG_ENV='prod' is not valid: expected one of local, production"),
    ],
)
def test_manage_py_refuses_to_start_on_a_malformed_value(name, raw, expected):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env[name] = raw
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"ragplatform: refusing to start: {expected}" in result.stderr
    assert "Traceback" not in result.stderr
