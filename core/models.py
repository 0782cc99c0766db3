"""Imports every model so that the metadata (and Alembic) sees all tables."""

from core.assessment.models import (
    Assessment,
    AssessmentAppeal,
    AssessmentCorrection,
    AssessmentResult,
    AssessmentScheme,
    AssessmentScore,
    SchemeIndicator,
)
from core.audit.models import AuditLog
from core.cases.models import (
    Applicant,
    Case,
    CaseMaterial,
    CaseNumberCounter,
    CaseStep,
    ChannelBinding,
    JointTask,
    Licence,
    Supplement,
    Suspension,
)
from core.db import Base
from core.early_warnings.models import EarlyWarning, WarningDigest
from core.evaluation.models import Evaluation
from core.events.models import DomainEvent
from core.exchange.models import ExchangeCounterpartState, ExchangeReconciliation, ExchangeRecord
from core.figures.models import (
    FigureDay,
    FigureFollowUp,
    FigureMonth,
    FigureOpen,
    FigurePush,
    FigureRun,
    FigureWindow,
)
from core.files.models import StoredFile
from core.guidance.models import GuidanceBooking, GuidanceDayOff, GuidancePlace, GuidanceStaff
from core.items.models import ItemMaterial, ItemTemplate, ItemVersion, ServiceItem
from core.major_projects.models import (
    CoordinationIssue,
    IssueDepartment,
    IssueReply,
    MajorProject,
    Meeting,
    MeetingDecision,
    Milestone,
    ProjectNode,
)
from core.modules.models import ModuleOff
from core.org.models import ApiToken, Department, Role, User
from core.projects.models import DepartmentReview, Derivation, GuidanceLetter, Project, ReviewAdjustment
from core.rules.models import RuleSetVersion
from core.supervision.models import (
    ItemComparison,
    ItemComparisonRow,
    SupervisionConfig,
    SupervisionEscalation,
    SupervisionFeedback,
    SupervisionPush,
)
from core.topics.models import SpecialTopic
from core.warning_settings.models import WarningSetting

__all__ = [
    "ApiToken",
    "Applicant",
    "Assessment",
    "AssessmentAppeal",
    "AssessmentCorrection",
    "AssessmentResult",
    "AssessmentScheme",
    "AssessmentScore",
    "AuditLog",
    "Base",
    "Case",
    "CaseMaterial",
    "CaseNumberCounter",
    "CaseStep",
    "ChannelBinding",
    "CoordinationIssue",
    "Department",
    "DepartmentReview",
    "Derivation",
    "DomainEvent",
    "EarlyWarning",
    "Evaluation",
    "ExchangeCounterpartState",
    "ExchangeReconciliation",
    "ExchangeRecord",
    "FigureDay",
    "FigureFollowUp",
    "FigureMonth",
    "FigureOpen",
    "FigurePush",
    "FigureRun",
    "FigureWindow",
    "GuidanceBooking",
    "GuidanceDayOff",
    "GuidanceLetter",
    "GuidancePlace",
    "GuidanceStaff",
    "IssueDepartment",
    "IssueReply",
    "ItemComparison",
    "ItemComparisonRow",
    "ItemMaterial",
    "ItemTemplate",
    "ItemVersion",
    "JointTask",
    "Licence",
    "MajorProject",
    "Meeting",
    "MeetingDecision",
    "Milestone",
    "ModuleOff",
    "Project",
    "ProjectNode",
    "ReviewAdjustment",
    "Role",
    "RuleSetVersion",
    "SchemeIndicator",
    "ServiceItem",
    "SpecialTopic",
    "StoredFile",
    "SupervisionConfig",
    "SupervisionEscalation",
    "SupervisionFeedback",
    "SupervisionPush",
    "Supplement",
    "Suspension",
    "User",
    "WarningDigest",
    "WarningSetting",
]
