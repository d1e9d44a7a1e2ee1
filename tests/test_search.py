"""Names are found in either script and by pinyin (full or initials)."""

import pytest

from gongke.registry.models import Organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["京博集团", "京博集團", "jbjt", "JBJT", "jingbo", "京博"])
def test_it_finds_a_member_however_the_name_is_typed(cast, query):
    assert list(Organization.objects.search(query).values_list("name", flat=True)) == ["京博集团"]


def test_the_list_page_searches_by_initials(cast, client_for):
    page = client_for(cast.admin_a).get("/registry/", {"q": "jbjt"})
    assert "京博集团" in page.content.decode()
