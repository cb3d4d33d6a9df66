"""Page operations on PDFs: split into groups, merge pages of several PDFs, rotate, reorder, delete.

Pure: bytes in, bytes out, 1-based page numbers. Pages are copied object for object with pikepdf
(qpdf), never re-rendered: text layers, fonts and images come through unchanged.

What keeps the parts small:
- qpdf writes only the objects reachable from the new document's root, so what the kept pages do
  not use is dropped;
- within one output, resources shared by several pages (a font, a logo) are copied once;
- pages that share one resources dictionary (some scanners list every page's image in it) get it
  pruned to what each page's content uses, as `qpdf --split-pages` does; otherwise every part would
  carry every image;
- links, annotation parents and outline entries that point at a page not in the output are dropped,
  otherwise that page (and its images) would come along as an invisible orphan.
"""

import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Name

RIGHT_ANGLES = (0, 90, 180, 270)


class PageError(ValueError):
    """The request does not fit the document: a page out of range, twice, or nothing left."""


class UnreadablePdf(ValueError):
    """The bytes are not a PDF pikepdf can open (or it is encrypted)."""


@dataclass(frozen=True)
class PageRef:
    """Page `page` (1-based) of source number `source` (0-based index into the sources given)."""

    source: int
    page: int


def page_count(pdf: bytes) -> int:
    with _open(pdf) as document:
        return len(document.pages)


def split(pdf: bytes, groups: Sequence[Sequence[int]]) -> list[bytes]:
    """One PDF per group, with the group's pages in the group's order."""
    return list(iter_split(pdf, groups))


def iter_split(pdf: bytes, groups: Sequence[Sequence[int]]) -> Iterator[bytes]:
    """`split`, one part at a time: the caller can store a part before the next one is made.

    The groups are checked before the first part is made, so a bad request fails before anything.
    """
    source = _open(pdf)
    try:
        total = len(source.pages)
        seen: set[int] = set()
        for number, group in enumerate(groups, start=1):
            if not group:
                raise PageError(f"group {number} is empty")
            for page in group:
                _check_page(page, total)
                if page in seen:
                    raise PageError(f"page {page} is in more than one group")
                seen.add(page)
    except Exception:
        source.close()
        raise
    return _parts(source, groups)


def _parts(source: pikepdf.Pdf, groups: Sequence[Sequence[int]]) -> Iterator[bytes]:
    with source:
        prune = _shares_resources(source)
        for group in groups:
            yield _copy_pages([(0, p) for p in group], [source], prune)


def split_at(pdf: bytes, first_pages: Sequence[int]) -> list[bytes]:
    """Split before each of `first_pages`: [1, 5, 7] on 9 pages gives 1-4, 5-6, 7-9."""
    return split(pdf, groups_from_first_pages(first_pages, page_count(pdf)))


def groups_from_first_pages(first_pages: Sequence[int], total: int) -> list[list[int]]:
    """[1, 5, 7] on 9 pages → [[1..4], [5, 6], [7..9]]; pages before the first start stay a group."""
    if not first_pages:
        raise PageError("name at least one first page")
    starts = list(first_pages)
    for page in starts:
        _check_page(page, total)
    if len(set(starts)) != len(starts):
        raise PageError("a first page is named twice")
    if starts != sorted(starts):
        raise PageError("first pages must be in increasing order")
    if starts[0] != 1:
        starts.insert(0, 1)
    bounds = [*starts, total + 1]
    return [list(range(bounds[i], bounds[i + 1])) for i in range(len(starts))]


def merge(sources: Sequence[bytes], pages: Sequence[PageRef]) -> bytes:
    """One PDF with exactly `pages`, in that order, taken from `sources`."""
    if not pages:
        raise PageError("name at least one page")
    opened: list[pikepdf.Pdf] = []
    try:
        for body in sources:
            opened.append(_open(body))
        seen: set[PageRef] = set()
        for ref in pages:
            if not 0 <= ref.source < len(opened):
                raise PageError(f"no source number {ref.source}")
            _check_page(ref.page, len(opened[ref.source].pages))
            if ref in seen:
                raise PageError(f"page {ref.page} of source {ref.source} is named twice")
            seen.add(ref)
        used = {ref.source for ref in pages}
        prune = any(_shares_resources(opened[i]) for i in used)
        return _copy_pages([(r.source, r.page) for r in pages], opened, prune)
    finally:
        for document in opened:
            document.close()


def edit(
    pdf: bytes,
    *,
    rotate: Mapping[int, int] | None = None,
    order: Sequence[int] | None = None,
    delete: Iterable[int] = (),
) -> bytes:
    """Rotate pages (clockwise, by multiples of 90), put them in `order`, drop `delete`.

    Page numbers in all three refer to the document as it is now. `order` lists the pages in their new
    order; pages it leaves out keep their relative order after the ones it names. The document-level
    parts (metadata, attachments such as Factur-X XML, outlines) stay.
    """
    rotate = dict(rotate or {})
    deleted = list(delete)
    with _open(pdf) as document:
        total = len(document.pages)
        for page, angle in rotate.items():
            _check_page(page, total)
            if angle % 90 != 0:
                raise PageError(f"page {page}: a rotation is a multiple of 90 degrees, not {angle}")
        for page in deleted:
            _check_page(page, total)
        if len(set(deleted)) != len(deleted):
            raise PageError("a page to delete is named twice")
        named = list(order or [])
        for page in named:
            _check_page(page, total)
        if len(set(named)) != len(named):
            raise PageError("a page is named twice in the order")
        gone = set(deleted)
        if gone & set(named):
            raise PageError(f"page {min(gone & set(named))} is both deleted and placed in the order")
        if gone & set(rotate):
            raise PageError(f"page {min(gone & set(rotate))} is both deleted and rotated")
        if len(gone) == total:
            raise PageError("deleting every page leaves nothing")

        new_order = named + [p for p in range(1, total + 1) if p not in set(named)]
        kept = [p for p in new_order if p not in gone]
        objects = [document.pages[p - 1] for p in range(1, total + 1)]
        for page, angle in rotate.items():
            if angle % 360:
                objects[page - 1].rotate(angle % 360, relative=True)
        if kept != list(range(1, total + 1)):
            for page in reversed(range(total)):
                del document.pages[page]
            for page in kept:
                document.pages.append(objects[page - 1])
            _drop_dangling_destinations(document)
            if _shares_resources(document):
                _prune_resources(document)
        return _save(document)


def _copy_pages(refs: Sequence[tuple[int, int]], sources: Sequence[pikepdf.Pdf], prune: bool) -> bytes:
    with pikepdf.Pdf.new() as target:
        for source_index, page in refs:
            target.pages.append(sources[source_index].pages[page - 1])
        _drop_dangling_destinations(target)
        if prune:
            _prune_resources(target)
        # The newest PDF version among the sources used: their objects may need it.
        versions = {sources[i].pdf_version for i, _ in refs}
        return _save(target, min_version=max(versions, key=_version_key))


def _open(pdf: bytes) -> pikepdf.Pdf:
    try:
        return pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PasswordError as error:
        raise UnreadablePdf("the PDF is encrypted") from error
    except pikepdf.PdfError as error:
        raise UnreadablePdf(f"not a readable PDF: {error}") from error


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _save(document: pikepdf.Pdf, min_version: str = "") -> bytes:
    out = io.BytesIO()
    # Object streams pack the small objects; streams already compressed are left as they are.
    document.save(
        out,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        recompress_flate=False,
        min_version=min_version,
    )
    return out.getvalue()


def _check_page(page: int, total: int) -> None:
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= total:
        raise PageError(f"page {page} is out of range: the document has {total} page{'s' * (total != 1)}")


def _shares_resources(document: pikepdf.Pdf) -> bool:
    """Whether two pages share a resources dictionary (or its /XObject or /Font), as qpdf's auto mode asks."""
    seen: set[tuple[int, int]] = set()
    for page in document.pages:
        resources = page.obj.get(Name.Resources)
        if resources is None:
            continue
        candidates = [resources]
        if isinstance(resources, pikepdf.Dictionary):
            candidates += [resources.get(k) for k in (Name.XObject, Name.Font)]
        for item in candidates:
            if item is not None and item.is_indirect:
                if item.objgen in seen:
                    return True
                seen.add(item.objgen)
    return False


def _prune_resources(document: pikepdf.Pdf) -> None:
    for page in document.pages:
        page.remove_unreferenced_resources()


def _drop_dangling_destinations(document: pikepdf.Pdf) -> None:
    """Links, annotation parents and outline entries pointing at pages not in `document` go."""
    kept = {page.obj.objgen for page in document.pages}

    def dangling(destination) -> bool:
        # qpdf turns a reference to a page it did not copy into null; a page removed in place stays.
        if isinstance(destination, pikepdf.Array) and len(destination) > 0:
            target = destination[0]
            if target is None:
                return True
            return isinstance(target, pikepdf.Dictionary) and target.objgen not in kept
        return False

    for page in document.pages:
        annotations = page.obj.get(Name.Annots)
        if not isinstance(annotations, pikepdf.Array):
            continue
        for annotation in annotations:
            if not isinstance(annotation, pikepdf.Dictionary):
                continue
            parent = annotation.get(Name.P)
            if parent is not None and parent.objgen != page.obj.objgen:
                annotation.P = page.obj
            if dangling(annotation.get(Name.Dest)):
                del annotation[Name.Dest]
            action = annotation.get(Name.A)
            if isinstance(action, pikepdf.Dictionary) and dangling(action.get(Name.D)):
                del annotation[Name.A]

    outlines = document.Root.get(Name.Outlines)
    if isinstance(outlines, pikepdf.Dictionary):
        _drop_dangling_outline_destinations(outlines, dangling)


def _drop_dangling_outline_destinations(outlines: pikepdf.Dictionary, dangling) -> None:
    stack = [outlines.get(Name.First)]
    visited: set[tuple[int, int]] = set()
    while stack:
        item = stack.pop()
        if not isinstance(item, pikepdf.Dictionary) or item.objgen in visited:
            continue
        visited.add(item.objgen)
        if dangling(item.get(Name.Dest)):
            del item[Name.Dest]
        action = item.get(Name.A)
        if isinstance(action, pikepdf.Dictionary) and dangling(action.get(Name.D)):
            del item[Name.A]
        stack += [item.get(Name.First), item.get(Name.Next)]
