"""What may be attached, from the bytes alone."""

import io
import zipfile

import pytest

from comptoir_core.communication.attachments import attachment_type
from comptoir_core.errors import UnsupportedType
from tests.samples import jpeg_photo, text_pdf


def _zip(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/").replace("_dot_", "."), data)
    return buffer.getvalue()


def test_pdfs_images_and_office_files_are_welcome_whatever_their_name():
    docx = _zip(**{"[Content_Types]_dot_xml": b"<Types/>", "word__document_dot_xml": b"<w/>"})

    assert attachment_type("x.bin", text_pdf("hello")) == "application/pdf"
    assert attachment_type("photo", jpeg_photo()) == "image/jpeg"
    assert attachment_type("notes.docx", docx).endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    "data,words",
    [
        (b"MZ\x90\x00rest", "a Windows program"),
        (b"\x7fELF\x02\x01", "a Linux program"),
        (b"#!/bin/sh\nrm -rf /", "a script"),
        (_zip(**{"[Content_Types]_dot_xml": b"<Types/>", "word__setup_dot_exe": b"MZ"}), "holds a program"),
    ],
)
def test_a_program_is_refused_naming_the_file(data, words):
    with pytest.raises(UnsupportedType) as refused:
        attachment_type("facture.pdf", data)

    assert refused.value.status == 415
    assert refused.value.message.startswith("facture.pdf ") and words in refused.value.message


def test_a_plain_archive_or_unknown_bytes_are_refused():
    with pytest.raises(UnsupportedType):
        attachment_type("a.zip", _zip(readme_dot_txt=b"hi"))
    with pytest.raises(UnsupportedType):
        attachment_type("a.txt", b"just text")
