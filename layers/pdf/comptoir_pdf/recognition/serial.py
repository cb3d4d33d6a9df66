"""Words to JSON and back: the pipeline can keep a document's words beside it, so learning from a
later correction needs no second OCR."""

import json

from comptoir_pdf.recognition.model import PageWords, Word


def pages_to_json(pages: list[PageWords]) -> bytes:
    return json.dumps(
        [
            {
                "page": p.page,
                "width": p.width,
                "height": p.height,
                "source": p.source,
                "skew": p.skew,
                "words": [
                    [w.text, round(w.x0, 1), round(w.y0, 1), round(w.x1, 1), round(w.y1, 1), w.block, w.line]
                    for w in p.words
                ],
            }
            for p in pages
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def pages_from_json(data: bytes) -> list[PageWords]:
    out = []
    for p in json.loads(data):
        source = p.get("source", "text")
        # Words kept before blocks were: five items, no block or line.
        words = tuple(
            Word(t, p["page"], x0, y0, x1, y1, source, *more) for t, x0, y0, x1, y1, *more in p["words"]
        )
        out.append(
            PageWords(
                page=p["page"],
                width=p["width"],
                height=p["height"],
                words=words,
                source=source,
                skew=p.get("skew", 0.0),
            )
        )
    return out
