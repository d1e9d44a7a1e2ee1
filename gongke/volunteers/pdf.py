"""The certificate of volunteer hours (志愿服务时长证明), A4 PDF with reportlab's built-in
Chinese CID font (no font files needed)."""

import io
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from .models import Volunteer

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def certificate_pdf(
    *,
    volunteer: Volunteer,
    minutes: int,
    days: int,
    since: date | None,
    until: date | None,
    issued: date,
) -> bytes:
    font = _font()
    out = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(out, pagesize=A4)
    title = _("Certificate of volunteer hours")
    c.setTitle(title)
    c.setFont(font, 22)
    c.drawCentredString(width / 2, height - 40 * mm, title)
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.1"))
    period = _("%(since)s to %(until)s") % {
        "since": since.isoformat() if since else "—",
        "until": until.isoformat() if until else issued.isoformat(),
    }
    rows = [
        (_("Volunteer"), volunteer.person.name),
        (_("Team"), volunteer.team.name),
        (_("Organization"), volunteer.team.organization.name),
        (_("Period"), period),
        (_("Days served"), str(days)),
        (_("Hours served"), str(hours)),
    ]
    y = height - 65 * mm
    c.setFont(font, 13)
    for label, value in rows:
        c.drawString(30 * mm, y, f"{label}：")
        c.drawString(75 * mm, y, value)
        c.line(75 * mm, y - 2, width - 30 * mm, y - 2)
        y -= 12 * mm
    c.setFont(font, 11)
    c.drawString(
        30 * mm,
        y - 6 * mm,
        _("The hours are those recorded in the team's hours ledger for the period."),
    )
    c.drawRightString(width - 30 * mm, y - 30 * mm, volunteer.team.organization.name)
    c.drawRightString(width - 30 * mm, y - 38 * mm, issued.isoformat())
    c.showPage()
    c.save()
    return out.getvalue()
