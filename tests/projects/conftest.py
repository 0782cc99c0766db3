"""A filing world: the centre's real departments, the seed rule set in force, a guide and department officers."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from core.org import service as org_service
from core.org.models import Department
from core.rules import service as rules_service
from core.rules.seed import initial_document
from core.seed.demo import DEMO_PASSWORD, seed_departments
from core.validators import credit_code_check_char
from tests.world import World

FACTORY_ANSWERS: dict[str, Any] = {
    "investor": "enterprise",
    "in_approval_catalogue": False,
    "project_type": "industrial",
    "new_land": True,
    "land_supply": "transfer",
    "total_investment": 80_000_000.0,
    "floor_area": 24_000.0,
    "civil_building": False,
    "has_basement": False,
    "energy_tce": 800.0,
    "electricity_kwh": 3_000_000.0,
    "coal_tonnes": 0.0,
    "industry": "equipment",
    "sewage_to_network": True,
    "digs_road": False,
    "bridge_pipeline": False,
    "moves_trees": False,
    "occupies_green_space": False,
    "outdoor_advertising": False,
}
"""A typical equipment factory on transferred land, below the energy-review thresholds."""

FACTORY_INFO: dict[str, str] = {
    "name": "精密机械零部件生产基地项目",
    "enterprise_name": "XX精工科技有限公司",
    "credit_code": "91320583MA1XXXXXX" + credit_code_check_char("91320583MA1XXXXXX"),
    "location": "经济开发区创业路18号",
    "contact_name": "刘工",
    "contact_phone": "13912345678",
}


@dataclass
class Filing:
    """The filing world."""

    world: World
    departments: dict[str, Department]
    token_of: Callable[[str], dict[str, str]]


@pytest.fixture
def filing(world: World, db: Session) -> Filing:
    """Seed departments, the seed rule set published, a project guide, and officers created on demand."""
    departments = seed_departments(db)
    rules_service.install(db, initial_document(), note="初始规则")
    guide = org_service.create_user(
        db=db, username="guide", name="周专员", password=DEMO_PASSWORD, role_codes=["guide"]
    )
    world.users["guide"] = guide
    world.tokens["guide"] = org_service.issue_token(db=db, user=guide, name="test")
    db.commit()

    def token_of(who: str) -> dict[str, str]:
        if who not in world.tokens:
            code = who.removeprefix("officer_").upper()
            user = org_service.create_user(
                db=db,
                username=who,
                name=f"审核员{code}",
                password=DEMO_PASSWORD,
                role_codes=["officer"],
                department_id=departments[code].id,
            )
            world.users[who] = user
            world.tokens[who] = org_service.issue_token(db=db, user=user, name="test")
            db.commit()
        return world.auth(who)

    return Filing(world, departments, token_of)


def new_project(client: TestClient, filing: Filing, answers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A citizen's project with the factory's facts and the given answers (the factory's by default)."""
    response = client.post(
        "/api/v1/projects",
        json={**FACTORY_INFO, "indicators": FACTORY_ANSWERS if answers is None else answers},
        headers=filing.world.auth("citizen"),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())
