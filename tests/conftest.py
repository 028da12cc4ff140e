"""The suite's base: a loopback-only network and the fake servers (tests.fakes.fixtures);
tenant A with the neighbour beside it, tenant B, their keys and clients
(tests.fixtures.tenants); media in a temporary directory and PDF ingestion
(tests.fixtures.documents). The neighbour's data is there to be leaked."""

import os

import pytest

pytest_plugins = [
    "tests.fakes.fixtures",
    "tests.fixtures.tenants",
    "tests.fixtures.documents",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """A test database per pytest process, so parallel runs on one server never collide."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"test_rag_{os.getpid()}"
    # Live-server threads must not keep connections open, or the test database can't be dropped.
    database["CONN_MAX_AGE"] = 0
