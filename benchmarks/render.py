"""Page rendering: our previews (PyMuPDF, comptoir_pdf.render) against poppler's pdftoppm.

Every page of a few realistic PDFs, made here: a text-heavy invoice listing (vector text and table
rules), colour scans (a 300 dpi JPEG per A4 page, as a phone app or a desk scanner sends them), and
a black-and-white office scan (200 dpi, CCITT G4). Each is drawn at preview size (1200 px wide,
JPEG quality 85) by `render_pages(sizes=("preview",))` in this process, and by
`pdftoppm -jpeg -jpegopt quality=85 -scale-to-x 1200 -scale-to-y -1` in a subprocess (its time
includes its own start, printed apart). Median of several runs, in milliseconds per page.
Target (issue #3): ours within 1.5x of pdftoppm.

Also prints the bytes per page of each size in PNG and in JPEG (and for a typical one-page invoice),
which chose the formats.
"""

import argparse
import io
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import img2pdf
import pymupdf
from PIL import Image, ImageDraw, ImageFilter

from comptoir_pdf.html import html_to_pdf
from comptoir_pdf.render import JPEG_QUALITY, SIZES, encode, render_pages

WORDS = [
    "facture",
    "livraison",
    "montant",
    "TVA",
    "total",
    "HTVA",
    "quantité",
    "prix",
    "unitaire",
    "remise",
    "article",
    "référence",
    "factuur",
    "levering",
    "bedrag",
    "BTW",
    "totaal",
    "hoeveelheid",
    "eenheidsprijs",
    "korting",
    "artikel",
    "referentie",
]


def text_heavy_pdf(pages: int) -> bytes:
    """An invoice listing: a heading, then a ruled table of 45 lines a page, in 9 pt Helvetica."""
    document = pymupdf.open()
    for number in range(pages):
        page = document.new_page(width=595, height=842)
        page.insert_text((50, 60), f"Relevé de factures / Factuuroverzicht - page {number + 1}", fontsize=14)
        y = 90
        for line in range(45):
            words = " ".join(WORDS[(line * 7 + k + number) % len(WORDS)] for k in range(9))
            page.insert_text((50, y), f"{number * 45 + line + 1:05d}  {words}", fontsize=9)
            page.insert_text((470, y), f"{(line * 37.45 + number) % 9999:9.2f} EUR", fontsize=9)
            page.draw_line((48, y + 4), (547, y + 4), color=(0.7, 0.7, 0.7), width=0.4)
            y += 16
        page.draw_rect(pymupdf.Rect(45, 75, 550, y), color=(0, 0, 0), width=0.8)
    return document.tobytes(deflate=True)


def typical_invoice_pdf() -> bytes:
    """A one-page invoice as an accounting program prints it: address block, 25 lines, totals."""
    rows = "".join(
        f"<tr><td>Article {n} - description du produit</td><td>{n}</td><td>{n * 3},50 EUR</td></tr>"
        for n in range(25)
    )
    return html_to_pdf(
        f"<h1>Facture 2026-0042</h1><p>Boulangerie Dupont SRL<br>Rue de la Loi 16<br>1000 Bruxelles</p>"
        f"<table border=1>{rows}</table><p>Total TVAC: <b>666,55 EUR</b></p>".encode()
    )


def scanned_page(dpi: int, *, colour: bool) -> Image.Image:
    """A page of text as a scanner sees it: slightly grey paper, sensor noise, soft edges."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    page = Image.new("L", (width, height), 238)
    draw = ImageDraw.Draw(page)
    size = max(10, dpi // 8)
    for row, y in enumerate(range(dpi, height - dpi, int(size * 1.6))):
        words = " ".join(WORDS[(row * 5 + k) % len(WORDS)] for k in range(8))
        draw.text((dpi, y), words, fill=30, font_size=size)
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    noise = Image.effect_noise((width, height), 12)
    page = Image.blend(page, noise, 0.08)
    if colour:
        return Image.merge(
            "RGB", (page, page.point(lambda v: max(0, v - 4)), page.point(lambda v: max(0, v - 12)))
        )
    return page.point(lambda v: 255 if v > 140 else 0, "1")


def scanned_pdf(pages: int, *, dpi: int, colour: bool) -> bytes:
    images = []
    for _ in range(pages):
        out = io.BytesIO()
        page = scanned_page(dpi, colour=colour)
        if colour:
            page.save(out, "JPEG", quality=80, dpi=(dpi, dpi))
        else:
            page.save(out, "TIFF", compression="group4", dpi=(dpi, dpi))
        images.append(out.getvalue())
    return img2pdf.convert(*images)


def ours(pdf: bytes) -> int:
    return sum(1 for _ in render_pages(pdf, sizes=("preview",)))


def pdftoppm(path: Path, out_dir: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-jpeg", "-jpegopt", f"quality={JPEG_QUALITY}", "-scale-to-x", str(SIZES["preview"]),
         "-scale-to-y", "-1", str(path), str(out_dir / "page")],
        check=True,
    )  # fmt: skip


def median_ms(action, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def bytes_per_page(pdf: bytes) -> dict[str, float]:
    """Average bytes of a page image in each size and format."""
    totals: dict[str, list[int]] = {}
    with pymupdf.open(stream=pdf) as document:
        for page in document:
            for size, width in SIZES.items():
                zoom = width / page.rect.width
                pixmap = page.get_pixmap(
                    matrix=pymupdf.Matrix(zoom, zoom), alpha=False, colorspace=pymupdf.csRGB
                )
                for image_format in ("png", "jpeg"):
                    totals.setdefault(f"{size} {image_format}", []).append(len(encode(pixmap, image_format)))
    return {key: statistics.mean(values) for key, values in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per document and renderer (median)")
    parser.add_argument("--pages", type=int, default=10, help="pages of the text-heavy document")
    parser.add_argument("--scan-pages", type=int, default=4, help="pages of each scanned document")
    arguments = parser.parse_args()

    documents = {
        f"text-heavy, {arguments.pages} p": text_heavy_pdf(arguments.pages),
        f"colour scan 300 dpi JPEG, {arguments.scan_pages} p": scanned_pdf(
            arguments.scan_pages, dpi=300, colour=True
        ),
        f"b/w scan 200 dpi G4, {arguments.scan_pages} p": scanned_pdf(
            arguments.scan_pages, dpi=200, colour=False
        ),
    }
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        blank = work / "blank.pdf"
        blank_document = pymupdf.open()
        blank_document.new_page()
        blank.write_bytes(blank_document.tobytes())
        start_ms = median_ms(lambda: pdftoppm(blank, work), arguments.runs)
        print(f"pdftoppm on a blank page (its process start): {start_ms:.0f} ms\n")
        print(f"{'document':<34} {'MB':>5} {'ours ms/p':>10} {'pdftoppm ms/p':>14} {'ratio':>6}")
        for name, pdf in documents.items():
            path = work / "in.pdf"
            path.write_bytes(pdf)
            pages = ours(pdf)  # warm-up, and the page count
            pdftoppm(path, work)
            ours_ms = median_ms(lambda pdf=pdf: ours(pdf), arguments.runs) / pages
            poppler_ms = median_ms(lambda path=path: pdftoppm(path, work), arguments.runs) / pages
            print(
                f"{name:<34} {len(pdf) / 1e6:>5.1f} {ours_ms:>10.1f} {poppler_ms:>14.1f} {ours_ms / poppler_ms:>6.2f}"
            )
        print("\nbytes per page image (KB)")
        print(
            f"{'document':<34} "
            + " ".join(f"{key:>13}" for key in bytes_per_page(documents[next(iter(documents))]))
        )
        for name, pdf in {"typical invoice, 1 p": typical_invoice_pdf(), **documents}.items():
            sizes = bytes_per_page(pdf)
            print(f"{name:<34} " + " ".join(f"{value / 1024:>13.1f}" for value in sizes.values()))


if __name__ == "__main__":
    main()
