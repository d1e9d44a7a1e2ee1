"""Exports a spreadsheet opens safely: a name or note written like a formula stays text."""

import csv
import io

from django.urls import reverse

from gongke.donations import services
from gongke.donations.models import DonorKind, Nature


def test_a_csv_export_never_hands_a_formula_to_the_spreadsheet(cast, client_for):
    donor = services.find_or_create_donor(
        user=cast.admin_a,
        organization=cast.chamber_a,
        kind=DonorKind.INDIVIDUAL,
        name='=HYPERLINK("http://example.invalid","点我")',
    )
    services.record_gift(
        user=cast.admin_a,
        organization=cast.chamber_a,
        donor=donor,
        nature=Nature.MONEY,
        value="100",
        note="+1 备注",
    )
    client = client_for(cast.admin_a)
    for url in (reverse("donations:gifts"), reverse("donations:donors")):
        response = client.get(url, {"export": "csv"})
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        cells = [cell for row in rows[1:] for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@")], cells
        assert '\'=HYPERLINK("http://example.invalid","点我")' in cells
