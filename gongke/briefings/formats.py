"""A briefing as a document: A4 PDF laid out as a Chinese official document (GB/T 9704: a red
header with the issuing organization, the number 〔2026〕3号, a red rule, the centred title, the
body, the issuer and the date in Chinese at the end), DOCX for further editing, and HTML with
inline styles only for pasting into a WeChat official-account article.

The PDF uses reportlab's built-in CID font (STSong-Light), as the receipts do: no font files.
"""

import datetime as dt
import html
import io
import re

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

from gongke.lib.chinese import to_traditional

from . import render
from .models import Briefing

FONT = "STSong-Light"
RED = "#C00000"
HEADING = re.compile(r"^([一二三四五六七八九十]+、|\d+\. )")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _day(b: Briefing) -> dt.date:
    when = b.published_at or b.signed_at or b.created_at or timezone.now()
    return timezone.localtime(when).date()


def parts(b: Briefing, language: str) -> dict:
    """What every format lays out: header, number, title, paragraphs (text, is_heading), notes,
    issuer and date, in one language."""
    title, body = b.version_in(language)
    en = language == render.EN
    issuer = b.organization.name
    if language == render.HANT:
        issuer = to_traditional(issuer)
    day = _day(b)
    paragraphs = [
        (line.strip(), bool(HEADING.match(line.strip())))
        for line in body.splitlines()
        if line.strip()
    ]
    return {
        "header": f"{issuer} Briefing"
        if en
        else f"{issuer}简报"
        if language != render.HANT
        else f"{issuer}簡報",
        "number": b.doc_number if not en else f"No. {b.number} ({b.year})",
        "title": title,
        "paragraphs": paragraphs,
        "notes": render.notes(b.facts, language),
        "issuer": issuer,
        "date": render.date_en(day) if en else render.date_zh(day),
        "notes_label": "Notes on the figures"
        if en
        else "数据说明"
        if language != render.HANT
        else "數據說明",
        "draft": b.status != "published",
    }


def pdf(b: Briefing, language: str = render.ZH) -> bytes:
    font = _font()
    p = parts(b, language)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=37 * mm,
        bottomMargin=35 * mm, title=p["title"], author=p["issuer"],
    )  # fmt: skip
    wrap = "CJK" if language != render.EN else None
    header = ParagraphStyle("h", fontName=font, fontSize=30, leading=38, alignment=TA_CENTER,
                            textColor=colors.HexColor(RED), wordWrap=wrap)  # fmt: skip
    number = ParagraphStyle("n", fontName=font, fontSize=15, leading=22, alignment=TA_CENTER)
    title = ParagraphStyle("t", fontName=font, fontSize=21, leading=30, alignment=TA_CENTER,
                           wordWrap=wrap)  # fmt: skip
    body = ParagraphStyle("b", fontName=font, fontSize=15, leading=27, firstLineIndent=30,
                          wordWrap=wrap)  # fmt: skip
    head = ParagraphStyle("hd", parent=body, firstLineIndent=30, textColor=colors.black)
    small = ParagraphStyle("s", fontName=font, fontSize=9, leading=13, wordWrap=wrap)
    sign = ParagraphStyle("sg", parent=body, alignment=TA_RIGHT, firstLineIndent=0)
    flow = [
        Paragraph(html.escape(p["header"]), header),
        Spacer(1, 4 * mm),
        Paragraph(html.escape(p["number"]), number),
        HRFlowable(
            width="100%",
            thickness=1.5,
            color=colors.HexColor(RED),
            spaceBefore=2 * mm,
            spaceAfter=8 * mm,
        ),  # fmt: skip
        Paragraph(html.escape(p["title"]), title),
        Spacer(1, 6 * mm),
    ]
    for text, is_heading in p["paragraphs"]:
        flow.append(Paragraph(html.escape(text), head if is_heading else body))
    flow += [
        Spacer(1, 10 * mm),
        Paragraph(html.escape(p["issuer"]), sign),
        Paragraph(html.escape(p["date"]), sign),
    ]
    if p["notes"]:
        flow += [Spacer(1, 8 * mm), Paragraph(html.escape(p["notes_label"]), small)]
        for i, (fig, note) in enumerate(p["notes"], 1):
            flow.append(Paragraph(html.escape(f"{i}. {fig}: {note}"), small))
    doc.build(flow)
    return out.getvalue()


def _run_font(run, size: float, *, color: str | None = None, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "SimSun"
    # Word picks the font of Chinese characters from the East Asian slot, not the Latin one.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    if color:
        run.font.color.rgb = RGBColor.from_string(color.lstrip("#"))


def docx(b: Briefing, language: str = render.ZH) -> bytes:
    p = parts(b, language)
    d = Document()
    d.core_properties.title = p["title"]
    d.core_properties.author = p["issuer"]

    def line(text: str, size: float, *, align=None, color=None, bold=False, indent=False):
        para = d.add_paragraph()
        if align is not None:
            para.alignment = align
        if indent:
            para.paragraph_format.first_line_indent = Pt(size * 2)
        _run_font(para.add_run(text), size, color=color, bold=bold)
        return para

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    line(p["header"], 30, align=center, color=RED, bold=True)
    line(p["number"], 15, align=center)
    line("", 6).paragraph_format.space_after = Pt(0)
    line(p["title"], 21, align=center, bold=True)
    for text, is_heading in p["paragraphs"]:
        line(text, 15, indent=True, bold=is_heading)
    line(p["issuer"], 15, align=right)
    line(p["date"], 15, align=right)
    if p["notes"]:
        line(p["notes_label"], 9, bold=True)
        for i, (fig, note) in enumerate(p["notes"], 1):
            line(f"{i}. {fig}: {note}", 9)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def wechat(b: Briefing, language: str = render.ZH) -> str:
    """A page whose body pastes into a WeChat article: inline styles only (the editor drops
    classes and style sheets), no scripts, no external resources."""
    p = parts(b, language)
    e = html.escape
    rows = [
        f'<h1 style="margin:0 0 8px;text-align:center;color:{RED};font-size:24px;'
        f'font-weight:bold;">{e(p["header"])}</h1>',
        f'<p style="margin:0 0 12px;text-align:center;font-size:14px;color:#333;">{e(p["number"])}</p>',
        f'<hr style="border:0;border-top:2px solid {RED};margin:0 0 16px;">',
        f'<h2 style="margin:0 0 16px;text-align:center;font-size:20px;color:#000;">{e(p["title"])}</h2>',
    ]
    for text, is_heading in p["paragraphs"]:
        weight = "font-weight:bold;" if is_heading else ""
        rows.append(
            f'<p style="margin:0 0 12px;text-indent:2em;font-size:16px;line-height:1.75;'
            f'color:#333;{weight}">{e(text)}</p>'
        )
    rows.append(
        f'<p style="margin:24px 0 0;text-align:right;font-size:16px;color:#333;">'
        f"{e(p['issuer'])}<br>{e(p['date'])}</p>"
    )
    if p["notes"]:
        rows.append(
            f'<p style="margin:24px 0 4px;font-size:12px;color:#888;">{e(p["notes_label"])}</p>'
        )
        for i, (fig, note) in enumerate(p["notes"], 1):
            rows.append(
                f'<p style="margin:0 0 2px;font-size:12px;line-height:1.5;color:#888;">'
                f"{i}. {e(fig)}: {e(note)}</p>"
            )
    lang = {"en": "en", "zh-hant": "zh-Hant"}.get(language, "zh-Hans")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{e(p["title"])}'
        f'</title></head><body><section style="max-width:677px;margin:0 auto;padding:16px;'
        f"font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;\">"
        + "\n".join(rows)
        + "</section></body></html>\n"
    )


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


def response(b: Briefing, fmt: str, language: str) -> HttpResponse:
    """The briefing as a file: PDF, DOCX, or the WeChat page (shown, to copy from)."""
    if fmt not in CONTENT_TYPES or language not in render.LANGUAGES:
        raise Http404(_("Not found."))
    if fmt == "pdf":
        data: bytes | str = pdf(b, language)
    elif fmt == "docx":
        data = docx(b, language)
    else:
        data = wechat(b, language)
    out = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    name = f"briefing-{b.year}-{b.number}-v{b.version}-{language}.{fmt}"
    disposition = "inline" if fmt == "html" else "attachment"
    out["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return out
