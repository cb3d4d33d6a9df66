"""HTML becomes a PDF of its text without fetching or running anything, checked against a real server."""

import base64
import http.server
import threading

import pymupdf
import pytest

from comptoir_pdf.errors import TooManyPages
from comptoir_pdf.html import decode_html, html_to_pdf, sanitise_css, sanitise_declarations
from comptoir_pdf.normalise import normalise
from tests.pdf import samples


class CountingServer:
    """A real HTTP server on 127.0.0.1 (an ephemeral port) that counts every request it gets."""

    def __init__(self):
        self.hits: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                server.hits.append(f"{self.command} {self.path}")
                body = samples.png(10, 10, mode="RGB") if self.path.endswith(".png") else b"body{color:red}"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *_args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    with CountingServer() as running:
        yield running


def page_text(pdf: bytes) -> str:
    with pymupdf.open(stream=pdf) as document:
        return "".join(page.get_text() for page in document)


def image_count(pdf: bytes) -> int:
    with pymupdf.open(stream=pdf) as document:
        return sum(len(page.get_images(full=True)) for page in document)


def test_the_counting_server_counts_a_request_made_on_purpose(server):
    import urllib.request

    with urllib.request.urlopen(f"{server.base}/probe.png") as response:  # noqa: S310
        assert response.status == 200
    assert server.hits == ["GET /probe.png"]


def test_converting_html_full_of_remote_references_fetches_nothing(server, tmp_path):
    base = server.base
    html = f"""<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<base href="{base}/base/">
<meta http-equiv="refresh" content="0; url={base}/refresh">
<link rel="stylesheet" href="{base}/link.css">
<link rel="preload" as="image" href="{base}/preload.png">
<link rel="icon" href="{base}/favicon.png">
<style>
@import url("{base}/import.css");
@import "{base}/import2.css";
@font-face {{ font-family: X; src: url({base}/font.ttf); }}
body {{ background: url({base}/background.png); color: #222 }}
h1 {{ background-image: url('{base}/h1.png') }}
</style>
<script src="{base}/script.js"></script>
<script>fetch("{base}/fetch"); new Image().src = "{base}/beacon.png";</script>
</head>
<body background="{base}/body-background.png">
<h1>Facture 2026-0042</h1>
<p style="background-image: url({base}/inline.png)">Montant total: 1.234,56 EUR</p>
<img src="{base}/remote.png" alt="logo">
<img src="//127.0.0.1:{base.rsplit(":", 1)[1]}/protocol-relative.png">
<img srcset="{base}/srcset.png 2x" src="{base}/with-srcset.png">
<img src="relative.png">
<iframe src="{base}/iframe.html"></iframe>
<object data="{base}/object.pdf"></object>
<embed src="{base}/embed.swf">
<video poster="{base}/poster.png"><source src="{base}/video.mp4"></video>
<audio src="{base}/audio.mp3"></audio>
<svg><image href="{base}/svg.png" width="10" height="10"/></svg>
<input type="image" src="{base}/input.png">
<table background="{base}/table.png"><tr><td style="background:url({base}/td.png)">Merci</td></tr></table>
<form action="{base}/form"><button>Payer</button></form>
<a href="{base}/link">Conditions</a>
</body></html>"""
    (tmp_path / "relative.png").write_bytes(samples.png(10, 10, mode="RGB"))

    pdf = html_to_pdf(html.encode())

    assert server.hits == []
    text = page_text(pdf)
    assert "Facture 2026-0042" in text
    assert "Montant total: 1.234,56 EUR" in text
    assert "Merci" in text
    assert "fetch" not in text and "font-face" not in text  # scripts and styles are not shown either
    assert image_count(pdf) == 0


def test_local_files_are_never_read(tmp_path, monkeypatch):
    picture = tmp_path / "secret.png"
    picture.write_bytes(samples.png(10, 10, mode="RGB"))
    monkeypatch.chdir(tmp_path)
    html = f'<p>Hello</p><img src="file://{picture}"><img src="{picture}"><img src="secret.png">'
    html += f'<link rel="stylesheet" href="file://{tmp_path}/x.css"><a href="file:///etc/passwd">passwd</a>'

    pdf = html_to_pdf(html.encode())

    assert image_count(pdf) == 0
    with pymupdf.open(stream=pdf) as document:
        assert not [link for link in document[0].get_links() if "file" in str(link.get("uri", ""))]


def test_an_inline_data_image_is_kept():
    data = base64.b64encode(samples.png(40, 20, mode="RGB")).decode()
    pdf = html_to_pdf(f'<p>Logo</p><img src="data:image/png;base64,{data}">'.encode())
    assert image_count(pdf) == 1


def test_an_image_the_mail_carries_is_shown_through_its_content_id():
    pdf = html_to_pdf(
        b'<p>Logo</p><img src="cid:logo@mail">', inline_images={"<logo@mail>": samples.png(40, 20)}
    )
    assert image_count(pdf) == 1


def test_the_charset_declared_in_a_meta_element_is_used():
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>'
    html += "<body><p>Reçu n° 7 — 12,00 €</p></body></html>"
    pdf = html_to_pdf(html.encode("cp1252"))
    assert "Reçu n° 7 — 12,00 €" in page_text(pdf)


def test_the_charset_the_mail_declared_wins_over_the_meta_element():
    data = '<meta charset="utf-8"><p>Straße 1, Liège</p>'.encode("latin-1")
    assert decode_html(data, encoding="iso-8859-1") == '<meta charset="utf-8"><p>Straße 1, Liège</p>'


def test_html_without_a_charset_is_read_as_utf8_or_else_windows_1252():
    assert decode_html("<p>Liège €</p>".encode()) == "<p>Liège €</p>"
    assert decode_html("<p>Liège €</p>".encode("cp1252")) == "<p>Liège €</p>"
    assert decode_html(b"\xef\xbb\xbf<p>\xc3\xa9</p>") == "<p>é</p>"


def test_markup_in_the_text_stays_text():
    pdf = html_to_pdf(b"<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>")
    assert "<script>alert(1)</script> & co" in page_text(pdf)


def test_a_long_page_flows_onto_several_a4_pages():
    paragraphs = "".join(f"<p>Ligne {n} de la facture</p>" for n in range(300))
    pdf = html_to_pdf(paragraphs.encode())
    with pymupdf.open(stream=pdf) as document:
        assert document.page_count > 1
        assert {tuple(round(v) for v in page.rect[2:]) for page in document} == {(595, 842)}
        assert "Ligne 299 de la facture" in "".join(page.get_text() for page in document)


def test_html_longer_than_the_page_limit_is_refused():
    paragraphs = "".join(f"<p>Ligne {n}</p>" for n in range(400))
    with pytest.raises(TooManyPages):
        html_to_pdf(paragraphs.encode(), max_pages=2)


def test_normalising_html_gives_the_pdf_and_its_page_count(server):
    result = normalise(f'<html><body><p>Bonjour</p><img src="{server.base}/x.png"></body></html>'.encode())
    assert result.pages == 1 and "Bonjour" in page_text(result.pdf)
    assert server.hits == []


def test_style_sheets_keep_their_plain_rules_and_lose_imports_fonts_and_urls():
    css = """@charset "utf-8"; @import url(x.css); @media screen { p { color: red } }
    p.total { font-weight: bold; color: rgb(10, 20, 30); background: url(x.png) }
    td { padding: 2px; behavior: url(x.htc); width: expression(alert(1)) } a\\:b { color: red }"""
    assert sanitise_css(css) == "p.total { font-weight: bold; color: rgb(10, 20, 30) }\ntd { padding: 2px }"
    assert sanitise_declarations("color: red; background-image: u\\72l(x.png); font-size: 9pt") == (
        "color: red; font-size: 9pt"
    )
