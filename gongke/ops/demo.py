"""The demo county: fictional, generated, the same every time (a fixed random seed).

One federation under a city social-organization service centre, 30 chambers of the three kinds,
~2,000 member enterprises (about 70 on the executive committee), people with positions,
townships with compounds, villages and duty posts, recipient units and a user for every role.

Domain apps add their own demo data: a module `gongke.<app>.demo` with a function
`load(county: DemoCounty) -> None` is called after the registry is built, in DEMO_APPS order.
"""

import importlib
import random
from dataclasses import dataclass, field

from auditlog.context import disable_auditlog
from django.db import transaction

from gongke.accounts.models import Membership, Role, User
from gongke.lib.chinese import search_key
from gongke.registry import services
from gongke.registry.models import (
    ChamberKind,
    Industry,
    Organization,
    OrgKind,
    Person,
    Place,
    PlaceKind,
    Position,
    RecipientKind,
    Township,
)

SEED = 20200128
DEMO_PASSWORD = "gongke-demo-2020"
DEMO_APPS = [
    "gongke.census",
    "gongke.community",
    "gongke.resumption",
    "gongke.donations",
    "gongke.volunteers",
]

TOWNSHIPS = [
    "城关街道",
    "东城街道",
    "西城街道",
    "南湖镇",
    "北山镇",
    "青石镇",
    "柳河镇",
    "白云乡",
    "金桥镇",
    "石门镇",
    "新华街道",
    "长安镇",
]
INDUSTRY_CHAMBERS = [
    ("钣金商会", Industry.MANUFACTURING),
    ("厨具行业协会", Industry.MANUFACTURING),
    ("汽车租赁协会", Industry.LEASING),
    ("餐饮商会", Industry.HOSPITALITY),
    ("建材商会", Industry.CONSTRUCTION),
    ("电子信息商会", Industry.IT),
    ("物流商会", Industry.TRANSPORT),
    ("服装商会", Industry.MANUFACTURING),
    ("医药商会", Industry.HEALTH),
    ("房地产商会", Industry.REAL_ESTATE),
    ("农业产业化商会", Industry.AGRICULTURE),
    ("超市连锁商会", Industry.TRADE),
    ("文化产业协会", Industry.CULTURE),
    ("女企业家协会", Industry.SERVICES),
    ("新材料商会", Industry.MANUFACTURING),
    ("机械装备商会", Industry.MANUFACTURING),
]
ASSOCIATION_CHAMBERS = ["青年企业家商会", "异地商会联合会", "个体劳动者协会", "民营科技企业协会"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文辉志强海燕红梅玉兰国庆春生晓东德明"
)
FIRM_WORDS = [
    "京博",
    "鲁信",
    "华泰",
    "金鼎",
    "瑞丰",
    "宏达",
    "永盛",
    "恒通",
    "新元",
    "天成",
    "盛世",
    "鑫源",
    "嘉禾",
    "银河",
    "东方",
    "佳美",
    "中联",
    "广厦",
    "汇通",
    "兴业",
    "万象",
    "博远",
    "富民",
    "长城",
    "远航",
    "华夏",
    "锦程",
    "顺发",
]
FIRM_KINDS = [
    "集团",
    "科技有限公司",
    "实业有限公司",
    "制造有限公司",
    "商贸有限公司",
    "食品有限公司",
    "汽车租赁有限公司",
    "建材有限公司",
    "物流有限公司",
    "餐饮管理有限公司",
    "厨具有限公司",
    "钣金加工厂",
]


@dataclass
class DemoCounty:
    """What the registry demo built, handed to each app's demo loader."""

    rng: random.Random
    office: Organization
    federation: Organization
    chambers: list[Organization]
    enterprises: list[Organization]
    townships: list[Township]
    areas: list[Place]
    posts: list[Place]
    recipients: list[Place]
    users: dict[str, User] = field(default_factory=dict)


def _credit_code(rng: random.Random) -> str:
    from stdnum.cn import uscc

    body = (
        "91"
        + "370"
        + "".join(str(rng.randint(0, 9)) for _ in range(3))
        + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + uscc.calc_check_digit(body)


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(str(rng.randint(0, 9)) for _ in range(9))


def build_registry(rng: random.Random) -> DemoCounty:
    office = services.create_organization(
        parent=None,
        kind=OrgKind.OFFICE,
        name="临川市社会组织服务中心",
        short_name="市社会组织服务中心",
    )
    federation = services.create_organization(
        parent=office,
        kind=OrgKind.FEDERATION,
        name="临川市青原县工商业联合会",
        short_name="县工商联",
    )
    townships = [services.get_or_create_township(n) for n in TOWNSHIPS]
    chambers: list[Organization] = []
    for name, _industry in INDUSTRY_CHAMBERS:
        chambers.append(
            services.create_organization(
                parent=federation,
                kind=OrgKind.CHAMBER,
                chamber_kind=ChamberKind.INDUSTRY,
                name=f"青原县{name}",
            )
        )
    for t in townships[:10]:
        chambers.append(
            services.create_organization(
                parent=federation,
                kind=OrgKind.CHAMBER,
                chamber_kind=ChamberKind.TOWNSHIP,
                name=f"{t.name}商会",
                township=t,
            )
        )
    for name in ASSOCIATION_CHAMBERS:
        chambers.append(
            services.create_organization(
                parent=federation,
                kind=OrgKind.CHAMBER,
                chamber_kind=ChamberKind.ASSOCIATION,
                name=f"青原县{name}",
            )
        )

    # ~2,000 enterprises, bulk-created with the same paths and search keys the services give.
    enterprises: list[Organization] = []
    used_names: set[str] = set()
    pending: list[Organization] = []
    for index, chamber in enumerate(chambers):
        count = 66 + (index % 5)
        industry = (
            INDUSTRY_CHAMBERS[index][1]
            if index < len(INDUSTRY_CHAMBERS)
            else rng.choice(Industry.values)
        )
        for n in range(1, count + 1):
            while True:
                name = f"青原县{rng.choice(FIRM_WORDS)}{rng.choice(FIRM_WORDS)}{rng.choice(FIRM_KINDS)}"
                if name not in used_names:
                    used_names.add(name)
                    break
            township = chamber.township or rng.choice(townships)
            legal = _person_name(rng)
            org = Organization(
                kind=OrgKind.ENTERPRISE,
                name=name,
                parent=chamber,
                path=f"{chamber.path}{services._encode(n)}.",
                depth=chamber.depth + 1,
                credit_code=_credit_code(rng),
                industry=industry,
                township=township,
                legal_representative=legal,
                legal_representative_phone=_phone(rng),
                staff_count=rng.choice([8, 12, 20, 35, 50, 80, 120, 300, 650]),
                contact_name=_person_name(rng),
                contact_phone=_phone(rng),
                address=f"{township.name}{rng.randint(1, 300)}号",
            )
            org.search_text = search_key(
                org.name, org.short_name, org.credit_code, org.legal_representative
            )
            pending.append(org)
    # The famous one, so `jbjt` finds 京博集团 in every demo.
    pending[0].name = "京博集团"
    pending[0].search_text = search_key(
        "京博集团", "", pending[0].credit_code, pending[0].legal_representative
    )
    for org in rng.sample(pending, 70):
        org.is_executive = True
    enterprises = Organization.objects.bulk_create(pending, batch_size=500)

    people: list[Person] = []
    for org in [office, federation, *chambers]:
        for position in (
            Position.CHAIRMAN,
            Position.VICE_CHAIRMAN,
            Position.VICE_CHAIRMAN,
            Position.SECRETARY_GENERAL,
            Position.PARTY_SECRETARY,
            Position.STAFF,
        ):
            name = _person_name(rng)
            people.append(
                Person(
                    organization=org,
                    name=name,
                    position=position,
                    phone=_phone(rng),
                    is_party_member=position == Position.PARTY_SECRETARY or rng.random() < 0.3,
                    is_volunteer=rng.random() < 0.4,
                    search_text=search_key(name),
                )
            )
    for org in enterprises:
        people.append(
            Person(
                organization=org,
                name=org.legal_representative,
                position=Position.CHAIRMAN,
                title="法定代表人",
                phone=org.legal_representative_phone,
                is_party_member=rng.random() < 0.2,
                search_text=search_key(org.legal_representative),
            )
        )
        if rng.random() < 0.5:
            name = _person_name(rng)
            people.append(
                Person(
                    organization=org,
                    name=name,
                    position=Position.STAFF,
                    title="防疫联络员",
                    phone=_phone(rng),
                    is_party_member=rng.random() < 0.25,
                    is_volunteer=rng.random() < 0.5,
                    search_text=search_key(name),
                )
            )
    Person.objects.bulk_create(people, batch_size=1000)

    areas: list[Place] = []
    posts: list[Place] = []
    township_chambers = [c for c in chambers if c.chamber_kind == ChamberKind.TOWNSHIP]
    for i in range(300):
        township = townships[i % len(townships)]
        owner = township_chambers[i % len(township_chambers)] if i % 3 else rng.choice(chambers)
        is_village = i % 4 == 3
        name = f"{township.name}{'第' + str(i // 4 + 1) + '村' if is_village else rng.choice(FIRM_WORDS) + '小区'}"
        areas.append(
            Place(
                kind=PlaceKind.VILLAGE if is_village else PlaceKind.COMPOUND,
                name=name,
                organization=owner,
                township=township,
                without_property_management=not is_village and rng.random() < 0.6,
                households=rng.randint(60, 900),
                contact_name=_person_name(rng),
                contact_phone=_phone(rng),
                address=f"{township.name}{rng.randint(1, 99)}号",
                search_text=search_key(name),
            )
        )
    areas = Place.objects.bulk_create(areas, batch_size=500)
    gates = ["东门", "西门", "南门", "北门"]
    for area in areas:
        for g in gates[: 1 + (area.pk % 3)]:
            name = f"{area.name}{g}卡口"
            posts.append(
                Place(
                    kind=PlaceKind.POST,
                    name=name,
                    organization=area.organization,
                    parent=area,
                    township=area.township,
                    search_text=search_key(name),
                )
            )
    posts = Place.objects.bulk_create(posts, batch_size=1000)

    recipients_spec = (
        [
            ("青原县人民医院", RecipientKind.HOSPITAL),
            ("青原县中医院", RecipientKind.HOSPITAL),
            ("青原县疾病预防控制中心", RecipientKind.CDC),
            ("青原县公安局", RecipientKind.POLICE),
            ("青原县红十字会", RecipientKind.RED_CROSS),
        ]
        + [
            (
                f"{t.name}人民政府" if "镇" in t.name or "乡" in t.name else f"{t.name}办事处",
                RecipientKind.TOWNSHIP_GOVERNMENT,
            )
            for t in townships
        ]
        + [(f"{t.name}幸福社区", RecipientKind.COMMUNITY) for t in townships[:6]]
    )
    recipients = Place.objects.bulk_create(
        [
            Place(
                kind=PlaceKind.RECIPIENT,
                recipient_kind=kind,
                name=name,
                organization=federation,
                search_text=search_key(name),
            )
            for name, kind in recipients_spec
        ]
    )
    Place.objects.bulk_create(
        [
            Place(
                kind=PlaceKind.WAREHOUSE,
                name=f"{c.name}防疫物资仓库",
                organization=c,
                search_text=search_key(c.name),
            )
            for c in chambers[:5]
        ]
    )
    return DemoCounty(
        rng=rng,
        office=office,
        federation=federation,
        chambers=chambers,
        enterprises=enterprises,
        townships=townships,
        areas=areas,
        posts=posts,
        recipients=recipients,
    )


# username, display name, role, which organization (a function of the county)
DEMO_USERS = [
    ("admin", "平台管理员", Role.PLATFORM_ADMIN, lambda c: c.office),
    ("federation", "县工商联管理员", Role.ORG_ADMIN, lambda c: c.federation),
    ("chamber", "钣金商会秘书长", Role.ORG_ADMIN, lambda c: c.chambers[0]),
    ("staff", "钣金商会工作人员", Role.ORG_STAFF, lambda c: c.chambers[0]),
    ("reporter", "企业填报员", Role.REPORTER, lambda c: c.enterprises[0]),
    ("guard", "卡口值班员", Role.DUTY_OFFICER, lambda c: c.areas[1].organization),
    ("viewer", "县领导（只读）", Role.VIEWER, lambda c: c.federation),
]


def create_users(county: DemoCounty) -> None:
    for username, display, role, where in DEMO_USERS:
        user = User(
            username=username,
            display_name=display,
            is_superuser=role == Role.PLATFORM_ADMIN,
            is_staff=role == Role.PLATFORM_ADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        membership = Membership.objects.create(user=user, organization=where(county), role=role)
        if role == Role.DUTY_OFFICER:
            membership.posts.set([p for p in county.posts if p.parent_id == county.areas[1].pk])
        county.users[username] = user


@transaction.atomic
def load_demo() -> DemoCounty:
    rng = random.Random(SEED)
    with disable_auditlog():
        county = build_registry(rng)
        create_users(county)
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            module.load(county)
    return county


def print_logins() -> None:
    if not User.objects.filter(username="admin").exists():
        return
    print(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for username, display, role, _where in DEMO_USERS:
        print(f"  {username:<11} {display}  [{role.label}]")
    print()
