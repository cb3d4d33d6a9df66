"""Active content out of a PDF: scripts, automatic actions, launchers, forms that post, attachments.

Works on an open `pikepdf.Pdf` (the working copy; the caller keeps the original bytes). Every object
of the file is visited, so an action is found wherever it hides: the catalog, pages, annotations,
form fields, outline entries, or the /Next chain of a harmless action. What is removed is reported
as human sentences. Links to web pages (/URI actions) and in-document jumps stay.

Before attachments go, `find_invoice_xml` picks out an e-invoice among them: the Factur-X/ZUGFeRD
XML, or a UBL invoice attached to the PDF as Belgian senders do.
"""

import contextlib
import zlib
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from comptoir_pdf.detect import Kind, detect

# Action types that run code, open or fetch files, or send data somewhere.
DANGEROUS_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that launches a program",
    "/ImportData": "an action that imports data",
    "/SubmitForm": "a form submission",
    "/ResetForm": "a form reset action",
    "/GoToE": "an action that opens an attached file",
    "/GoToR": "an action that opens another file",
    "/Rendition": "a media action",
    "/RichMediaExecute": "a rich media action",
    "/Movie": "a media action",
    "/Sound": "a media action",
}
# Annotations that carry a file, a player or a script.
DANGEROUS_ANNOTATIONS = {"/FileAttachment", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D"}
# Names of the XML a hybrid e-invoice embeds, best first (Factur-X, ZUGFeRD 2, XRechnung in ZUGFeRD).
INVOICE_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
MAX_INVOICE_XML_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64


def find_invoice_xml(pdf: pikepdf.Pdf) -> bytes | None:
    """The e-invoice XML (UBL or CII) attached to the PDF, if any; None when there is none."""
    candidates: list[tuple[int, bytes]] = []
    for name, stream in _attached_files(pdf):
        data = _read_limited(stream)
        if data is None or detect(data) not in (Kind.UBL, Kind.CII):
            continue
        rank = INVOICE_XML_NAMES.index(name.lower()) if name.lower() in INVOICE_XML_NAMES else 99
        candidates.append((rank, data))
    if not candidates:
        return None
    return min(candidates, key=lambda candidate: candidate[0])[1]


def strip_active_content(pdf: pikepdf.Pdf) -> list[str]:
    """Remove scripts, automatic and dangerous actions, attachments; return what was removed, in words."""
    removed: dict[str, None] = {}  # ordered set of sentences

    root = pdf.Root
    if Name.OpenAction in root:
        del root[Name.OpenAction]
        removed["An action run on opening the document was removed."] = None
    names = root.get(Name.Names)
    if isinstance(names, Dictionary):
        if Name.JavaScript in names:
            del names[Name.JavaScript]
            removed["JavaScript was removed."] = None
        if Name.EmbeddedFiles in names:
            del names[Name.EmbeddedFiles]
            removed["Attached files were removed."] = None
    acroform = root.get(Name.AcroForm)
    if isinstance(acroform, Dictionary) and Name.XFA in acroform:
        del acroform[Name.XFA]
        removed["An XFA form (which may hold scripts) was removed."] = None

    for page in pdf.pages:
        annotations = page.obj.get(Name.Annots)
        if not isinstance(annotations, Array):
            continue
        kept = [annot for annot in annotations if not _is_dangerous_annotation(annot)]
        if len(kept) != len(annotations):
            page.obj[Name.Annots] = Array(kept)
            removed["Attached files, media or 3D annotations were removed."] = None

    for obj in list(pdf.objects):
        for sentence in _clean(obj, depth=0):
            removed[sentence] = None
    return list(removed)


def _clean(obj, *, depth: int) -> Iterator[str]:
    """Strip one object and its direct children (indirect ones are visited on their own)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(obj, Dictionary | Stream):
        for key in list(obj.keys()):
            value = obj.get(key)
            if key == "/AA":
                del obj[key]
                yield "Actions run automatically (on opening a page, focusing a field...) were removed."
            elif key == "/JS":
                del obj[key]
                yield "JavaScript was removed."
            elif key == "/OpenAction":
                del obj[key]
                yield "An action run on opening the document was removed."
            elif key in ("/EF", "/AF", "/EmbeddedFiles"):
                del obj[key]
                yield "Attached files were removed."
            elif (what := _dangerous_action(value)) is not None:
                del obj[key]
                yield f"{what[0].upper()}{what[1:]} was removed."
            elif not _is_indirect(value):
                yield from _clean(value, depth=depth + 1)
    elif isinstance(obj, Array):
        for index in reversed(range(len(obj))):
            value = obj[index]
            if (what := _dangerous_action(value)) is not None:
                del obj[index]
                yield f"{what[0].upper()}{what[1:]} was removed."
            elif not _is_indirect(value):
                yield from _clean(value, depth=depth + 1)


def _is_indirect(value) -> bool:
    return isinstance(value, Dictionary | Array | Stream) and value.is_indirect


def _dangerous_action(value) -> str | None:
    if not isinstance(value, Dictionary):
        return None
    kind = value.get(Name.S)
    if isinstance(kind, Name) and str(kind) in DANGEROUS_ACTIONS and value.get(Name.Type) != Name.StructElem:
        return DANGEROUS_ACTIONS[str(kind)]
    return None


def _is_dangerous_annotation(annot) -> bool:
    return isinstance(annot, Dictionary) and str(annot.get(Name.Subtype, "")) in DANGEROUS_ANNOTATIONS


def _attached_files(pdf: pikepdf.Pdf) -> Iterator[tuple[str, Stream]]:
    """(file name, embedded file stream) of every attachment: the names tree, /AF, annotations."""
    specs: list = []
    names = pdf.Root.get(Name.Names)
    if isinstance(names, Dictionary) and isinstance(names.get(Name.EmbeddedFiles), Dictionary):
        # A broken names tree is skipped: the other places may still hold the invoice.
        with contextlib.suppress(pikepdf.PdfError, ValueError, TypeError, KeyError):
            specs.extend(spec for _, spec in pikepdf.NameTree(names.EmbeddedFiles).items())
    for holder in (pdf.Root, *(page.obj for page in pdf.pages)):
        associated = holder.get(Name.AF)
        if isinstance(associated, Array):
            specs.extend(associated)
    for page in pdf.pages:
        annotations = page.obj.get(Name.Annots)
        if isinstance(annotations, Array):
            for annot in annotations:
                if isinstance(annot, Dictionary) and annot.get(Name.Subtype) == Name.FileAttachment:
                    specs.append(annot.get(Name.FS))
    for spec in specs:
        if not isinstance(spec, Dictionary):
            continue
        files = spec.get(Name.EF)
        if not isinstance(files, Dictionary):
            continue
        stream = files.get(Name.UF) or files.get(Name.F)
        if not isinstance(stream, Stream):
            continue
        name = spec.get(Name.UF) or spec.get(Name.F) or ""
        yield str(name).replace("\\", "/").rsplit("/", 1)[-1], stream


def _read_limited(stream: Stream) -> bytes | None:
    """The stream's decoded bytes, or None if it cannot be decoded or would exceed the limit."""
    filters = stream.get(Name.Filter)
    try:
        if filters is None:
            raw = stream.read_raw_bytes()
            return raw if len(raw) <= MAX_INVOICE_XML_BYTES else None
        if filters == Name.FlateDecode or (
            isinstance(filters, Array) and list(filters) == [Name.FlateDecode]
        ):
            if stream.get(Name.DecodeParms) is not None:
                return _within_limit(stream.read_bytes())
            # Inflate with a bound: a small compressed stream must not unfold into gigabytes.
            inflater = zlib.decompressobj()
            data = inflater.decompress(stream.read_raw_bytes(), MAX_INVOICE_XML_BYTES + 1)
            return _within_limit(data)
        return _within_limit(stream.read_bytes())
    except (pikepdf.PdfError, zlib.error, ValueError):
        return None


def _within_limit(data: bytes) -> bytes | None:
    return data if len(data) <= MAX_INVOICE_XML_BYTES else None
