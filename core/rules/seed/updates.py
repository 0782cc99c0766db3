"""Changes to the seed rule set that a database seeded with an earlier one must receive.

Each update names the rules it brings in line with ``ruleset.json`` and the rules it retires, and leaves every
other rule as the administrators have it. ``core.projects.rule_updates`` ships it through the normal path (a
draft, a dry-run against the existing projects, publishing with re-derivation), as the system.
"""

from dataclasses import dataclass

from core.rules.document import RuleSetDocument
from core.rules.seed import initial_document


@dataclass(frozen=True)
class SeedUpdate:
    """One change of the seed rules, published once as its own version."""

    title: str
    """The start of the version's note: a version whose note starts with it means the update was published."""
    note: str
    sync: tuple[str, ...]
    """Rules taken from the seed: replaced where the document has them, added where it does not."""
    retire: tuple[str, ...] = ()
    """Rules removed."""
    approvals: tuple[str, ...] = ()
    """Approvals taken from the seed (name, catalogue item, materials, order): replaced or added."""

    def apply(self, document: RuleSetDocument) -> RuleSetDocument:
        """The document with this update made; equal to it when there is nothing to do."""
        seed = initial_document()
        wanted = {code: seed.rule(code) for code in self.sync}
        missing = [code for code, rule in wanted.items() if rule is None]
        if missing:
            raise ValueError(f"seed rule set lacks {missing}")
        updated = document.model_copy(deep=True)
        rules, placed = [], set()
        for rule in updated.rules:
            if rule.code in self.retire:
                continue
            replacement = wanted.get(rule.code)
            rules.append(replacement if replacement is not None else rule)
            placed.add(rule.code)
        rules += [rule for code, rule in wanted.items() if code not in placed and rule is not None]
        updated.rules = rules
        for code in self.approvals:
            approval = seed.approval(code)
            if approval is None:
                raise ValueError(f"seed rule set lacks approval {code}")
            found = [i for i, a in enumerate(updated.approvals) if a.code == code]
            if found:
                updated.approvals[found[0]] = approval
            else:
                updated.approvals.append(approval)
        return updated


ENERGY_REVIEW_2025 = SeedUpdate(
    title="节能审查依据更新为国家发展改革委令2025年第31号",
    note=(
        "节能审查依据更新为国家发展改革委令2025年第31号（《固定资产投资项目节能审查和碳排放评价办法》，"
        "自2025年9月1日起施行，2023年第2号令同时废止）：年综合能源消费量1000吨标准煤及以上或年煤炭消费量1000吨"
        "及以上的项目须节能审查，不再以年用电量500万千瓦时为标准；已实施区域节能审查的区域内，节能审查实行告知"
        "承诺制（第八条、第十一条）。划拨用地仅审批制、核准制项目须核发选址意见书（《城乡规划法》第三十六条）。"
        "由系统按草稿、试算、发布的流程更新。"
    ),
    sync=(
        "energy_by_consumption",
        "energy_by_coal_use",
        "energy_notify_commit",
        "land_allocated",
        "land_allocated_filing",
        "bridge",
    ),
    retire=("energy_by_coal", "energy_by_electricity"),
)

CATALOGUE_2026 = SeedUpdate(
    title="审批事项与事项目录一致",
    note=(
        "审批事项与事项目录一致：流程中的每个审批事项对应事项目录中的一个事项（同一名称、同一办事指南）。"
        "新增“国有建设用地使用权首次登记”：新增建设用地的项目在施工许可前办理（施工许可须提交用地批准手续，"
        "《建筑工程施工许可管理办法》第四条）；“户外广告设置的审批”“规划许可内容的核实”“建设项目环境影响报告书（表）审批”"
        "按目录名称显示；项目建议书审批、初步设计审批、环境影响登记表备案、特殊建设工程消防验收、建设工程消防验收备案、"
        "人防工程竣工验收备案关联目录事项。由系统按草稿、试算、发布的流程更新。"
    ),
    sync=("land_new",),
    approvals=(
        "land_registration",
        "construction_permit",
        "outdoor_ad",
        "planning_verification",
        "eia_report_book",
        "eia_report_form",
        "proposal_approval",
        "preliminary_design_approval",
        "eia_registration",
        "fire_acceptance",
        "fire_acceptance_filing",
        "civil_defence_acceptance",
        "drainage_permit",
    ),
)

UPDATES: tuple[SeedUpdate, ...] = (ENERGY_REVIEW_2025, CATALOGUE_2026)
"""Every update, oldest first."""
