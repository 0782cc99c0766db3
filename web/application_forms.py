"""What the online application forms share (one item: web/portal_apply.py; 一件事: web/portal_bundles.py): the
form's key, the files kept when the form comes back with an error, and each material's choice.

A form is opened with a fresh key (core/cases/submissions.py). When it is sent, every chosen file is checked
and kept as a pending upload of that key, and those are committed at once, before anything else is checked:
whatever then refuses the application (a missing field, a wrong ID number, a missing material), the files stay,
the form shows them as attached, and sending it again uses them.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.cases import service as case_service
from core.cases import submissions
from core.cases.bundles import MaterialLine
from core.cases.models import Case, CaseMaterial, Licence, PendingUpload
from core.cases.schemas import ApplicantIn, MaterialIn
from core.db import mark_for_writing
from core.errors import ValidationFailed
from core.files import service as file_service
from core.items import templates as item_templates
from core.org.models import User
from core.settings import get_settings
from web.common import text, to_int, upload, validation_message

APPLICANT_FIELDS = ("kind", "name", "id_number", "phone", "address", "legal_representative", "contact_name")
APPLICANT_LABELS = {
    "kind": "申请人类型",
    "name": "申请人名称",
    "id_number": "证件号码",
    "phone": "联系电话",
    "address": "地址",
    "legal_representative": "法定代表人",
    "contact_name": "联系人",
}


def applicant_values(form: FormData) -> dict[str, str]:
    """The applicant's fields as typed."""
    values = {field: text(form, field) for field in APPLICANT_FIELDS}
    values["kind"] = values["kind"] or "personal"
    return values


def checked_applicant(values: dict[str, str]) -> ApplicantIn:
    """The applicant's fields checked, or the first problem in Chinese."""
    try:
        return ApplicantIn.model_validate(values)
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, APPLICANT_LABELS)) from exc


def form_key(form: FormData) -> str:
    """The key the form was opened with."""
    return text(form, "form_key")[:64]


def keep_uploads(db: Session, form: FormData, user: User, key: str, lines: list[MaterialLine]) -> None:
    """Checks and keeps every file chosen on the form, committing them on their own; a file refused (a wrong
    type, too large) is named in the error while the others are kept."""
    limit = get_settings().upload_max_bytes
    problems: list[str] = []
    for line in lines:
        if form.get(f"drop_{line.slot}") is not None:
            submissions.drop(db, user, key, line.slot)
        file = upload(form, f"file_{line.slot}")
        if file is None:
            continue
        content = file.file.read(limit + 1)
        try:
            stored = file_service.store(db, filename=file.filename or "", content=content, uploaded_by_id=user.id)
        except ValidationFailed as error:
            problems.append(error.message)
            continue
        db.flush()
        submissions.keep_upload(db, user, key, line.slot, stored)
    db.commit()  # the files are kept whatever happens to the application below
    mark_for_writing(db)
    if problems:
        raise ValidationFailed("；".join(problems), field="materials")


def choices(db: Session, form: FormData, user: User, key: str, lines: list[MaterialLine]) -> dict[str, MaterialIn]:
    """Each line's material: an earlier material or e-licence chosen from the list, else the file kept for it."""
    kept = submissions.pending(db, user, key)
    chosen: dict[str, MaterialIn] = {}
    for line in lines:
        first = line.members[0].id
        reuse = text(form, f"reuse_{line.slot}")
        if reuse[:2] in ("h:", "l:"):
            number = to_int(reuse[2:], "材料")
            if reuse.startswith("h:"):
                chosen[line.slot] = MaterialIn(item_material_id=first, history_material_id=number)
            else:
                chosen[line.slot] = MaterialIn(item_material_id=first, licence_id=number)
        elif line.slot in kept:
            chosen[line.slot] = MaterialIn(item_material_id=first, upload_id=kept[line.slot].file_id)
    return chosen


@dataclass(frozen=True)
class Reused:
    """An earlier material or e-licence chosen on the form, as the form shows it again after an error."""

    value: str
    label: str


def _reused(db: Session, user: User, value: str) -> Reused | None:
    """The label of a chosen earlier material or licence, when it is one the user may see (else nothing)."""
    try:
        number = int(value[2:])
    except ValueError:
        return None
    if value.startswith("h:"):
        material = db.get(CaseMaterial, number)
        case = db.get(Case, material.case_id) if material else None
        if material is None or case is None or not case_service.can_view(user, case):
            return None
        name = f"（{material.file.original_name}）" if material.file else ""
        return Reused(value, f"历史材料：{material.name}{name}")
    if value.startswith("l:"):
        licence = db.get(Licence, number)
        case = db.get(Case, licence.case_id) if licence else None
        if licence is None or case is None or not case_service.can_view(user, case):
            return None
        return Reused(value, f"电子证照：{licence.name}（{licence.licence_no}）")
    return None


def form_context(
    db: Session, user: User, key: str, lines: list[MaterialLine], form: FormData | None = None
) -> dict[str, Any]:
    """What the material table of a form needs: its lines, the files kept for it, and the earlier materials
    chosen (when the form comes back)."""
    key = key if key and _valid(key) else submissions.new_form_key()
    kept: dict[str, PendingUpload] = submissions.pending(db, user, key)
    reused: dict[str, Reused] = {}
    if form is not None:
        for line in lines:
            value = text(form, f"reuse_{line.slot}")
            found = _reused(db, user, value) if value[:2] in ("h:", "l:") else None
            if found is not None:
                reused[line.slot] = found
    material_ids = [m.id for line in lines for m in line.members]
    return {
        "form_key": key,
        "lines": lines,
        "kept": kept,
        "reused": reused,
        "material_templates": item_templates.current_for_materials(db, material_ids),
        "kind_labels": item_templates.KIND_LABELS,
    }


def _valid(key: str) -> bool:
    try:
        submissions.checked_key(key)
    except ValidationFailed:
        return False
    return True
