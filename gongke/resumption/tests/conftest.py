import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard caches closed days; ids are reused between tests, so start each clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
