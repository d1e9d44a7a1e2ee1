"""A briefing's text, written from its facts (briefings.facts) as people write briefings.

Deterministic templates, one per section and language: the Chinese as an office writes it
("据不完全统计", "截至2月18日", money in 万元 with 余/多/近, the largest givers named) and an English
rendering of the same facts for partners. Traditional Chinese is the Simplified text converted
(gongke.lib.chinese), never written twice.

The renderer returns paragraphs of parts; a part that is a figure (`Fig`) carries what it counts
and as of when, which the web page shows on hover (a title attribute) and the documents as notes.
`text()` is the plain text a writer edits.
"""

import datetime as dt
import html
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

import cn2an

from gongke.lib.chinese import to_traditional

ZH, HANT, EN = "zh-hans", "zh-hant", "en"
LANGUAGES = (ZH, HANT, EN)


def language_asked(asked: str | None, current: str | None) -> str:
    """The rendering a reader asked for (?lang=), else their own language, else zh-Hans."""
    chosen = (asked or current or ZH).lower()
    return chosen if chosen in LANGUAGES else ZH


WAN = Decimal(10_000)
YI = Decimal(100_000_000)


@dataclass
class Fig:
    text: str
    note: str


@dataclass
class Paragraph:
    heading: str = ""
    parts: list[str | Fig] = field(default_factory=list)

    def add(self, *parts: str | Fig) -> None:
        self.parts.extend(parts)

    def text(self) -> str:
        return "".join(p.text if isinstance(p, Fig) else p for p in self.parts)


# --- Numbers as people write them --------------------------------------------------------


def _round_down(value: Decimal, digits: int) -> Decimal:
    """`value` cut to `digits` significant digits: 173.4 -> 170 (2), 5.63 -> 5.6 (2)."""
    if value <= 0:
        return Decimal(0)
    exp = value.adjusted() - digits + 1
    q = Decimal(1).scaleb(exp)
    return (value / q).to_integral_value(rounding=ROUND_DOWN) * q


def _plain(value: Decimal) -> str:
    s = f"{value.normalize():f}"
    return s


def _near(value: Decimal) -> Decimal | None:
    """The round number (one significant digit) just above `value`, if `value` is within 5% of it:
    9,620 -> 10,000 ("近万"); else None."""
    if value <= 0:
        return None
    top = _round_down(value, 1)
    if top == value:
        return None
    step = Decimal(1).scaleb(value.adjusted())
    above = top + step
    return above if value >= above * Decimal("0.95") else None


_POWERS = {Decimal(10): "十", Decimal(100): "百", Decimal(1000): "千", Decimal(10_000): "万"}


def approx_zh(value: Decimal | str | int, unit: str) -> str:
    """An amount as a briefing writes it: 1,734,000 元 -> 170多万元; 20,300,000 -> 2000余万元;
    9,620,000 -> 近千万元; 9,600 亩 -> 近万亩; small amounts in full (8.5元)."""
    v = Decimal(str(value))
    scale, big = (YI, "亿") if v >= YI else (WAN, "万") if v >= WAN else (Decimal(1), "")
    n = v / scale
    if n < 10 and not big:
        return f"{_plain(v.quantize(Decimal('0.01')))}{unit}"
    near = _near(n)
    if near is not None:
        if big == "万" and near == 10_000:
            return f"近亿{unit}"
        word = _POWERS.get(near) if near >= 10 else None
        return f"近{word or _plain(near)}{big}{unit}"
    cut = _round_down(n, 2)
    if cut == n:
        return f"{_plain(cut)}{big}{unit}"
    if not big:
        return f"{_plain(cut)}余{unit}"
    if n >= 1000:
        return f"{_plain(cut)}余{big}{unit}"  # 2000余万元
    if cut == cut.to_integral_value() and cut % 10 == 0:
        return f"{_plain(cut)}多{big}{unit}"  # 170多万元
    return f"{_plain(cut)}{big}余{unit}"  # 53万余元, 5.6万余元


def approx_en(value: Decimal | str | int, unit: str) -> str:
    """The same in English: 'over 1.7 million yuan', 'nearly 10 million yuan', '850 yuan'."""
    v = Decimal(str(value))
    if v < 10_000:
        return f"{v.normalize():,f} {unit}"
    scale, word = (
        (Decimal(1_000_000_000), " billion")
        if v >= 1_000_000_000
        else (Decimal(1_000_000), " million")
        if v >= 1_000_000
        else (Decimal(1000), ",000")
    )
    n = v / scale
    near = _near(n)
    if near is not None:
        return f"nearly {_plain(near)}{word} {unit}"
    cut = _round_down(n, 2)
    return f"{'' if cut == n else 'over '}{_plain(cut)}{word} {unit}"


def date_zh(d: dt.date, *, year: bool = True) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if year else f"{d.month}月{d.day}日"


def date_en(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _n(n: Any, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _change_zh(now: Any, before: Any) -> str:
    a, b = Decimal(str(now)), Decimal(str(before))
    if b == 0:
        return "（上期无）" if a else ""
    pct = ((a - b) / b * 100).quantize(Decimal("0.1"))
    if pct == 0:
        return "，与上期持平"
    return f"，比上期{'增长' if pct > 0 else '下降'}{_plain(abs(pct))}%"


def _change_en(now: Any, before: Any) -> str:
    a, b = Decimal(str(now)), Decimal(str(before))
    if b == 0:
        return " (none in the previous period)" if a else ""
    pct = ((a - b) / b * 100).quantize(Decimal("0.1"))
    if pct == 0:
        return " (as in the previous period)"
    return f" ({'up' if pct > 0 else 'down'} {_plain(abs(pct))}% on the previous period)"


# --- What each figure counts -------------------------------------------------------------

COUNTS: dict[str, tuple[str, str]] = {
    "mobilization.notices": (
        "本级及所属单位在本期内发出的通知份数",
        "notices sent in the period by the organization and those under it",
    ),
    "mobilization.recipients": ("这些通知的接收人次", "recipients of those notices"),
    "mobilization.ack_pct": (
        "已确认收到的接收人次占全部接收人次的比例",
        "share of recipients who acknowledged",
    ),
    "donations.received": (
        "本期接收的捐款和捐物折价，每一元只在首次入账处计一次（不含转交）",
        "money and goods (at their value) received in the period, each yuan counted once where it entered (transfers not counted again)",
    ),
    "donations.money": ("本期接收的捐款", "money received in the period"),
    "donations.goods": ("本期接收的捐物折价", "goods received in the period, at their value"),
    "donations.donors": (
        "本期有捐赠入账的捐赠者（合并后的登记记录计为一个）",
        "donors with a gift received in the period (merged records count once)",
    ),
    "donations.donors_over": (
        "本期捐赠合计超过10万元的捐赠者（不含集体名义的汇总行）",
        "donors who gave over 100,000 yuan in all in the period (collective lines excluded)",
    ),
    "donations.executive_over": ("其中为执委企业的", "of them, executive-committee enterprises"),
    "donations.top": (
        "本期捐赠合计最多的具名捐赠者（匿名捐赠不列名）",
        "named donors who gave most in the period (anonymous gifts are never named)",
    ),
    "supplies.received": (
        "所属仓库本期入库的防疫物资，按各物资最小计量单位计",
        "prevention supplies received into the warehouses, in each item's smallest unit",
    ),
    "supplies.issued": (
        "所属仓库本期发放的防疫物资，按各物资最小计量单位计（不含已冲销的）",
        "supplies handed out from the warehouses, in each item's smallest unit (reversed movements excluded)",
    ),
    "supplies.recipients": ("本期收到发放物资的受助单位", "recipient units supplied in the period"),
    "supplies.needs": (
        "本期发布的物资需求条数及本期关闭（已满足）的条数",
        "needs posted and needs closed (met) in the period",
    ),
    "resumption.approved": (
        "复工申请已获批准的会员企业（截至期末）",
        "member enterprises approved to reopen (at the end of the period)",
    ),
    "resumption.reported": (
        "期末当日应报企业中已报送日报的家数及报送率",
        "enterprises expected to report on the last day that did, and the share",
    ),
    "resumption.staff": (
        "期末当日日报中的在岗员工和运营车辆合计",
        "staff on site and vehicles in service in the last day's reports",
    ),
    "community.posts": (
        "本期有排班的值守卡口 / 全部卡口",
        "duty posts with a shift in the period / all posts",
    ),
    "community.passages": (
        "卡口本期登记的进出人次（含车辆）",
        "passages registered at the posts in the period (vehicles included)",
    ),
    "community.refused": (
        "决定为拒绝进入或劝返的登记",
        "passages refused or persuaded to turn back",
    ),
    "community.fevers": (
        "卡口本期发出的体温异常（≥37.3℃）提示",
        "fever alerts (37.3 °C or above) raised at the posts",
    ),
    "community.households_visited": (
        "本期入户走访过的户数（同一户只计一次）",
        "households visited in the period (each once)",
    ),
    "community.isolations": ("本期开始的居家隔离人数", "home isolations begun in the period"),
    "field.area": (
        "本期消杀作业面积（亩），每次作业只计一次",
        "area disinfected in the period (亩), each operation once",
    ),
    "field.places": ("作业覆盖的市、县（区）数", "cities and counties covered"),
    "services.packages": (
        "本期已送达居民的生活物资套餐份数（订单数）",
        "packages delivered to residents in the period (orders)",
    ),
}


class Writer:
    """Writes one language's paragraphs from the facts."""

    def __init__(self, facts: dict[str, Any], language: str):
        self.facts = facts
        self.zh = language != EN
        self.start = dt.date.fromisoformat(facts["start"])
        self.end = dt.date.fromisoformat(facts["end"])
        self.n = 0

    def fig(self, key: str, text: str, exact: Any = None) -> Fig:
        what = COUNTS[key][0 if self.zh else 1]
        if self.zh:
            note = f"{what}；{date_zh(self.start)}至{date_zh(self.end)}，截至{date_zh(self.end)}"
            if exact is not None:
                note += f"；精确数{exact}"
        else:
            note = f"{what}; {date_en(self.start)} to {date_en(self.end)}"
            if exact is not None:
                note += f"; exactly {exact}"
        return Fig(text, note)

    def money(self, key: str, value: str) -> Fig:
        unit = "元" if self.zh else "yuan"
        text = approx_zh(value, unit) if self.zh else approx_en(value, unit)
        exact = f"{Decimal(value):,.2f}" + ("元" if self.zh else " yuan")
        return self.fig(key, text, exact=exact)

    def change(self, now: Any, before: Any) -> str:
        return _change_zh(now, before) if self.zh else _change_en(now, before)

    def heading(self, zh: str, en: str) -> str:
        self.n += 1
        if self.zh:
            return f"{cn2an.an2cn(self.n)}、{zh}"
        return f"{self.n}. {en}"

    # Sections -------------------------------------------------------------------------------

    def mobilization(self, now: dict, before: dict) -> Paragraph:
        p = Paragraph(self.heading("动员部署", "Mobilization"))
        if self.zh:
            p.add("共发出通知", self.fig("mobilization.notices", f"{now['notices']}份"))
            p.add(self.change(now["notices"], before["notices"]))
            if now["recipients"]:
                p.add("，送达", self.fig("mobilization.recipients", f"{now['recipients']}人次"))
                p.add("，已确认收到", self.fig("mobilization.ack_pct", f"{now['ack_pct']:g}%"))
            p.add("。")
        else:
            p.add(self.fig("mobilization.notices", _n(now["notices"], "notice")), " were sent")
            p.add(self.change(now["notices"], before["notices"]))
            if now["recipients"]:
                p.add(
                    " to ", self.fig("mobilization.recipients", _n(now["recipients"], "recipient"))
                )
                p.add(", ", self.fig("mobilization.ack_pct", f"{now['ack_pct']:g}%"))
                p.add(" of whom acknowledged")
            p.add(".")
        return p

    def donations(self, now: dict, before: dict) -> Paragraph:
        p = Paragraph(self.heading("捐款捐物", "Donations"))
        money, goods = Decimal(now["money"]), Decimal(now["goods"])
        top = now.get("top") or []
        if self.zh:
            p.add("接收捐款捐物", self.money("donations.received", now["received"]))
            if money and goods:
                p.add("（其中捐款", self.money("donations.money", now["money"]))
                p.add("、捐物折价", self.money("donations.goods", now["goods"]), "）")
            p.add(self.change(now["received"], before["received"]))
            p.add("；", self.fig("donations.donors", f"{now['donors']}个"), "单位和个人捐赠")
            if now["donors_over"]:
                p.add("，其中捐赠超过10万元的")
                p.add(self.fig("donations.donors_over", f"{now['donors_over']}个"))
                if now["executive_over"]:
                    p.add(
                        "（执委企业",
                        self.fig("donations.executive_over", f"{now['executive_over']}家"),
                        "）",
                    )
            p.add("。")
            if top:
                names = "、".join(f"{t['name']}（{approx_zh(t['amount'], '元')}）" for t in top)
                p.add("捐赠较多的有", self.fig("donations.top", names), "等。")
        else:
            p.add(
                self.money("donations.received", now["received"]),
                " was received in money and goods",
            )
            if money and goods:
                p.add(" (", self.money("donations.money", now["money"]), " in money, ")
                p.add(self.money("donations.goods", now["goods"]), " in goods)")
            p.add(self.change(now["received"], before["received"]))
            p.add(" from ", self.fig("donations.donors", _n(now["donors"], "donor")))
            if now["donors_over"]:
                p.add("; ", self.fig("donations.donors_over", str(now["donors_over"])))
                p.add(" gave over 100,000 yuan each")
                if now["executive_over"]:
                    p.add(" (", self.fig("donations.executive_over", str(now["executive_over"])))
                    p.add(" of them executive-committee enterprises)")
            p.add(".")
            if top:
                names = ", ".join(f"{t['name']} ({approx_en(t['amount'], 'yuan')})" for t in top)
                p.add(" The largest givers: ", self.fig("donations.top", names), ".")
        return p

    def supplies(self, now: dict, before: dict) -> Paragraph:
        p = Paragraph(self.heading("防疫物资", "Prevention supplies"))
        if self.zh:
            bits: list[str | Fig] = []
            if now["receipts"]:
                bits += [
                    "接收防疫物资",
                    self.fig("supplies.received", f"{now['received']}件（{now['receipts']}批次）"),
                ]
                bits.append(self.change(now["received"], before["received"]))
            if now["issues"]:
                bits += [
                    "；" if bits else "",
                    "发放",
                    self.fig("supplies.issued", f"{now['issued']}件"),
                ]
                bits += [
                    "，送达",
                    self.fig("supplies.recipients", f"{now['recipients']}个"),
                    "受助单位",
                ]
            if now["needs"] or now["needs_met"]:
                bits += [
                    "；" if bits else "",
                    "发布物资需求",
                    self.fig("supplies.needs", f"{now['needs']}条"),
                ]
                bits += [f"，满足需求{now['needs_met']}条"]
            p.add(*bits, "（按各物资最小计量单位计）。")
        else:
            bits = []
            if now["receipts"]:
                bits += [
                    self.fig("supplies.received", f"{now['received']} pieces"),
                    f" of supplies were received in {now['receipts']} receipts",
                ]
                bits.append(self.change(now["received"], before["received"]))
            if now["issues"]:
                bits += [
                    "; " if bits else "",
                    self.fig("supplies.issued", f"{now['issued']} pieces"),
                    " were handed out to ",
                ]
                bits += [self.fig("supplies.recipients", _n(now["recipients"], "recipient unit"))]
            if now["needs"] or now["needs_met"]:
                bits += [
                    "; " if bits else "",
                    self.fig("supplies.needs", _n(now["needs"], "need")),
                    f" were posted and {now['needs_met']} met",
                ]
            p.add(*bits, " (counted in each item's smallest unit).")
        return p

    def resumption(self, now: dict, before: dict) -> Paragraph:
        p = Paragraph(self.heading("复工复产", "Work resumption"))
        if self.zh:
            p.add(f"截至{date_zh(self.end, year=False)}，{now['members']}家会员企业中，获批复工")
            p.add(self.fig("resumption.approved", f"{now['approved']}家"))
            p.add(
                "，当日报送",
                self.fig("resumption.reported", f"{now['reported']}家（{now['completeness']:g}%）"),
            )
            p.add(self.change(now["reported"], before["reported"]))
            p.add("；在岗员工", self.fig("resumption.staff", f"{now['staff']}人"))
            p.add(self.change(now["staff"], before["staff"]))
            if now["vehicles"]:
                p.add("，运营车辆", self.fig("resumption.staff", f"{now['vehicles']}辆"))
            p.add("。")
        else:
            p.add(f"On {date_en(self.end)}, of {now['members']} member enterprises, ")
            p.add(
                self.fig("resumption.approved", str(now["approved"])),
                " were approved to reopen and ",
            )
            p.add(self.fig("resumption.reported", f"{now['reported']} ({now['completeness']:g}%)"))
            p.add(" reported", self.change(now["reported"], before["reported"]), "; ")
            p.add(self.fig("resumption.staff", f"{now['staff']} staff"), " were on site")
            p.add(self.change(now["staff"], before["staff"]))
            if now["vehicles"]:
                p.add(
                    " with ",
                    self.fig("resumption.staff", f"{now['vehicles']} vehicles"),
                    " in service",
                )
            p.add(".")
        return p

    def community(self, now: dict, before: dict) -> Paragraph:
        p = Paragraph(self.heading("包保小区值守", "Community duty"))
        if self.zh:
            bits: list[str | Fig] = []
            if now["posts_staffed"]:
                bits += [
                    self.fig("community.posts", f"{now['posts_staffed']}个"),
                    f"值守卡口（共{now['posts']}个）排班值守",
                ]
            if now["passages"]:
                bits += [
                    "，" if bits else "",
                    "登记进出",
                    self.fig("community.passages", f"{now['passages']}人次"),
                ]
                bits.append(self.change(now["passages"], before["passages"]))
            if now["refused"]:
                bits += ["，劝返或拒绝进入", self.fig("community.refused", f"{now['refused']}人次")]
            if now["fevers"]:
                bits += ["，发现体温异常", self.fig("community.fevers", f"{now['fevers']}人次")]
            if now["households_visited"]:
                bits += [
                    "；" if bits else "",
                    "入户走访",
                    self.fig("community.households_visited", f"{now['households_visited']}户"),
                ]
            if now["isolations"]:
                bits += [
                    "，" if bits else "",
                    "新增居家隔离",
                    self.fig("community.isolations", f"{now['isolations']}人"),
                ]
            p.add(*bits, "。")
        else:
            p.add(
                self.fig("community.posts", f"{now['posts_staffed']} of {now['posts']}"),
                " duty posts were staffed",
            )
            if now["passages"]:
                p.add(
                    "; ",
                    self.fig("community.passages", _n(now["passages"], "passage")),
                    " were registered",
                )
                p.add(self.change(now["passages"], before["passages"]))
            if now["refused"]:
                p.add(
                    ", ",
                    self.fig("community.refused", str(now["refused"])),
                    " refused or turned back",
                )
            if now["fevers"]:
                p.add(", ", self.fig("community.fevers", _n(now["fevers"], "fever")), " found")
            if now["households_visited"]:
                p.add(
                    "; ",
                    self.fig(
                        "community.households_visited", _n(now["households_visited"], "household")
                    ),
                    " were visited",
                )
            if now["isolations"]:
                p.add(
                    " and ",
                    self.fig("community.isolations", _n(now["isolations"], "home isolation")),
                    " begun",
                )
            p.add(".")
        return p

    def field(self, now: dict, before: dict) -> Paragraph:
        p = Paragraph(self.heading("消杀作业", "Field operations"))
        if self.zh:
            p.add(f"开展消杀作业{now['operations']}次，作业面积")
            p.add(
                self.fig("field.area", approx_zh(now["area_mu"], "亩"), exact=f"{now['area_mu']}亩")
            )
            p.add(self.change(now["area_mu"], before["area_mu"]))
            p.add(
                "，覆盖",
                self.fig("field.places", f"{now['cities']}个市、{now['counties']}个县（区）"),
                "。",
            )
        else:
            p.add(f"{_n(now['operations'], 'disinfection operation')} covered ")
            p.add(
                self.fig(
                    "field.area", approx_en(now["area_mu"], "mu"), exact=f"{now['area_mu']} mu"
                )
            )
            p.add(self.change(now["area_mu"], before["area_mu"]))
            p.add(
                " in ",
                self.fig(
                    "field.places",
                    f"{_n(now['cities'], 'city', 'cities')} and {_n(now['counties'], 'county', 'counties')}",
                ),
                ".",
            )
        return p

    def services(self, now: dict, before: dict) -> Paragraph:
        p = Paragraph(self.heading("为民服务", "Services"))
        if self.zh:
            p.add(
                "为居民配送生活物资套餐",
                self.fig("services.packages", f"{now['packages']}份（{now['orders']}单）"),
            )
            p.add(self.change(now["packages"], before["packages"]), "。")
        else:
            p.add(
                self.fig(
                    "services.packages", f"{now['packages']} packages ({now['orders']} orders)"
                )
            )
            p.add(
                " were delivered to residents",
                self.change(now["packages"], before["packages"]),
                ".",
            )
        return p

    def write(self) -> list[Paragraph]:
        org = self.facts["organization"]
        ps, pe = (dt.date.fromisoformat(d) for d in self.facts["previous"])
        if self.zh:
            lead = (
                f"据不完全统计，{date_zh(self.start)}至{date_zh(self.end, year=False)}，{org}"
                f"及所属单位开展疫情防控和服务工作情况如下（比较期为{date_zh(ps, year=False)}至"
                f"{date_zh(pe, year=False)}）。"
            )
        else:
            lead = (
                f"From {date_en(self.start)} to {date_en(self.end)}, by incomplete count, "
                f"{org} and the organizations under it reported the following (compared with "
                f"{date_en(ps)} to {date_en(pe)})."
            )
        out = [Paragraph(parts=[lead])]
        for section in self.facts["sections"]:
            out.append(getattr(self, section["key"])(section["now"], section["before"]))
        if len(out) == 1:
            out.append(
                Paragraph(
                    parts=[
                        "本期暂无可统计的数据。"
                        if self.zh
                        else "No figures were recorded in the period."
                    ]
                )
            )
        return out


def _convert(paragraphs: list[Paragraph], language: str) -> list[Paragraph]:
    if language != HANT:
        return paragraphs
    return [
        Paragraph(
            to_traditional(p.heading),
            [
                Fig(to_traditional(x.text), to_traditional(x.note))
                if isinstance(x, Fig)
                else to_traditional(x)
                for x in p.parts
            ],
        )
        for p in paragraphs
    ]


def _capitalized(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """English sentences start with a capital, whichever part begins them."""
    for p in paragraphs:
        if p.parts:
            first = p.parts[0]
            if isinstance(first, Fig):
                first.text = first.text[:1].upper() + first.text[1:]
            else:
                p.parts[0] = first[:1].upper() + first[1:]
    return paragraphs


def paragraphs(facts: dict[str, Any], language: str = ZH) -> list[Paragraph]:
    out = Writer(facts, language).write()
    return _capitalized(out) if language == EN else _convert(out, language)


def text(facts: dict[str, Any], language: str = ZH) -> str:
    """The plain text a writer edits: a heading line before its paragraph, blank lines between."""
    out = []
    for p in paragraphs(facts, language):
        out.append((p.heading + "\n" if p.heading else "") + p.text())
    return "\n\n".join(out)


def as_html(facts: dict[str, Any], language: str = ZH) -> str:
    """The generated text with each figure's provenance on hover (a title attribute)."""
    out = []
    for p in paragraphs(facts, language):
        if p.heading:
            out.append(f"<h3>{html.escape(p.heading)}</h3>")
        body = "".join(
            f'<span class="fig" title="{html.escape(x.note)}">{html.escape(x.text)}</span>'
            if isinstance(x, Fig)
            else html.escape(x)
            for x in p.parts
        )
        out.append(f"<p>{body}</p>")
    return "\n".join(out)


def notes(facts: dict[str, Any], language: str = ZH) -> list[tuple[str, str]]:
    """(figure, what it counts and as of when) for every figure, in order: the footnotes."""
    seen = []
    for p in paragraphs(facts, language):
        for x in p.parts:
            if isinstance(x, Fig):
                seen.append((x.text, x.note))
    return seen
