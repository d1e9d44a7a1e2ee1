"""An organization admin in a real browser: creates a colleague, then deactivates them after
confirming."""

import pytest

from gongke.accounts.models import User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

GOOD = "Qingyuan-duty-2026!"


def test_an_admin_creates_and_then_deactivates_a_colleague(cast, live_server, signed_in, query):
    page = signed_in("admin_a", cast.password)

    page.goto(f"{live_server.url}/accounts/users/new/")
    page.fill("input[name=username]", "zhang_wei")
    page.fill("input[name=display_name]", "张伟")
    page.select_option("select[name=organization]", str(cast.a1.pk))
    page.select_option("select[name=role]", "reporter")
    page.fill("input[name=password1]", GOOD)
    page.fill("input[name=password2]", GOOD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/accounts/users/*/")
    user = query(lambda: User.objects.get(username="zhang_wei"))

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("button.danger")
    assert questions and query(
        lambda: User.objects.get(pk=user.pk).is_active
    )  # said no: nothing happened
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button.danger")
    page.wait_for_selector(".messages li.success")
    assert not query(lambda: User.objects.get(pk=user.pk).is_active)
