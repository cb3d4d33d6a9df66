"""The portal's built single-page app (web/dist), served by `comptoir up` at `/` beside the API.

A GET of `/`, of a file of web/dist, or of a path under one of the app's own first segments
(APP_ROUTE_PREFIXES: a deep link such as /c/<cid>/box/sales survives a reload) is the app's; anything
else stays the gateway's JSON 404. API base paths are matched first by the gateway, and no app prefix
is an API base path, so the app never shadows the API. Every answer carries the strict
Content-Security-Policy the CloudFront distribution sends too.
"""

import mimetypes
import os
from pathlib import Path


def content_security_policy(upload_origin: str | None = None) -> str:
    """The portal's strict CSP, the one definition `comptoir up` and CloudFront both send. No inline script
    or style; images from the app and the blob: URLs it makes of fetched page images; connections to the
    app's own origin and, with `upload_origin`, to exactly the bucket endpoint presigned uploads go to
    (the embedded moto S3 locally, the documents bucket's regional domain in AWS)."""
    connect = f"'self' {upload_origin}" if upload_origin else "'self'"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
        f"connect-src {connect}; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def security_headers(upload_origin: str | None = None) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(upload_origin),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


# The first segments the app's own routes use (web/src/lib/router.svelte.ts); tests check none is an API's.
APP_ROUTE_PREFIXES = (
    "sign-in",
    "c",
    "firm",
    "profile",
    "invitations",
    "help",
    "forgot-password",
    "password-reset",
    "companies",
)

_MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
}


def dist_dir() -> Path:
    """web/dist of this checkout, or COMPTOIR_WEB_DIST."""
    configured = os.environ.get("COMPTOIR_WEB_DIST")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "web" / "dist"


class WebApp:
    def __init__(self, root: Path | None = None, *, upload_origin: str | None = None):
        self.root = (root or dist_dir()).resolve()
        self.security_headers = security_headers(upload_origin)

    @property
    def built(self) -> bool:
        return (self.root / "index.html").is_file()

    def serve(self, method: str, path: str) -> tuple[int, dict, bytes] | None:
        """The answer for an app path, or None when this is not for the app (the gateway answers 404)."""
        if method not in ("GET", "HEAD"):
            return None
        if not self.built:
            return (
                503,
                {"Content-Type": "text/html; charset=utf-8", **self.security_headers},
                b"<!doctype html><title>Comptoir</title><p>The web app is not built: run make setup.",
            )
        relative = path.lstrip("/")
        if relative:
            candidate = (self.root / relative).resolve()
            if candidate.is_relative_to(self.root) and candidate.is_file():
                return 200, self._headers(candidate), candidate.read_bytes()
            if relative.partition("/")[0] not in APP_ROUTE_PREFIXES:
                return None  # a missing asset or an unknown path: the gateway's JSON 404
        index = self.root / "index.html"
        return 200, self._headers(index), index.read_bytes()

    def _headers(self, file: Path) -> dict:
        media = (
            _MEDIA_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        )
        # Hashed assets never change; index.html, the manifest and the service worker are checked each time.
        immutable = file.parent.name == "assets"
        cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
        return {"Content-Type": media, "Cache-Control": cache, **self.security_headers}
