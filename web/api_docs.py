"""The /api/v1 documentation (Swagger UI) from local files: no CDN, and no inline script for the CSP to refuse."""

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

DOCS_URL = "/api/v1/docs"
OPENAPI_URL = "/api/v1/openapi.json"
SWAGGER_UI = "/static/swagger-ui"  # swagger-ui-dist, version in its VERSION file


@router.get(DOCS_URL, response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    """Swagger UI for the OpenAPI document, every file served by this site."""
    return HTMLResponse(
        f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>通办 Tongban API 文档</title>
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
<link rel="icon" type="image/png" href="{SWAGGER_UI}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{escape(OPENAPI_URL)}"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""
    )
