"""Pytest's entry point (`-p tests.startup` in pyproject.toml), run before pytest-django reads
the settings: the suite never reads the developer's `.env`, and gets a database server."""

import os

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    # `make run` writes its generated secrets to .env; a suite that read them (or any other
    # local choice there) would pass or fail by the checkout's history. An explicit
    # RAG_ENV_FILE still wins, and the subprocesses the tests start inherit the choice.
    os.environ.setdefault("RAG_ENV_FILE", os.devnull)
    from ragplatform.startup import prepare_process

    prepare_process()  # the embedded PostgreSQL unless DATABASE_URL is set
    return (yield)
