"""The web portal: bundle sizes, and the time from "Sign in" to the first mailbox list drawn.

Bundle: every file of web/dist/assets, raw and gzip (level 9); the initial JavaScript is what index.html
loads before anything else (its module script and the chunks it preloads). Target: under 150 kB gzip.
Sign-in to mailbox: `comptoir up` on free ports with the built app, Debian's chromium through Playwright;
from the click on "Sign in" to the Purchase mailbox drawn with its document list (10 documents in it),
each run in a fresh browser context (no cached session, the app shell from the HTTP cache after run 1).
"""

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
sys.path.insert(0, str(ROOT))


def bundle() -> dict:
    index = (DIST / "index.html").read_text()
    initial = set(re.findall(r'(?:src|href)="/(assets/[^"]+\.js)"', index))
    files = []
    for file in sorted((DIST / "assets").iterdir()):
        raw = file.read_bytes()
        files.append(
            {
                "file": file.name,
                "raw_kb": round(len(raw) / 1024, 1),
                "gzip_kb": round(len(gzip.compress(raw, 9)) / 1024, 1),
                "initial": f"assets/{file.name}" in initial,
            }
        )
    initial_js = sum(f["gzip_kb"] for f in files if f["initial"])
    return {"files": files, "initial_js_gzip_kb": round(initial_js, 1)}


def sign_in_to_mailbox(runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    from tests.conftest import DEMO_PASSWORD
    from tests.e2e.conftest import start_stack
    from tests.forms import multipart
    from tests.samples import invoice_pdf

    os.environ["COMPTOIR_DEMO_PASSWORD"] = DEMO_PASSWORD
    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(tmp) / "data")
        try:
            token = stack.login("admin@demo.comptoir.local")["id_token"]
            cid = next(
                c["id"]
                for c in stack.request("GET", "/accounts/me", token=token).json()["companies"]
                if c["name"] == "Demo SRL"
            )
            for n in range(10):
                content_type, body = multipart((f"bench-{n}.pdf", invoice_pdf(number=f"B-{n}")))
                answer = stack.request(
                    "POST",
                    f"/documents/companies/{cid}/mailboxes/purchase/documents",
                    raw=body,
                    content_type=content_type,
                    token=token,
                )
                assert answer.status == 202, answer.body
            timings = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.goto(stack.url + "/sign-in")
                    page.locator("input[type=email]").fill("admin@demo.comptoir.local")
                    page.locator("input[type=password]").fill(DEMO_PASSWORD)
                    started = time.perf_counter()
                    page.locator("form button[type=submit]").click()
                    page.locator("ul.documents li.doc").first.wait_for(state="visible", timeout=30_000)
                    timings.append((time.perf_counter() - started) * 1000)
                    context.close()
                browser.close()
            return timings
        finally:
            stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (DIST / "index.html").is_file():
        sys.exit("web/dist is not built: run make setup")
    sizes = bundle()
    timings = sign_in_to_mailbox(args.runs)
    if args.json:
        print(json.dumps({"bundle": sizes, "sign_in_to_mailbox_ms": timings}, indent=1))
        return
    print("| file | raw kB | gzip kB | initial |\n| --- | --- | --- | --- |")
    for f in sizes["files"]:
        print(f"| {f['file']} | {f['raw_kb']} | {f['gzip_kb']} | {'yes' if f['initial'] else ''} |")
    print(f"\ninitial JavaScript: {sizes['initial_js_gzip_kb']} kB gzip (target < 150)")
    ordered = sorted(timings)
    print(
        f"sign-in → first mailbox list, {len(timings)} runs: median {statistics.median(timings):.0f} ms, "
        f"p90 {ordered[int(0.9 * (len(ordered) - 1))]:.0f} ms, max {ordered[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main()
