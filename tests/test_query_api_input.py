"""POST /api/v1/query input errors: clear JSON 4xx, and a failed run is never a stack trace."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_query_needs_a_key(db):
    assert APIClient().post("/api/v1/query", {"question": "x"}, format="json").status_code == 401


@pytest.mark.parametrize("body", [{}, {"question": ""}, {"question": "   "}])
def test_empty_question_is_400(client_a, body):
    response = client_a.post("/api/v1/query", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid_request", "invalid_question"}


def test_overlong_question_is_400(client_a, settings):
    settings.QUESTION_MAX_CHARS = 50
    response = client_a.post("/api/v1/query", {"question": "x" * 51}, format="json")
    assert response.status_code == 400
    assert "limit is 50" in response.json()["error"]["message"]


def test_malformed_json_is_400(client_a):
    response = client_a.post("/api/v1/query", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
