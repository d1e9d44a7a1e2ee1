"""The hand-over sheet (物资交接单) as an A4 PDF: reportlab's built-in Chinese CID font (no font
files) and a QR code (segno) of the shipment's public trace page."""

import io
from typing import Any

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def handover_pdf(shipment: Any, lines: list[Any], *, trace_url: str) -> bytes:
    font = _font()
    out = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(out, pagesize=A4)
    c.setTitle(_("Hand-over sheet") + " " + shipment.code)
    c.setFont(font, 18)
    c.drawCentredString(width / 2, height - 25 * mm, _("Hand-over sheet"))
    qr = io.BytesIO()
    segno.make(trace_url, error="m").save(qr, kind="png", scale=4, border=1)
    qr.seek(0)
    c.drawImage(ImageReader(qr), width - 50 * mm, height - 55 * mm, 35 * mm, 35 * mm)
    origin = shipment.warehouse.name if shipment.warehouse else shipment.offer.organization.name
    c.setFont(font, 11)
    y = height - 40 * mm
    for label, value in [
        (_("Trace code"), shipment.code),
        (_("From"), origin),
        (_("Recipient unit"), shipment.recipient.name),
        (_("Packed"), _when(shipment.packed_at)),
        (_("Sent"), _when(shipment.sent_at)),
    ]:
        c.drawString(20 * mm, y, f"{label}：{value}")
        y -= 8 * mm
    y -= 4 * mm
    columns = [20, 75, 115, 140, 165]
    headers = [_("Item"), _("Batch"), _("Quantity"), _("Received"), _("Damaged")]
    c.setFont(font, 10)
    for x, text in zip(columns, headers, strict=True):
        c.drawString(x * mm, y, text)
    c.line(20 * mm, y - 2 * mm, width - 20 * mm, y - 2 * mm)
    y -= 8 * mm
    for line in lines:
        values = [
            line.item.name,
            (line.lot.batch or line.lot.code) if line.lot else "",
            f"{line.quantity}{line.item.base_unit}",
            "" if line.received_quantity is None else str(line.received_quantity),
            str(line.damaged_quantity or "") if line.received_quantity is not None else "",
        ]
        for x, text in zip(columns, values, strict=True):
            c.drawString(x * mm, y, text[:30])
        y -= 7 * mm
        if y < 60 * mm:
            c.showPage()
            c.setFont(font, 10)
            y = height - 25 * mm
    y -= 10 * mm
    c.setFont(font, 11)
    c.drawString(20 * mm, y, _("Handed over by") + "：________________")
    c.drawString(
        110 * mm, y, _("Received by") + "：" + (shipment.received_by or "________________")
    )
    y -= 10 * mm
    c.drawString(20 * mm, y, _("Date") + "：________________")
    c.drawString(110 * mm, y, _("Shortfall or damage") + "：" + shipment.remark[:40])
    c.setFont(font, 8)
    c.drawString(
        20 * mm, 15 * mm, _("Anyone can follow these goods at %(url)s") % {"url": trace_url}
    )
    c.showPage()
    c.save()
    return out.getvalue()
