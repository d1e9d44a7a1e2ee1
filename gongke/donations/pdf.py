"""Receipts as A5 PDF with reportlab's built-in Chinese CID font (no font files needed), with
a QR code (segno) of the public verify link a finance office scans."""

import io
from typing import Any

import segno
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from gongke.lib.chinese import in_reader_script

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def receipt_pdf(ctx: dict[str, Any], *, verify_url: str) -> bytes:
    font = _font()
    receipt, gift, entry = ctx["receipt"], ctx["gift"], ctx["entry"]
    out = io.BytesIO()
    width, height = landscape(A5)
    c = canvas.Canvas(out, pagesize=(width, height))
    c.setTitle(f"{_('Donation receipt')} {receipt.label}")
    c.setFont(font, 18)
    c.drawCentredString(width / 2, height - 20 * mm, _("Donation receipt"))
    c.setFont(font, 10)
    c.drawString(15 * mm, height - 30 * mm, f"{_('No.')} {receipt.label}")
    c.drawRightString(
        width - 15 * mm, height - 30 * mm, f"{_('Date')} {entry.occurred_on.isoformat()}"
    )
    what = (
        gift.item + (f" {gift.quantity.normalize():f}{gift.unit}" if gift.quantity else "")
        if gift.nature == "goods"
        else _("Money")
    )
    rows = [
        (_("Donor"), in_reader_script(gift.public_name or gift.donor.name) or _("Anonymous")),
        (_("Donation"), what),
        (_("Amount in words"), ctx["capital"]),
        (_("Amount (yuan)"), f"¥{entry.amount:,.2f}"),
        (_("Issuing organization"), in_reader_script(receipt.organization.name)),
        (_("Handled by"), ctx["handler"]),
        (_("Verification code"), receipt.code),
    ]
    y = height - 40 * mm
    c.setFont(font, 12)
    for label, value in rows:
        c.drawString(20 * mm, y, f"{label}：")
        c.drawString(55 * mm, y, str(value))
        c.line(55 * mm, y - 2, width - 55 * mm, y - 2)
        y -= 10 * mm
    _qr(c, verify_url, x=width - 48 * mm, y=height - 78 * mm, size=33 * mm)
    c.setFont(font, 8)
    c.drawString(20 * mm, 12 * mm, _("Check this receipt at %(url)s") % {"url": verify_url})
    if ctx.get("void"):
        c.setFont(font, 40)
        c.setFillColorRGB(0.8, 0, 0)
        c.drawCentredString(width / 2, height / 2, _("VOID"))
    c.showPage()
    c.save()
    return out.getvalue()


def _qr(c: canvas.Canvas, url: str, *, x: float, y: float, size: float) -> None:
    """The verify link as a QR code (segno makes the symbol; its dark modules are drawn as
    squares, so the PDF stays vector and needs no image library)."""
    qr = segno.make(url, error="m")
    border = 2
    matrix = qr.matrix
    count = len(matrix) + 2 * border
    module = size / count
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                c.rect(
                    x + (col + border) * module,
                    y + size - (row + border + 1) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )
    c.restoreState()
