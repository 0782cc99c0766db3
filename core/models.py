"""Imports every model so that the metadata (and Alembic) sees all tables."""

from core.audit.models import AuditLog
from core.cases.models import (
    Applicant,
    Case,
    CaseMaterial,
    CaseNumberCounter,
    CaseStep,
    JointTask,
    Licence,
    Supplement,
    Suspension,
)
from core.db import Base
from core.files.models import StoredFile
from core.items.models import ItemMaterial, ServiceItem
from core.org.models import ApiToken, Department, Role, User

__all__ = [
    "ApiToken",
    "Applicant",
    "AuditLog",
    "Base",
    "Case",
    "CaseMaterial",
    "CaseNumberCounter",
    "CaseStep",
    "Department",
    "ItemMaterial",
    "JointTask",
    "Licence",
    "Role",
    "ServiceItem",
    "StoredFile",
    "Supplement",
    "Suspension",
    "User",
]
