"""Files the pages load that are not ours: browser libraries installed from the npm registry (package.json,
package-lock.json; ``scripts/lib.sh`` ``ensure_npm`` runs ``npm ci``) and served from this app, never from a CDN —
a government intranet often has no internet, and a page must not depend on a third party's server. Each library
has one stable address under /static/vendor/ that every page (statistics, the leaders' dashboards) uses.

Also the site icon at /favicon.ico, where browsers look for it without being told."""

from pathlib import Path

from fastapi import FastAPI, HTTPException
from starlette.responses import FileResponse

from web.common import WEB_DIR

ROOT = WEB_DIR.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR_FILES: dict[str, Path] = {"echarts.min.js": NODE_MODULES / "echarts" / "dist" / "echarts.min.js"}
"""Address under /static/vendor/ → the installed file. Add a library here (and to package.json) to serve it."""
CACHE = "public, max-age=86400"


def vendor_url(name: str) -> str:
    """The one address pages use for a vendored file."""
    if name not in VENDOR_FILES:
        raise KeyError(name)
    return f"/static/vendor/{name}"


def install(app: FastAPI) -> None:
    """Adds the vendored files and the site icon; call before /static is mounted (a mount answers all below it)."""

    @app.get("/static/vendor/{name}", include_in_schema=False)
    def vendored(name: str) -> FileResponse:
        path = VENDOR_FILES.get(name)
        if path is None or not path.is_file():
            raise HTTPException(404)  # not installed: scripts/run.sh and scripts/test.sh run `npm ci` first
        return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": CACHE})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(
            WEB_DIR / "static" / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": CACHE}
        )
