"""The tests' small centre: departments A, B and C, their staff, a leader, an admin, two citizens, three items and
their API tokens, built through the services (the ``world`` fixture in tests/conftest.py builds it once a run and
writes it back from a snapshot for every later test), and the builders of test items."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.items import service as item_service
from core.items.models import ServiceItem
from core.items.schemas import ItemIn, MaterialSpec
from core.org import service as org_service
from core.org.models import Department, User
from core.seed.demo import DEMO_PASSWORD, ensure_roles


def material(name: str, required: bool = True, licence_name: str = "") -> MaterialSpec:
    """A material entry for test items."""
    return MaterialSpec(name=name, required=required, licence_name=licence_name)


def item_in(department: Department, **overrides: object) -> ItemIn:
    """A complete guide for a test item; overrides change single fields."""
    values: dict[str, object] = dict(
        code=f"TEST-{department.code}-{overrides.get('name', 'item')}",
        name="占用、挖掘城市道路审批",
        item_type="行政许可",
        category="投资建设",
        department_id=department.id,
        legal_basis="《城市道路管理条例》第三十条",
        scope="在开发区范围内占用、挖掘城市道路的单位和个人",
        conditions="1. 有施工方案；2. 有交通疏导方案",
        process_steps=[{"name": "受理", "description": "窗口受理"}, {"name": "审查", "description": "审查材料"}],
        location="便民服务中心二楼A区12号窗口",
        office_hours="周一至周五 9:00-17:00",
        consult_phone="0512-57860001",
        complaint_phone="0512-57860002",
        statutory_limit=20,
        promised_limit=5,
        case_type=2,
        fee="不收费",
        result_name="占用挖掘城市道路许可决定书",
        delivery_method="窗口领取",
        issues_licence=True,
        materials=[material("申请表"), material("施工方案"), material("交通疏导方案", required=False)],
    )
    values.update(overrides)
    return ItemIn.model_validate(values)


@dataclass
class World:
    """A small centre: departments A, B, C; staff of A and B; a leader, an admin, a citizen; items."""

    dept_a: Department
    dept_b: Department
    dept_c: Department
    users: dict[str, User]
    tokens: dict[str, str]
    item: ServiceItem
    immediate_item: ServiceItem
    joint_item: ServiceItem

    def auth(self, who: str) -> dict[str, str]:
        """Authorization header of a user, empty for anonymous."""
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}


@dataclass(frozen=True)
class WorldKeys:
    """What finds the world's objects in its rows: the keys of its departments, users and items, and the tokens
    (the database holds only their hashes)."""

    departments: tuple[int, int, int]
    users: dict[str, int]
    tokens: dict[str, str]
    items: tuple[int, int, int]

    @classmethod
    def of(cls, built: World) -> "WorldKeys":
        return cls(
            departments=(built.dept_a.id, built.dept_b.id, built.dept_c.id),
            users={name: user.id for name, user in built.users.items()},
            tokens=dict(built.tokens),
            items=(built.item.id, built.immediate_item.id, built.joint_item.id),
        )

    def load(self, db: Session) -> World:
        """The world's objects, read through ``db`` from the rows just written back."""
        departments = {d.id: d for d in db.scalars(select(Department).where(Department.id.in_(self.departments)))}
        by_id = {u.id: u for u in db.scalars(select(User).where(User.id.in_(self.users.values())))}
        items = {i.id: i for i in db.scalars(select(ServiceItem).where(ServiceItem.id.in_(self.items)))}
        a, b, c = (departments[key] for key in self.departments)
        users = {name: by_id[key] for name, key in self.users.items()}
        item, immediate, joint = (items[key] for key in self.items)
        db.commit()  # as the built world ends: no read transaction left open (it would not see the test's writes)
        return World(a, b, c, users, dict(self.tokens), item, immediate, joint)


def build_world(db: Session) -> World:
    """Makes the world through the services and commits it."""
    ensure_roles(db)
    a = Department(code="DA", name="城市管理局", short_name="城管")
    b = Department(code="DB", name="生态环境分局", short_name="环保")
    c = Department(code="DC", name="消防救援大队", short_name="消防")
    db.add_all([a, b, c])
    db.flush()
    users = {
        "clerk_a": org_service.create_user(
            db=db, username="clerk_a", name="张窗口", password=DEMO_PASSWORD, role_codes=["clerk"], department_id=a.id
        ),
        "officer_a": org_service.create_user(
            db=db,
            username="officer_a",
            name="李审批",
            password=DEMO_PASSWORD,
            role_codes=["officer"],
            department_id=a.id,
        ),
        "clerk_b": org_service.create_user(
            db=db, username="clerk_b", name="赵窗口", password=DEMO_PASSWORD, role_codes=["clerk"], department_id=b.id
        ),
        "officer_c": org_service.create_user(
            db=db,
            username="officer_c",
            name="钱消防",
            password=DEMO_PASSWORD,
            role_codes=["officer"],
            department_id=c.id,
        ),
        "leader": org_service.create_user(
            db=db, username="leader", name="王领导", password=DEMO_PASSWORD, role_codes=["leader"]
        ),
        "admin": org_service.create_user(
            db=db, username="admin", name="管理员", password=DEMO_PASSWORD, role_codes=["admin"]
        ),
        "citizen": org_service.register_citizen(db=db, phone="13800000001", name="孙市民", password=DEMO_PASSWORD),
        "citizen2": org_service.register_citizen(db=db, phone="13800000002", name="周市民", password=DEMO_PASSWORD),
    }
    item = item_service.save(db, None, item_in(a, name="占用、挖掘城市道路审批"))
    immediate = item_service.save(
        db,
        None,
        item_in(
            a,
            name="建设工程验线",
            case_type=1,
            promised_limit=1,
            issues_licence=False,
            materials=[material("验线申请表")],
        ),
    )
    joint = item_service.save(
        db,
        None,
        item_in(
            a, name="户外广告设置的审批", case_type=3, joint_route=[["DB"], ["DC"]], materials=[material("申请表")]
        ),
    )
    tokens = {k: org_service.issue_token(db=db, user=u, name="test") for k, u in users.items()}
    db.commit()
    return World(a, b, c, users, tokens, item, immediate, joint)


WORKDAY = datetime(2026, 9, 24, 10, 0)
"""Thursday before the 2026 Mid-Autumn + National Day holidays (9/25, 10/1–7 off; Sat 10/10 works)."""
