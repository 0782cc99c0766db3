"""The guide's material templates for everyone: download the blank form or the filled sample (its current
version), and look at a preview first (a PDF's first page as an image; Word and Excel files have none)."""

from fastapi import APIRouter
from fastapi.responses import Response

from core.deps import DB
from core.errors import NotFound
from core.items import templates
from web.common import WebUser, file_response

router = APIRouter(include_in_schema=False)


@router.get("/guides/{item_id}/templates/{template_id}")
def template_download(item_id: int, template_id: int, db: DB, user: WebUser) -> Response:
    """The template's file, saved under the material's name, kind and version."""
    template = templates.get_served(db, user, template_id, item_id=item_id)
    return file_response(templates.opened(template), attachment=True)


@router.get("/guides/{item_id}/templates/{template_id}/preview")
def template_preview(item_id: int, template_id: int, db: DB, user: WebUser) -> Response:
    """The preview image (made once and kept); an Office file has none: download it instead."""
    template = templates.get_served(db, user, template_id, item_id=item_id)
    shown = templates.preview(template)
    if shown is None:
        raise NotFound("Word、Excel 文件没有预览，请下载后查看")
    return Response(shown.content, media_type=shown.content_type, headers={"Cache-Control": "public, max-age=3600"})
