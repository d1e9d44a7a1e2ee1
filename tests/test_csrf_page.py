"""A refused CSRF token (a form left open overnight) answers the styled page in the user's
language, not Django's bare English one."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_expired_form_answers_a_page_in_the_users_language(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff_a)
    r = client.post("/registry/people/new/", {"name": "x"})
    assert r.status_code == 403
    text = r.content.decode()
    assert 'data-testid="error-403-csrf"' in text
    assert "表单已过期" in text
