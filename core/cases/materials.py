"""Opening an applicant's uploaded materials: who may, and what the trust level of each means.

A material's file is personal data the applicant gave one department for one case. Staff who read cases of that
department (or of a department reviewing it jointly) open it to examine the application; nobody else does — not
another department's staff, not the applicant's neighbour with a guessed number. Every opening is audited, since
等保三级 asks who read which personal file when.
"""

from sqlalchemy.orm import Session

from core.audit.service import record_read
from core.cases.models import Case, CaseMaterial
from core.cases.service import case_departments
from core.errors import NotAuthenticated, NotFound, PermissionDenied
from core.files import service as file_service
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission

TRUST_LEVELS = {
    "A": "A级：发证机关直接出具的电子证照，可直接采信",
    "B": "B级：窗口人员已与原件核验一致",
    "C": "C级：申请人自行上传，须核验原件",
    "D": "D级：申请人承诺提供，须核实",
}
"""电子证照可信等级 (国办函〔2016〕108号), as a clerk needs to read them (the cell's tooltip and the note)."""
TRUST_SHORT = {"A": "A级：可直接采信", "B": "B级：已核验原件", "C": "C级：须核验原件", "D": "D级：须核实"}
"""What the material table's cell says, short enough for a phone."""

SOURCE_LABELS = {"upload": "上传", "history": "历史材料", "licence": "电子证照", "paper": "纸质"}


def can_open(user: User | None, case: Case) -> bool:
    """True when the member of staff reads cases of the case's department (or a joint reviewer's)."""
    return (
        user is not None
        and user.is_staff
        and Permission.CASE_READ in user.permissions
        and org_service.can_reach_department(user, case_departments(case))
    )


def open_file(db: Session, user: User | None, case: Case, material_id: int) -> file_service.FileContent:
    """The file of one material of the case, for staff who may open it; the opening is audited."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if not can_open(user, case):
        raise PermissionDenied("只有办理该办件部门的工作人员可以查看申请材料")
    material = db.get(CaseMaterial, material_id)
    if material is None or material.case_id != case.id:
        raise NotFound("材料不存在")
    if material.file is None:
        raise NotFound(f"材料“{material.name}”没有电子文件（{SOURCE_LABELS.get(material.source, '纸质')}材料）")
    found = file_service.opened(material.file)
    record_read(
        db,
        "case_material",
        material.id,
        action="case.material_download",
        details={"case_no": case.case_no, "material": material.name, "file": material.file.original_name},
    )
    return found
