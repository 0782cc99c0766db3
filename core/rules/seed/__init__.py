"""The rule set a new installation starts from: the construction-project approvals of an economic development zone.

``ruleset.json`` encodes the facts of DOMAIN.md, "Construction projects (工程建设项目审批)", each rule with its
legal basis: 审批制 / 核准制 / 备案制 (《企业投资项目核准和备案管理条例》), 划拨 and 出让 land (《城乡规划法》第36–38条:
a 选址意见书 only for allocated land of a project that needs 审批 or 核准), the 建设工程规划许可证 (第40条), the
construction-permit thresholds of 30万元 and 300 m² (《建筑工程施工许可管理办法》第二条), the energy review at
1,000 t standard coal or 1,000 t of coal a year and its notify-and-commit route inside an area with a regional
review (《固定资产投资项目节能审查和碳排放评价办法》, 国家发展改革委令2025年第31号, 第八条、第十一条; the
electricity test of the repealed 2023 measure is gone), 人防结建 (《人民防空法》第22条), the municipal permits
(排水, 城市道路, 城市桥梁, 城市绿化, 户外广告) and the EIA category by industry (《建设项目环境影响评价分类管理名录》
（2021年版）). Databases seeded with an earlier rule set are brought up to date by ``core.rules.seed.updates``.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from core.rules.document import RuleSetDocument

RULESET_PATH = Path(__file__).with_name("ruleset.json")


@cache
def _raw() -> str:
    return RULESET_PATH.read_text(encoding="utf-8")


def initial_document() -> RuleSetDocument:
    """The seed rule set, validated; a fresh object on every call, so a caller may change it freely."""
    data: dict[str, Any] = json.loads(_raw())
    return RuleSetDocument.model_validate(data)
