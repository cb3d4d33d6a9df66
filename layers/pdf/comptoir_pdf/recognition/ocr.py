"""OCR engines: a page image in, words with positions (PDF points, top-left origin) out.

`TesseractEngine` runs Debian's tesseract command with TSV output (measured faster than MuPDF's
built-in OCR here, and it gives the line structure the skew estimate needs). AWS's Textract
engine lives in `comptoir_core.recognition` (an AWS adapter) and follows the same protocol."""

import csv
import io
import os
import shutil
import subprocess  # noqa: S404 (the tesseract command, with fixed arguments)
from typing import Protocol

from comptoir_pdf.recognition import pixels
from comptoir_pdf.recognition.layout import estimate_skew
from comptoir_pdf.recognition.model import PageWords, Source, Word


class OcrEngine(Protocol):
    source: Source
    image_format: str  # what read_page wants: "png", "pgm" or "jpeg"

    def read_page(self, image: bytes, *, page: int, width: float, height: float, dpi: int) -> PageWords:
        """`image` is the page rendered in `image_format` at `dpi`, in grey; `width`/`height` are the
        page's size in points."""
        ...


class OcrUnavailable(RuntimeError):
    pass


# The most pixels one page image for OCR may have: an A4 page at 300 dpi is 8.7 million; a page a
# metre wide at 300 dpi would be over 100 million (100 MB in grey), so its resolution is lowered.
MAX_OCR_PIXELS = 12_000_000


def clamped_dpi(width_pt: float, height_pt: float, dpi: int, *, max_pixels: int = MAX_OCR_PIXELS) -> int:
    """The resolution to render a page of `width_pt` × `height_pt` points at for OCR: `dpi`, or less
    so that the image has at most `max_pixels` pixels."""
    inches = max(width_pt, 1.0) / 72 * max(height_pt, 1.0) / 72
    if inches * dpi * dpi <= max_pixels:
        return dpi
    return max(1, int((max_pixels / inches) ** 0.5))


class TesseractEngine:
    source: Source = "ocr"
    image_format = "pgm"

    def __init__(
        self,
        languages: str = "fra+nld+eng+deu",
        *,
        command: str = "tesseract",
        timeout_s: float = 120,
        psm: str | None = None,
    ):
        self.languages = languages
        self.command = command
        self.timeout_s = timeout_s
        self.psm = psm  # None: chosen per page (psm_for)

    def second_pass(self) -> "TesseractEngine":
        """The same engine reading each page as one block of text (psm 6): what automatic
        segmentation dropped (a right-hand column of amounts, a box) it often keeps."""
        return TesseractEngine(self.languages, command=self.command, timeout_s=self.timeout_s, psm="6")

    @staticmethod
    def available(command: str = "tesseract") -> bool:
        return shutil.which(command) is not None

    def read_page(self, image: bytes, *, page: int, width: float, height: float, dpi: int) -> PageWords:
        if not self.available(self.command):
            raise OcrUnavailable("tesseract is not installed (scripts/system-packages installs it)")
        image = pixels.even_lighting(image)
        env = {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}
        result = subprocess.run(  # noqa: S603
            [
                self.command,
                "stdin",
                "stdout",
                "-l",
                self.languages,
                "--dpi",
                str(dpi),
                "--psm",
                self.psm or psm_for(width, height),
                "tsv",
            ],
            input=image,
            capture_output=True,
            timeout=self.timeout_s,
            env=env,
            check=False,
        )
        if result.returncode != 0:
            raise OcrUnavailable(f"tesseract failed: {result.stderr.decode(errors='replace')[-300:]}")
        return words_from_tsv(
            result.stdout.decode("utf-8", errors="replace"), page=page, width=width, height=height, dpi=dpi
        )


def psm_for(width: float, height: float) -> str:
    """Tesseract's page segmentation for the page's shape: a till receipt (narrow and long) is one
    column of lines whose far-right amounts automatic segmentation drops (psm 4); a page is
    segmented automatically (psm 3)."""
    return "4" if width / max(height, 1.0) < 0.62 else "3"


def words_from_tsv(
    tsv: str, *, page: int, width: float, height: float, dpi: int, min_conf: float = 10
) -> PageWords:
    scale = 72.0 / dpi
    words: list[Word] = []
    lines: dict[tuple, list[Word]] = {}
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        if not text:
            continue
        try:
            conf = float(row["conf"])
            left, top, w, h = (int(row[k]) for k in ("left", "top", "width", "height"))
        except (KeyError, TypeError, ValueError):
            continue
        if conf < min_conf and len(text) <= 2:
            continue
        try:
            block = 1000 * int(row["block_num"]) + int(row["par_num"])
            line = int(row["line_num"])
        except (KeyError, TypeError, ValueError):
            block = line = -1
        word = Word(
            text,
            page,
            left * scale,
            top * scale,
            (left + w) * scale,
            (top + h) * scale,
            source="ocr",
            block=block,
            line=line,
        )
        words.append(word)
        lines.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(word)
    return PageWords(
        page=page,
        width=width,
        height=height,
        words=tuple(words),
        source="ocr",
        skew=estimate_skew(list(lines.values())),
    )
