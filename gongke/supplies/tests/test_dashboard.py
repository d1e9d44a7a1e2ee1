"""The supplies dashboard: in and out per day and needs met %, within the user's reach."""

import json

from django.utils import timezone

from gongke.supplies import services


def _chart(html: str, name: str) -> dict:
    start = html.index(f'id="{name}"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def test_the_dashboard_charts_in_and_out_per_day_and_needs_met(stores, client_for):
    w = stores
    need = services.post_need(
        user=w.staff_a, organization=w.chamber_a, recipient=w.hospital, lines=[(w.n95, 1000)]
    )
    shipment = services.pack_shipment(
        user=w.staff_a, warehouse=w.main, recipient=w.hospital, lines=[(w.n95, 250)], need=need
    )
    services.send_shipment(user=w.staff_a, shipment=shipment)
    services.receive_shipment(
        user=w.staff_a,
        shipment=shipment,
        received_by="李护士长",
        received={shipment.lines.get().pk: (250, 0)},
    )
    html = client_for(w.staff_a).get("/supplies/").content.decode()
    flow = _chart(html, "chart-flow")
    today = timezone.localdate().strftime("%m-%d")
    assert flow["xAxis"]["data"][-1] == today and len(flow["xAxis"]["data"]) == 30
    assert flow["series"][0]["data"][-1] == 2400  # received today
    assert flow["series"][1]["data"][-1] == 250  # sent to the hospital
    needs = _chart(html, "chart-needs")
    assert needs["series"][0]["data"] == [25.0]
    assert 'data-chart="chart-flow"' in html

    # Another chamber's staff sees none of A's ledger or needs.
    other = client_for(w.outsider_b).get("/supplies/").content.decode()
    assert sum(_chart(other, "chart-flow")["series"][0]["data"]) == 0
    assert "chart-needs" not in other


def test_the_lots_list_filters_expiring_lots_sorts_and_exports_them(stores, client_for):
    import datetime
    import io

    from python_calamine import CalamineWorkbook

    w = stores
    soon = timezone.localdate() + datetime.timedelta(days=5)
    services.receive(
        user=w.staff_a, warehouse=w.spare, item=w.n95, quantity=300, batch="SOON", expires_on=soon
    )
    services.receive(user=w.staff_a, warehouse=w.main, item=w.gloves, quantity=50, batch="NONE")
    c = client_for(w.staff_a)
    r = c.get("/supplies/stock/?expiring=7&sort=expires_on")
    assert [s.lot.batch for s in r.context["page"].object_list] == ["SOON"]
    # The list remembers the choice; the export has the same rows.
    r = c.get("/supplies/stock/?export=xlsx")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and "SOON" in rows[1]
    r = c.get("/supplies/stock/?reset=1")
    assert len(r.context["page"].object_list) == 3
    assert "SOON" not in client_for(w.outsider_b).get("/supplies/stock/").content.decode()


def test_the_api_answers_the_dashboard_figures_in_scope(stores, api_for):
    r = api_for(stores.staff_a).get("/api/v1/supplies/figures?days=7")
    assert r.status_code == 200, r.content
    body = r.json()
    assert len(body["flow"]) == 7 and body["flow"][-1]["in"] == 2400
    assert body["needs_open"] == 0 and body["needs_met_percent"] == 0
    other = api_for(stores.outsider_b).get("/api/v1/supplies/figures").json()
    assert sum(d["in"] for d in other["flow"]) == 0
