"""A dataset's published bodies (JSON and CSV) for one version, computed once and kept in
Django's shared cache: the first request of a version computes it, or the hourly job does before
anyone asks (tasks.py), so the first caller after midnight does not wait on a county's ledgers."""

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
from typing import Any

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from . import figures
from .models import PUBLISHERS, Publication

API_VERSION = "v1"
# A version's bodies outlive the day they are current, so a request just after midnight still
# finds yesterday's while today's is computed by the first request that asks.
SNAPSHOT_SECONDS = 2 * 24 * 3600
# How long a computation may hold the others off before one of them starts its own.
COMPUTE_SECONDS = 15 * 60


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


FORMATS = ("json", "csv")


def _key(pub: Publication, dataset: figures.Dataset, cut: dt.datetime, fmt: str) -> str:
    # The publication's own changes (its county) make a new key.
    return (
        f"opendata:{API_VERSION}:{pub.organization_id}:{dataset.slug}:"
        f"{figures.version_of(cut)}:{int(pub.changed_at.timestamp())}:{fmt}"
    )


def _bodies(pub: Publication, dataset: figures.Dataset, cut: dt.datetime) -> dict[str, bytes]:
    rows = figures.rows(dataset, figures.Context(pub, cut))
    columns = dataset.all_columns
    document = {
        "dataset": dataset.slug,
        "organization": {"id": pub.organization_id, "name": pub.organization.name},
        "version": figures.version_of(cut),
        "as_of": cut.isoformat(),
        "suppressed_below": figures.SUPPRESS_BELOW,
        "columns": [{"name": c.name, "hxl": c.hxl} for c in columns],
        "rows": rows,
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    writer.writerow([c.hxl for c in columns])  # the HXL hashtag row, under the header
    for row in rows:
        writer.writerow(
            [
                figures.SUPPRESSED_TEXT if c.name in row["suppressed"] else row[c.name]
                for c in columns
            ]
        )
    return {
        "json": json.dumps(document, ensure_ascii=False, cls=DjangoJSONEncoder).encode(),
        "csv": out.getvalue().encode("utf-8-sig"),  # Excel reads Chinese text only with the BOM
    }


def snapshot(
    pub: Publication, dataset: figures.Dataset, cut: dt.datetime, fmt: str
) -> dict[str, Any]:
    """The dataset's body in `fmt` for the version `cut` names, gzipped (a county's day-by-day
    figures run to megabytes, a tenth of that compressed: what each request reads from the cache
    and most clients take as is), with its ETag and when it was computed: from the shared cache,
    or computed once (both formats) and put there."""
    snap = cache.get(_key(pub, dataset, cut, fmt))
    if snap is not None:
        return snap
    # One worker computes a new version (a county's passages take a while); the others answer
    # meanwhile with the previous version if it is still kept, rather than all computing at once.
    lock = _key(pub, dataset, cut, "computing")
    if not cache.add(lock, 1, COMPUTE_SECONDS):
        previous = cache.get(_key(pub, dataset, cut - dt.timedelta(days=1), fmt))
        if previous is not None:
            return previous
    try:
        generated = timezone.now().replace(microsecond=0)
        snaps = {
            f: {
                "gzip": gzip.compress(body, compresslevel=6, mtime=0),
                "etag": etag(body),
                "generated_at": generated,
            }
            for f, body in _bodies(pub, dataset, cut).items()
        }
        cache.set_many({_key(pub, dataset, cut, f): v for f, v in snaps.items()}, SNAPSHOT_SECONDS)
    finally:
        cache.delete(lock)
    return snaps[fmt]


def publish_all(now: dt.datetime | None = None) -> int:
    """Computes the current version of every dataset of every publishing organization that is
    not in the cache yet; returns how many datasets were looked at."""
    cut = figures.as_of(now)
    n = 0
    pubs = Publication.objects.open().filter(organization__kind__in=PUBLISHERS)
    for pub in pubs.select_related("organization"):
        for dataset in figures.DATASETS.values():
            snapshot(pub, dataset, cut, "json")
            n += 1
    return n
