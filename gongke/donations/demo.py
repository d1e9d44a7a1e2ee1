"""Demo donations: one county campaign and ~2,000 gifts from enterprises, people and groups,
collected by the chambers, part forwarded to the federation and allocated to recipient units,
with gapless receipts for the first chamber. Deterministic (county.rng), bulk-inserted."""

import datetime
from decimal import Decimal
from typing import Any

from gongke.lib.chinese import quick_search_key

from .models import (
    Campaign,
    Donor,
    DonorKind,
    Entry,
    EntryKind,
    Gift,
    Nature,
    Receipt,
    ReceiptCounter,
)

GOODS = [
    ("N95口罩", "只", 8),
    ("医用外科口罩", "箱", 600),
    ("防护服", "套", 120),
    ("消毒液", "公斤", 15),
    ("测温枪", "台", 200),
    ("护目镜", "副", 30),
    ("方便面", "箱", 45),
]
AMOUNTS = [500, 1000, 2000, 5000, 10000, 20000, 30000, 50000, 100000, 200000, 500000, 648000]
PEOPLE = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰"]
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def load(county) -> None:
    rng = county.rng
    start = datetime.date(2020, 1, 25)
    campaign = Campaign.objects.create(
        organization=county.federation,
        name="2020年抗击新冠肺炎疫情捐赠",
        starts_on=start,
        ends_on=datetime.date(2020, 3, 31),
        description="全县工商联系统抗疫捐款捐物",
    )

    def code() -> str:
        return "".join(rng.choice(CODE_ALPHABET) for _ in range(12))

    donors: list[Donor] = []
    for ent in rng.sample(county.enterprises, 400):
        donors.append(
            Donor(
                organization=ent,
                kind=DonorKind.ENTERPRISE,
                name=ent.name,
                enterprise=ent,
                township_id=ent.township_id,
                search_text=quick_search_key(ent.name),
            )
        )
    for i in range(300):
        keeper = rng.choice(county.chambers)
        name = rng.choice(PEOPLE) + rng.choice(GIVEN) + ("" if i < 200 else str(i))
        kind = DonorKind.INDIVIDUAL if i % 5 else DonorKind.ORGANIZATION
        if kind == DonorKind.ORGANIZATION:
            name = f"青原县{name}爱心协会"
        donors.append(
            Donor(
                organization=keeper,
                kind=kind,
                name=name,
                search_text=quick_search_key(name),
                contact_phone=f"139{rng.randint(10000000, 99999999)}",
            )
        )
    unique: dict[tuple, Donor] = {}
    for d in donors:
        unique.setdefault((d.organization_id, d.kind, d.name), d)
    donors = Donor.objects.bulk_create(list(unique.values()), batch_size=500)
    anonymous = Donor.objects.create(
        organization=county.federation, kind=DonorKind.ANONYMOUS, name=""
    )

    gifts: list[Gift] = []
    for _ in range(2000):
        donor = anonymous if rng.random() < 0.04 else rng.choice(donors)
        collector_id: int = (
            (donor.enterprise.parent_id or county.federation.pk)
            if donor.enterprise
            else donor.organization_id
        )
        hidden = donor.kind == DonorKind.ANONYMOUS or rng.random() < 0.06
        day = start + datetime.timedelta(days=rng.randint(0, 50))
        fields: dict[str, Any]
        if rng.random() < 0.8:
            value = Decimal(rng.choice(AMOUNTS))
            fields = {"nature": Nature.MONEY, "item": "", "quantity": None, "unit": ""}
            approx = rng.choice(["", "", "", "", "over", "nearly"])
        else:
            item, unit, price = rng.choice(GOODS)
            qty = rng.choice([20, 50, 100, 200, 500, 1000])
            value = Decimal(qty * price)
            fields = {"nature": Nature.GOODS, "item": item, "quantity": Decimal(qty), "unit": unit}
            approx = ""
        public = "" if hidden else donor.name
        gifts.append(
            Gift(
                organization_id=collector_id,
                campaign=campaign,
                donor=donor,
                value=value,
                approximation=approx,
                amount_text=f"{value:g}" if not approx else f"近{value / 10000:g}万",
                given_on=day,
                is_anonymous=hidden,
                township_id=donor.township_id,
                code=code(),
                public_name=public,
                search_text=quick_search_key(public, fields["item"]),
                **fields,
            )
        )
    gifts = Gift.objects.bulk_create(gifts, batch_size=500)

    entries: list[Entry] = []
    recipients = county.recipients
    for gift in gifts:
        common = {"gift": gift, "amount": gift.value, "quantity": gift.quantity}
        entries.append(
            Entry(
                kind=EntryKind.PLEDGE,
                organization_id=gift.organization_id,
                occurred_on=gift.given_on,
                **common,
            )
        )
        if rng.random() < 0.1:
            continue  # pledged, not yet received
        received_on = gift.given_on + datetime.timedelta(days=rng.randint(0, 3))
        entries.append(
            Entry(
                kind=EntryKind.RECEIPT,
                organization_id=gift.organization_id,
                occurred_on=received_on,
                **common,
            )
        )
        holder = gift.organization_id
        if holder != county.federation.pk and rng.random() < 0.5:
            entries.append(
                Entry(
                    kind=EntryKind.TRANSFER,
                    organization_id=holder,
                    to_organization=county.federation,
                    occurred_on=received_on + datetime.timedelta(days=1),
                    **common,
                )
            )
            holder = county.federation.pk
        if rng.random() < 0.6:
            entries.append(
                Entry(
                    kind=EntryKind.ALLOCATION,
                    organization_id=holder,
                    recipient=rng.choice(recipients),
                    occurred_on=received_on + datetime.timedelta(days=2),
                    **common,
                )
            )
    entries = Entry.objects.bulk_create(entries, batch_size=1000)

    # Receipts for the first chamber's receipts, numbered without gaps.
    first = county.chambers[0]
    mine = [e for e in entries if e.kind == EntryKind.RECEIPT and e.organization_id == first.pk]
    Receipt.objects.bulk_create(
        [
            Receipt(entry=e, organization=first, year=2020, number=n, code=code())
            for n, e in enumerate(mine, start=1)
        ]
    )
    ReceiptCounter.objects.create(organization=first, year=2020, last=len(mine))
