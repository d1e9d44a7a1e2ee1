"""Each role's home leads with its own work."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_guard_sees_the_duty_panels_not_the_register(cast, client_for):
    page = client_for(cast.guard_a).get("/").content.decode()
    assert "/registry/?kind=chamber" not in page
    assert "/resumption/" not in page.split("</header>")[1]


def test_a_reporter_sees_the_days_report(cast, client_for):
    page = client_for(cast.reporter_a1).get("/").content.decode()
    assert "/registry/?kind=chamber" not in page
    assert "/resumption/" in page.split("</header>")[1]


def test_an_admin_sees_the_register_and_every_panel(cast, client_for):
    page = client_for(cast.admin_a).get("/").content.decode()
    assert "/registry/?kind=chamber" in page
    assert "/resumption/" in page.split("</header>")[1]
    assert "/donations/" in page.split("</header>")[1]
