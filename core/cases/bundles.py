"""一件事 applications: one form for the items of a themed bundle.

The applicant's details are typed once and each material once: a material several items ask for (the same
name) is one line of the form, and the file given there goes to every item that asks for it. Filing creates
the case of every item at once, in the request's one transaction — a refusal of any item (a missing material,
an item taken offline) files none — and gives them one query password. The cases point to their bundle
application, so that 我的办件 and the progress query show them together.

The bundles themselves (theme, items) are the knowledge base's; the page passes the theme and its items in, so
that the core does not depend on the knowledge package.
"""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases import service as case_service
from core.cases.enums import STATUS_LABELS, STEP_LABELS
from core.cases.models import Case, CaseBundle
from core.cases.schemas import ApplicantIn, MaterialIn, SubmitIn
from core.errors import ValidationFailed
from core.items.models import ItemMaterial, ServiceItem
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.security import keyed_hash, new_query_code


@dataclass
class MaterialLine:
    """One line of the bundle's form: a material asked for by one or more of its items."""

    slot: str
    name: str
    required: bool
    notes: str
    licence_name: str
    members: list[ItemMaterial] = field(default_factory=list)
    item_names: list[str] = field(default_factory=list)


def material_lines(items: list[ServiceItem]) -> list[MaterialLine]:
    """The bundle's materials, each once: the items' materials merged by name, in the items' order."""
    lines: dict[str, MaterialLine] = {}
    for item in items:
        for material in item.materials:
            line = lines.get(material.name)
            if line is None:
                line = MaterialLine(
                    slot=str(material.id),
                    name=material.name,
                    required=material.required,
                    notes=material.notes,
                    licence_name=material.licence_name,
                )
                lines[material.name] = line
            line.required = line.required or material.required
            line.members.append(material)
            line.item_names.append(item.name)
    return list(lines.values())


def offline_items(items: list[ServiceItem]) -> list[ServiceItem]:
    """Items of the bundle that cannot be applied for online (the bundle then cannot be either)."""
    return [item for item in items if not item.is_online or not item.is_published]


@dataclass(frozen=True)
class NewBundle:
    """A bundle application just filed: its cases, and the one query password to show this once."""

    bundle: CaseBundle
    cases: list[Case]
    query_code: str


def submit(
    db: Session,
    user: User | None,
    *,
    bundle_ref: int,
    theme: str,
    items: list[ServiceItem],
    applicant: ApplicantIn,
    project_name: str,
    choices: dict[str, MaterialIn],
) -> NewBundle:
    """Files the case of every item of the bundle with the shared details and materials (``choices`` by the
    line's slot), all or none."""
    citizen = org_service.require(user, Permission.CASE_APPLY)
    if not items:
        raise ValidationFailed("该一件事主题没有可办理的事项，请到窗口咨询")
    offline = offline_items(items)
    if offline:
        names = "、".join(f"“{item.name}”" for item in offline)
        raise ValidationFailed(f"事项{names}暂不支持网上申报，本一件事请到窗口办理")
    by_material = {m.id: line.slot for line in material_lines(items) for m in line.members}
    cases: list[Case] = []
    for item in items:
        materials = []
        for material in item.materials:
            chosen = choices.get(by_material[material.id])
            if chosen is not None:
                materials.append(chosen.model_copy(update={"item_material_id": material.id}))
        data = SubmitIn(service_item_id=item.id, applicant=applicant, project_name=project_name, materials=materials)
        try:
            cases.append(case_service.submit_online(db, citizen, data).case)
        except ValidationFailed as error:
            raise ValidationFailed(f"“{item.name}”：{error.message}", code=error.code, field=error.field) from error
    code = new_query_code()
    bundle = CaseBundle(
        bundle_ref=bundle_ref, theme=theme[:100], owner_user_id=citizen.id, applicant_id=cases[0].applicant_id
    )
    db.add(bundle)
    db.flush()
    for case in cases:
        case.bundle_id = bundle.id
        case.query_code_hash = keyed_hash(code)
    db.flush()
    return NewBundle(bundle, cases, code)


@dataclass(frozen=True)
class BundleCase:
    """One case of a bundle as its applicant sees it in the list of the bundle."""

    id: int
    case_no: str
    item_name: str
    department_name: str
    status_label: str
    step_label: str


@dataclass(frozen=True)
class BundleView:
    """A bundle application with all its cases."""

    id: int
    theme: str
    cases: list[BundleCase]


def view(db: Session, bundle_id: int | None) -> BundleView | None:
    """The bundle with its cases (for a case already checked to be the viewer's: the bundle's cases are the same
    applicant's, filed with the same form and password)."""
    if bundle_id is None:
        return None
    bundle = db.get(CaseBundle, bundle_id)
    if bundle is None:
        return None
    rows = [
        BundleCase(
            id=c.id,
            case_no=c.case_no,
            item_name=c.item.name,
            department_name=c.department.name,
            status_label=STATUS_LABELS[c.status],
            step_label=STEP_LABELS[c.current_step],
        )
        for c in bundle.cases
    ]
    return BundleView(bundle.id, bundle.theme, rows)


def view_by_case_no(db: Session, case_no: str) -> BundleView | None:
    """The bundle of the case with this number (after its query password was checked), if it is in one."""
    case = case_service.get_by_no(db, case_no)
    return view(db, case.bundle_id) if case is not None else None


def themes_of(db: Session, case_ids: list[int]) -> dict[int, tuple[int, str]]:
    """For the cases of a list that belong to a bundle: their bundle's id and theme."""
    if not case_ids:
        return {}
    rows = db.execute(
        select(Case.id, CaseBundle.id, CaseBundle.theme)
        .join(CaseBundle, CaseBundle.id == Case.bundle_id)
        .where(Case.id.in_(case_ids))
    )
    return {case_id: (bundle_id, theme) for case_id, bundle_id, theme in rows}
