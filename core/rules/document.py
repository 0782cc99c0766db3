"""A rule set as data: the approvals and intermediary services it knows, and the rules that pick them.

One published document is in force at a time; every edit makes a new version (see ``core.rules.service``).
"""

from pydantic import BaseModel, ConfigDict, Field, model_validator

STAGES: dict[str, str] = {
    "land_planning": "立项用地规划许可",
    "engineering": "工程建设许可",
    "construction": "施工许可",
    "completion": "竣工验收",
}

CODE_PATTERN = r"^[a-z][a-z0-9_]{1,49}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApprovalDef(_Strict):
    """An approval (审批事项) a flow may contain."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=100)
    stage: str
    department_code: str = Field(min_length=1, max_length=10)
    time_limit_days: int = Field(ge=0, le=365, description="承诺时限（工作日）")
    materials: list[str] = Field(default_factory=list)
    depends_on: list[str] = Field(default_factory=list, description="须在其前完成的审批")
    service_item_code: str = Field(default="", description="事项目录中的事项编码，用于“去申报”链接")
    note: str = ""

    @model_validator(mode="after")
    def _known_stage(self) -> "ApprovalDef":
        if self.stage not in STAGES:
            raise ValueError(f"阶段只能是：{'、'.join(STAGES.values())}")
        return self


class IntermediaryDef(_Strict):
    """A report or service by a licensed third party (中介服务)."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=100)
    serves: list[str] = Field(default_factory=list, description="所服务的审批")
    description: str = ""
    typical_days: int = Field(default=0, ge=0, le=365)


class MaterialChange(_Strict):
    """A material a rule adds to (or removes from) one approval."""

    approval: str
    name: str = Field(min_length=1, max_length=200)


class RuleDef(_Strict):
    """A rule: when its condition holds over the indicators, it adds or rules out items, and says why."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1, max_length=100)
    priority: int = Field(default=100, ge=0, le=10000, description="数值大的后执行，可覆盖先执行的规则")
    condition: str = Field(min_length=1, max_length=2000)
    add_approvals: list[str] = Field(default_factory=list)
    remove_approvals: list[str] = Field(default_factory=list)
    add_materials: list[MaterialChange] = Field(default_factory=list)
    remove_materials: list[MaterialChange] = Field(default_factory=list)
    add_intermediaries: list[str] = Field(default_factory=list)
    remove_intermediaries: list[str] = Field(default_factory=list)
    reason: str = Field(min_length=1, max_length=500, description="条件成立时的理由，可用 {指标} 占位")
    otherwise: str = Field(default="", max_length=500, description="条件不成立时，所加事项列为“无需办理”的理由")
    legal_basis: str = Field(default="", max_length=500)
    enabled: bool = True


class RuleSetDocument(_Strict):
    """Everything the engine needs besides the indicators."""

    approvals: list[ApprovalDef] = Field(default_factory=list)
    intermediaries: list[IntermediaryDef] = Field(default_factory=list)
    rules: list[RuleDef] = Field(default_factory=list)

    def approval(self, code: str) -> ApprovalDef | None:
        """The approval with this code, if the document defines it."""
        return next((a for a in self.approvals if a.code == code), None)

    def intermediary(self, code: str) -> IntermediaryDef | None:
        """The intermediary service with this code, if the document defines it."""
        return next((i for i in self.intermediaries if i.code == code), None)

    def rule(self, code: str) -> RuleDef | None:
        """The rule with this code, if the document defines it."""
        return next((r for r in self.rules if r.code == code), None)
