"""The rule engine: indicators + rule set → derived approval flow. A pure function: no I/O, no clock, no database."""

import re
from collections.abc import Mapping

from pydantic import BaseModel, Field

from core.rules.conditions import holds
from core.rules.document import STAGES, ApprovalDef, RuleDef, RuleSetDocument
from core.rules.indicators import Indicators, IndicatorValue, display, effective


class Reason(BaseModel):
    """Why an item is in the flow or was ruled out: the rule, its explanation and legal basis."""

    rule_code: str
    rule_name: str
    text: str
    legal_basis: str = ""


class FlowMaterial(BaseModel):
    """A material to prepare for one approval; ``reason`` is set when a rule added it."""

    name: str
    reason: Reason | None = None


class FlowItem(BaseModel):
    """An approval in the derived flow."""

    code: str
    name: str
    stage: str
    stage_name: str
    department_code: str
    department_name: str = ""
    order: int = 0
    depends_on: list[str] = Field(default_factory=list)
    time_limit_days: int = 0
    start_day: int = 0
    finish_day: int = 0
    materials: list[FlowMaterial] = Field(default_factory=list)
    intermediaries: list[str] = Field(default_factory=list)
    service_item_code: str = ""
    reasons: list[Reason] = Field(default_factory=list)
    confirmed_by: str = Field(default="", description="部门审核确认：部门、经办人、时间")


class FlowIntermediary(BaseModel):
    """An intermediary service the project needs."""

    code: str
    name: str
    serves: list[str] = Field(default_factory=list)
    description: str = ""
    typical_days: int = 0
    reasons: list[Reason] = Field(default_factory=list)


class RuledOut(BaseModel):
    """An item that was considered and is not needed, with the reason."""

    kind: str  # approval / intermediary
    code: str
    name: str
    reasons: list[Reason] = Field(default_factory=list)


class FlowStage(BaseModel):
    """One of the four standard stages with its approvals in order."""

    code: str
    name: str
    items: list[FlowItem] = Field(default_factory=list)


class DerivedFlow(BaseModel):
    """The result of a derivation."""

    rule_set_version: int
    indicators: dict[str, IndicatorValue] = Field(default_factory=dict)
    stages: list[FlowStage] = Field(default_factory=list)
    intermediaries: list[FlowIntermediary] = Field(default_factory=list)
    ruled_out: list[RuledOut] = Field(default_factory=list)
    total_days: int = 0
    skipped_rules: list[str] = Field(default_factory=list, description="因所需指标未填写而未适用的规则")

    def items(self) -> list[FlowItem]:
        """All approvals in flow order."""
        return [item for stage in self.stages for item in stage.items]

    def item(self, code: str) -> FlowItem | None:
        """The approval with this code, if the flow has it."""
        return next((i for i in self.items() if i.code == code), None)

    def signature(self) -> dict[str, object]:
        """What makes two flows different for the filer: approvals, their order and materials, intermediaries, exclusions."""
        return {
            "approvals": [(i.code, tuple(i.depends_on), tuple(m.name for m in i.materials)) for i in self.items()],
            "intermediaries": sorted(i.code for i in self.intermediaries),
            "ruled_out": sorted(r.code for r in self.ruled_out),
        }


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(template: str, values: Mapping[str, IndicatorValue]) -> str:
    """A reason text with ``{indicator}`` placeholders replaced by the answers as a person reads them."""
    return _PLACEHOLDER.sub(lambda m: display(m.group(1), values.get(m.group(1))), template)


class _Tally:
    """Which items the rules put in and took out so far, and why."""

    def __init__(self) -> None:
        self.present: dict[str, bool] = {}
        self.added: dict[str, list[Reason]] = {}
        self.removed: dict[str, list[Reason]] = {}
        self.not_needed: dict[str, list[Reason]] = {}

    def add(self, code: str, reason: Reason) -> None:
        self.present[code] = True
        self.added.setdefault(code, []).append(reason)

    def remove(self, code: str, reason: Reason) -> None:
        self.present[code] = False
        self.removed[code] = [reason]

    def consider(self, code: str, reason: Reason) -> None:
        self.not_needed.setdefault(code, []).append(reason)

    def kept(self) -> list[str]:
        return [code for code, present in self.present.items() if present]

    def excluded(self) -> dict[str, list[Reason]]:
        out: dict[str, list[Reason]] = {}
        for code in [*self.removed, *self.not_needed]:
            if not self.present.get(code, False) and code not in out:
                out[code] = self.removed.get(code) or self.not_needed[code]
        return out


def derive(
    indicators: Indicators,
    document: RuleSetDocument,
    *,
    version: int,
    department_names: Mapping[str, str] | None = None,
) -> DerivedFlow:
    """The approval flow the rules derive from these indicators."""
    values = effective(indicators)
    approvals, intermediaries = _Tally(), _Tally()
    material_changes: list[tuple[bool, str, str, Reason]] = []
    skipped: list[str] = []
    for rule in sorted((r for r in document.rules if r.enabled), key=lambda r: (r.priority, r.code)):
        outcome = holds(rule.condition, values)
        if outcome is None:
            skipped.append(rule.code)
            continue
        reason = _reason(rule, rule.reason if outcome else rule.otherwise, values)
        if outcome:
            for code in rule.add_approvals:
                approvals.add(code, reason)
            for code in rule.remove_approvals:
                approvals.remove(code, reason)
            for code in rule.add_intermediaries:
                intermediaries.add(code, reason)
            for code in rule.remove_intermediaries:
                intermediaries.remove(code, reason)
            material_changes += [(True, m.approval, m.name, reason) for m in rule.add_materials]
            material_changes += [(False, m.approval, m.name, reason) for m in rule.remove_materials]
        elif rule.otherwise:
            for code in rule.add_approvals:
                approvals.consider(code, reason)
            for code in rule.add_intermediaries:
                intermediaries.consider(code, reason)

    kept = [a for a in document.approvals if approvals.present.get(a.code)]
    flow_intermediaries = [
        FlowIntermediary(
            code=d.code,
            name=d.name,
            serves=[code for code in d.serves if approvals.present.get(code)],
            description=d.description,
            typical_days=d.typical_days,
            reasons=intermediaries.added[d.code],
        )
        for d in document.intermediaries
        if intermediaries.present.get(d.code)
    ]
    items = _order(kept, document, approvals.added, department_names or {})
    for item in items:
        item.materials = _materials(document.approval(item.code), material_changes)
        item.intermediaries = [i.code for i in flow_intermediaries if item.code in i.serves]
    stages = [
        FlowStage(code=code, name=name, items=[i for i in items if i.stage == code]) for code, name in STAGES.items()
    ]
    ruled_out = [
        RuledOut(kind="approval", code=code, name=_name(document, code), reasons=reasons)
        for code, reasons in approvals.excluded().items()
    ] + [
        RuledOut(kind="intermediary", code=code, name=_name(document, code), reasons=reasons)
        for code, reasons in intermediaries.excluded().items()
    ]
    return DerivedFlow(
        rule_set_version=version,
        indicators=values,
        stages=stages,
        intermediaries=flow_intermediaries,
        ruled_out=ruled_out,
        total_days=max((i.finish_day for i in items), default=0),
        skipped_rules=skipped,
    )


def _reason(rule: RuleDef, template: str, values: Mapping[str, IndicatorValue]) -> Reason:
    return Reason(rule_code=rule.code, rule_name=rule.name, text=fill(template, values), legal_basis=rule.legal_basis)


def _name(document: RuleSetDocument, code: str) -> str:
    found = document.approval(code) or document.intermediary(code)
    return found.name if found else code


def _materials(approval: ApprovalDef | None, changes: list[tuple[bool, str, str, Reason]]) -> list[FlowMaterial]:
    if approval is None:
        return []
    materials = [FlowMaterial(name=name) for name in approval.materials]
    for adding, code, name, reason in changes:
        if code != approval.code:
            continue
        materials = [m for m in materials if m.name != name]
        if adding:
            materials.append(FlowMaterial(name=name, reason=reason))
    return materials


def _order(
    kept: list[ApprovalDef],
    document: RuleSetDocument,
    reasons: Mapping[str, list[Reason]],
    department_names: Mapping[str, str],
) -> list[FlowItem]:
    """Approvals by stage, each after what it depends on, with earliest start/finish in working days."""
    present = {a.code for a in kept}
    stage_rank = {code: rank for rank, code in enumerate(STAGES)}
    catalogue_rank = {a.code: rank for rank, a in enumerate(document.approvals)}

    def prerequisites(code: str, seen: frozenset[str] = frozenset()) -> set[str]:
        # An absent approval passes its own prerequisites on, so order survives exclusions.
        found: set[str] = set()
        approval = document.approval(code)
        for dep in approval.depends_on if approval else []:
            if dep in seen:
                continue
            found |= {dep} if dep in present else prerequisites(dep, seen | {code})
        return found

    deps = {a.code: prerequisites(a.code) for a in kept}
    done: list[ApprovalDef] = []
    waiting = sorted(kept, key=lambda a: (stage_rank[a.stage], catalogue_rank[a.code]))
    while waiting:
        placed = {a.code for a in done}
        ready = next((a for a in waiting if deps[a.code] <= placed), waiting[0])  # a cycle is broken, not looped
        done.append(ready)
        waiting.remove(ready)

    finish: dict[str, int] = {}
    items: list[FlowItem] = []
    for order, approval in enumerate(done, start=1):
        start = max((finish.get(d, 0) for d in deps[approval.code]), default=0)
        finish[approval.code] = start + approval.time_limit_days
        items.append(
            FlowItem(
                code=approval.code,
                name=approval.name,
                stage=approval.stage,
                stage_name=STAGES[approval.stage],
                department_code=approval.department_code,
                department_name=department_names.get(approval.department_code, ""),
                order=order,
                depends_on=sorted(deps[approval.code], key=lambda c: catalogue_rank[c]),
                time_limit_days=approval.time_limit_days,
                start_day=start,
                finish_day=finish[approval.code],
                service_item_code=approval.service_item_code,
                reasons=reasons.get(approval.code, []),
            )
        )
    return items
