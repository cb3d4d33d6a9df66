"""What an attachment is, from its bytes: PDF, images and office files are welcome; a program never is.

The declared name and type count for nothing: a program renamed `invoice.pdf` is still a program.
"""

import io
import zipfile

from comptoir_core.errors import UnsupportedType

PROGRAM_MAGICS = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xca\xfe\xba\xbe", "a program (Mach-O or Java class)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"#!", "a script"),
    (b"\x00asm", "a WebAssembly program"),
)
IMAGE_MAGICS = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .ppt
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ODF_TYPES = (
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
)
# Names inside an archive that make it something to run rather than to read.
ACTIVE_SUFFIXES = (
    ".exe",
    ".dll",
    ".bat",
    ".cmd",
    ".com",
    ".scr",
    ".js",
    ".vbs",
    ".ps1",
    ".jar",
    ".msi",
    ".sh",
)


def attachment_type(name: str, data: bytes) -> str:
    """The media type to store the attachment as; UnsupportedType (415) naming it otherwise."""
    head = data[:1024]
    for magic, what in PROGRAM_MAGICS:
        if head.startswith(magic):
            raise UnsupportedType(f"{name} is {what}: programs cannot be attached")
    for magic, media_type in IMAGE_MAGICS:
        if head.startswith(magic):
            return media_type
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if b"%PDF-" in head:
        return "application/pdf"
    if head.startswith(OLE_MAGIC):
        return "application/vnd.ms-office"
    if head.startswith(b"PK\x03\x04"):
        return _office_zip(name, data)
    raise UnsupportedType(f"{name} is not a PDF, an image or an office file")


def _office_zip(name: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if any(n.lower().endswith(ACTIVE_SUFFIXES) for n in names):
                raise UnsupportedType(f"{name} holds a program: programs cannot be attached")
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared in ODF_TYPES:
                    return declared
            if "[Content_Types].xml" in names:
                for prefix, media_type in OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return media_type
    except zipfile.BadZipFile as error:
        raise UnsupportedType(f"{name} is a damaged archive") from error
    raise UnsupportedType(f"{name} is an archive, not an office file")
