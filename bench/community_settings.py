"""Settings for the community benchmarks: the real settings plus a floor view (bench/community_urls.py)."""

from gongke.settings import *  # noqa: F403

ROOT_URLCONF = "bench.community_urls"
