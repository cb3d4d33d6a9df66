"""comptoir up serves the built portal at / beside the API, under a strict CSP, without shadowing the API."""

import re
from pathlib import Path

import pytest

from comptoir_infra.local.web import APP_ROUTE_PREFIXES, WebApp, content_security_policy
from comptoir_infra.spec import SPEC

WEB = Path(__file__).resolve().parents[2] / "web"


@pytest.fixture
def app(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Comptoir</title>")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    (tmp_path / "manifest.webmanifest").write_text("{}")
    (tmp_path.parent / "secret.txt").write_text("no")
    return WebApp(tmp_path, upload_origin="http://127.0.0.1:4566")


def test_the_root_and_a_deep_link_are_the_app_with_its_csp(app):
    for path in ("/", "/c/co_1/box/sales", "/c/co_1/doc/doc_1/split", "/firm/processing", "/sign-in"):
        status, headers, body = app.serve("GET", path)
        assert (status, body) == (200, b"<!doctype html><title>Comptoir</title>")
        assert headers["Content-Security-Policy"] == content_security_policy("http://127.0.0.1:4566")
        assert headers["Cache-Control"] == "no-cache"


def test_the_csp_allows_no_inline_script_and_connections_only_to_the_app_and_the_upload_bucket():
    policy = content_security_policy("https://docs.s3.eu-west-1.amazonaws.com")
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' blob:"
    assert directives["connect-src"] == "'self' https://docs.s3.eu-west-1.amazonaws.com"
    assert "unsafe" not in policy
    assert "connect-src 'self';" in content_security_policy()


def test_hashed_assets_are_served_with_their_type_and_cached_for_good(app):
    status, headers, body = app.serve("GET", "/assets/index-abc.js")
    assert (status, body) == (200, b"console.log(1)")
    assert headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in headers["Cache-Control"]
    assert app.serve("GET", "/manifest.webmanifest")[1]["Content-Type"] == "application/manifest+json"


def test_unknown_paths_missing_assets_other_methods_and_escapes_are_left_to_the_gateways_404(app):
    assert app.serve("GET", "/nowhere") is None
    assert app.serve("GET", "/assets/missing.js") is None
    assert app.serve("POST", "/") is None
    assert app.serve("GET", "/../secret.txt") is None
    assert app.serve("GET", "/c/../../secret.txt")[2] != b"no"


def test_no_app_route_is_an_api_base_path_and_every_route_of_the_app_is_served():
    assert not set(APP_ROUTE_PREFIXES) & {app.base_path for app in SPEC.apps}
    patterns = re.findall(r'match\("(/[^"]*)"', (WEB / "src" / "App.svelte").read_text())
    assert patterns
    assert {p.split("/")[1] for p in patterns} <= set(APP_ROUTE_PREFIXES)


def test_an_unbuilt_app_says_how_to_build_it(tmp_path):
    status, _, body = WebApp(tmp_path / "empty").serve("GET", "/")
    assert status == 503
    assert b"make setup" in body
