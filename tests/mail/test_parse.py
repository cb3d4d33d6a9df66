"""Reading a raw message as SES stores it: which parts to import, which to skip and why, and what the
message says about itself (sender, verdicts, recipient, labels, remark). Pure: no AWS."""

import tracemalloc
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage

from comptoir_core.mail.parse import LIMITS, parse_message
from comptoir_core.mail.sniff import Kind
from comptoir_core.mail.unzip import ZipLimits
from comptoir_infra.local.smtp import EICAR, ses_header_block
from tests.mail.builders import attach, logo, message, photo, ses_stored, zipped
from tests.pdf.samples import UBL_INVOICE
from tests.samples import text_pdf

PURCHASE = "demo-srl.purchase.abcdefghjk@in.comptoir.test"


def parsed_of(made: EmailMessage | bytes, **ses):
    return parse_message(ses_stored(made, recipient=PURCHASE, **ses))


def imported(parsed) -> list[tuple[str, Kind]]:
    return [(part.name, part.kind) for part in parsed.parts]


def skipped(parsed) -> dict[str, str]:
    return {part.name: part.reason for part in parsed.skipped}


# --- what the message says about itself ----------------------------------------------------------


def test_sender_subject_and_message_id_are_read_from_the_headers():
    parsed = parsed_of(message(sender="Supplier SRL <Invoices@Supplier.be>", subject="Invoice 42"))

    assert (parsed.sender, parsed.subject, parsed.message_id) == (
        "invoices@supplier.be",
        "Invoice 42",
        "20261127100000.1234@supplier.be",
    )


def test_an_encoded_subject_is_decoded():
    made = message()
    del made["Subject"]
    made["Subject"] = "=?utf-8?q?Facture_=C3=A9t=C3=A9_2026?="

    assert parsed_of(made).subject == "Facture été 2026"


def test_ses_verdicts_and_spf_dkim_dmarc_are_read_from_ses_own_headers():
    parsed = parsed_of(message(), spam="FAIL", virus="PASS", spf="softfail", dkim="fail", dmarc="fail")

    verdicts = parsed.verdicts
    assert (verdicts.spam, verdicts.virus, verdicts.spf, verdicts.dkim, verdicts.dmarc) == (
        "FAIL",
        "PASS",
        "softfail",
        "fail",
        "fail",
    )
    assert not parsed.virus_found


def test_a_virus_verdict_fail_is_seen():
    assert parsed_of(message(), virus="FAIL").virus_found


def test_verdict_headers_the_sender_wrote_are_not_believed():
    forged = message()
    forged["X-SES-Virus-Verdict"] = "PASS"
    forged["Authentication-Results"] = "amazonses.com; spf=pass; dkim=pass; dmarc=pass"

    parsed = parsed_of(forged, virus="FAIL", dkim="fail")

    assert parsed.verdicts.virus == "FAIL"
    assert parsed.verdicts.dkim == "fail"


def test_the_envelope_recipient_is_the_one_ses_names_in_its_received_header():
    parsed = parsed_of(message(to="someone-else@example.be"))

    assert parsed.envelope_recipient == PURCHASE


def test_a_received_header_the_sender_wrote_never_names_the_recipient():
    forged = message(to="x@example.be")
    forged["Received"] = (
        "from a by inbound-smtp.eu-west-1.amazonaws.com with SMTP id x for victim@in.comptoir.test;"
    )

    # Without SES's block on top, the first Received is the sender's: not believed either.
    parsed = parse_message(forged.as_bytes())

    assert parsed.envelope_recipient is None


def test_a_received_header_from_another_host_names_no_recipient():
    raw = ses_stored(message(), recipient=PURCHASE).replace(
        b"by inbound-smtp.eu-west-1.amazonaws.com", b"by inbound-smtp.eu-west-1.amazonaws.com.evil.example"
    )

    assert parse_message(raw).envelope_recipient is None


def test_to_and_cc_addresses_are_kept_as_further_recipients():
    parsed = parsed_of(message(to="A <a@in.comptoir.test>, b@example.be", cc="C@In.Comptoir.Test"))

    assert parsed.header_recipients == ["a@in.comptoir.test", "b@example.be", "c@in.comptoir.test"]


def test_the_local_listener_writes_the_headers_ses_writes():
    block = ses_header_block(
        mail_from="bounce@example.be",
        recipient=PURCHASE,
        helo="client.example.be",
        peer_ip="127.0.0.1",
        ses_id="a" * 40,
        region="eu-west-1",
        header_from="invoices@supplier.be",
        spam="PASS",
        virus="FAIL",
        now=datetime(2026, 11, 27, 10, tzinfo=UTC),
    )

    parsed = parse_message(block + message().as_bytes())

    assert parsed.envelope_recipient == PURCHASE
    assert (parsed.verdicts.spam, parsed.verdicts.virus, parsed.verdicts.spf) == ("PASS", "FAIL", "none")


def test_hashtag_words_of_the_subject_become_labels_but_numbers_do_not():
    parsed = parsed_of(message(subject="Facture #2026-042 #urgent #Q4-review #urgent #énergie"))

    assert parsed.labels == ["urgent", "Q4-review", "énergie"]


def test_text_between_the_markers_in_the_body_becomes_a_remark():
    parsed = parsed_of(message(text="Hello,\n[* Please book on project\n 7 *]\nRegards [*paid*]"))

    assert parsed.remark == "Please book on project 7\npaid"


def test_the_remark_is_read_from_an_html_only_body_too():
    parsed = parsed_of(message(text=None, html="<p>See <b>[* cost centre 12 *]</b></p>"))

    assert parsed.remark == "cost centre 12"


def test_a_redelivered_message_has_the_same_fingerprint_and_another_message_another():
    made = message()
    first = parse_message(ses_stored(made, recipient=PURCHASE, ses_id="a" * 40))
    again = parse_message(ses_stored(made, recipient=PURCHASE, ses_id="b" * 40, spam="FAIL"))
    other = parse_message(ses_stored(message(subject="Another"), recipient=PURCHASE))

    assert first.fingerprint == again.fingerprint
    assert other.fingerprint != first.fingerprint


def test_the_same_message_sent_again_with_other_mime_boundaries_has_the_same_fingerprint():
    made = attach(message(), text_pdf("x"), "x.pdf", "application/pdf")
    raw = made.as_bytes()
    boundary = made.get_boundary().encode()

    first = parse_message(ses_stored(raw, recipient=PURCHASE))
    again = parse_message(ses_stored(raw.replace(boundary, b"other-boundary-123"), recipient=PURCHASE))

    assert first.fingerprint == again.fingerprint


# --- which parts are imported --------------------------------------------------------------------


def test_every_pdf_and_photo_attachment_is_a_part_to_import():
    made = message()
    attach(made, text_pdf("Invoice 1"), "invoice-1.pdf", "application/pdf")
    attach(made, text_pdf("Invoice 2"), "invoice-2.pdf", "application/pdf")
    attach(made, photo(), "receipt.jpg", "image/jpeg")
    attach(made, photo(fmt="PNG"), "scan.png", "image/png")

    parsed = parsed_of(made)

    assert imported(parsed) == [
        ("invoice-1.pdf", Kind.pdf),
        ("invoice-2.pdf", Kind.pdf),
        ("receipt.jpg", Kind.jpeg),
        ("scan.png", Kind.png),
    ]
    assert parsed.skipped == []


def test_an_attachment_is_recognised_by_its_bytes_not_its_declared_type_or_name():
    made = message()
    attach(made, text_pdf(), "holiday.jpg", "image/jpeg")
    attach(made, photo(), "document.pdf", "application/pdf")

    parsed = parsed_of(made)

    assert imported(parsed) == [("holiday.jpg", Kind.pdf)]
    # A file that says it is a PDF must be one (issue 11): tests/mail/test_intake_edges.py
    assert skipped(parsed) == {"document.pdf": "not the PDF it claims to be"}


def test_a_program_is_skipped_with_its_reason_whatever_it_claims_to_be():
    made = message()
    attach(made, b"MZ\x90\x00\x03" + b"\x00" * 2000, "invoice.pdf", "application/pdf")

    parsed = parsed_of(made)

    assert parsed.parts == []
    assert skipped(parsed) == {"invoice.pdf": "a program (executables are never imported)"}


def test_a_ubl_e_invoice_is_kept_as_xml_for_recognition():
    made = message()
    attach(made, UBL_INVOICE, "invoice.xml", "text/plain")

    assert imported(parsed_of(made)) == [("invoice.xml", Kind.ubl)]


def test_an_xml_file_that_is_not_an_invoice_is_skipped():
    made = message()
    attach(made, b'<?xml version="1.0"?><Order xmlns="urn:example:order"/>', "order.xml", "application/xml")

    assert skipped(parsed_of(made)) == {"order.xml": "an XML file that is not an e-invoice (UBL or CII)"}


def test_an_attached_html_page_is_imported_for_conversion():
    made = message()
    attach(made, b"<!DOCTYPE html><html><body><h1>Invoice 7</h1></body></html>", "invoice.htm", "text/html")

    assert imported(parsed_of(made)) == [("invoice.htm", Kind.html)]


def test_an_office_document_is_skipped_as_such():
    docx = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    made = message()
    attach(
        made, docx, "offer.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )

    assert skipped(parsed_of(made)) == {"offer.docx": "an office document (send it as PDF)"}


def test_the_same_file_twice_in_a_message_is_imported_once():
    pdf = text_pdf("Twice")
    made = message()
    attach(made, pdf, "a.pdf", "application/pdf")
    attach(made, pdf, "b.pdf", "application/pdf")

    parsed = parsed_of(made)

    assert imported(parsed) == [("a.pdf", Kind.pdf)]
    assert skipped(parsed) == {"b.pdf": "the same file as a.pdf"}


def test_an_empty_attachment_is_skipped():
    made = message()
    attach(made, b"", "empty.pdf", "application/pdf")

    assert skipped(parsed_of(made)) == {"empty.pdf": "empty"}


def test_a_digital_signature_part_is_not_a_document():
    made = message()
    attach(made, b"0\x82\x01\x00" * 100, "smime.p7s", "application/pkcs7-signature")

    assert skipped(parsed_of(made)) == {"smime.p7s": "a digital signature of the message, not a document"}


# --- file names ----------------------------------------------------------------------------------


def test_a_path_like_file_name_keeps_only_its_last_part():
    made = message()
    attach(made, text_pdf("1"), "../../etc/passwd.pdf", "application/pdf")
    attach(made, text_pdf("2"), "C:\\Users\\x\\invoice.pdf", "application/pdf")
    attach(made, text_pdf("3"), "/..", "application/pdf")

    assert [name for name, _ in imported(parsed_of(made))] == [
        "passwd.pdf",
        "invoice.pdf",
        "attachment-3.pdf",
    ]


def test_rfc_2231_and_rfc_2047_encoded_file_names_are_decoded():
    made = message()
    attach(made, text_pdf("1"), "facture été 2026.pdf", "application/pdf")  # the library writes RFC 2231
    raw = made.as_bytes()
    assert b"filename*=utf-8''" in raw
    rfc2047 = message()
    part = attach(rfc2047, text_pdf("2"), "x.pdf", "application/pdf").get_payload()[-1]
    part.replace_header("Content-Disposition", 'attachment; filename="=?UTF-8?B?ZmFjdHV1ciDDqXTDqS5wZGY=?="')

    assert [name for name, _ in imported(parsed_of(raw))] == ["facture été 2026.pdf"]
    assert [name for name, _ in imported(parsed_of(rfc2047))] == ["factuur été.pdf"]


def test_control_and_direction_characters_are_removed_from_names():
    made = message()
    attach(made, text_pdf(), "invoice\u202efdp.exe", "application/pdf")

    assert imported(parsed_of(made)) == [("invoicefdp.exe", Kind.pdf)]


def test_a_very_long_name_is_shortened_keeping_its_extension():
    made = message()
    attach(made, text_pdf(), "x" * 400 + ".pdf", "application/pdf")

    ((name, _),) = imported(parsed_of(made))
    assert len(name) == 255 and name.endswith("….pdf")


# --- forwarded messages --------------------------------------------------------------------------


def _forward(inner: EmailMessage, subject: str = "Fwd") -> EmailMessage:
    outer = message(subject=subject, text="See the forwarded message.")
    outer.add_attachment(inner)  # message/rfc822
    return outer


def test_attachments_of_forwarded_messages_are_imported_too():
    innermost = attach(message(subject="Original"), text_pdf("deep"), "deep.pdf", "application/pdf")
    inner = attach(_forward(innermost, "Fwd: Original"), photo(), "photo.jpg", "image/jpeg")
    outer = attach(_forward(inner, "Fwd: Fwd: Original"), text_pdf("top"), "top.pdf", "application/pdf")

    parsed = parsed_of(outer)

    assert sorted(imported(parsed)) == [
        ("deep.pdf", Kind.pdf),
        ("photo.jpg", Kind.jpeg),
        ("top.pdf", Kind.pdf),
    ]
    assert parsed.subject == "Fwd: Fwd: Original"


def test_the_bodies_of_forwarded_messages_are_neither_imported_nor_skipped():
    inner = message(subject="Original", text="Plain body", html="<p>HTML body</p>")
    outer = _forward(attach(inner, text_pdf("x"), "x.pdf", "application/pdf"))

    parsed = parsed_of(outer)

    assert imported(parsed) == [("x.pdf", Kind.pdf)]
    assert parsed.skipped == []


def test_a_forwarded_html_message_gives_its_body_when_there_is_nothing_else():
    inner = message(subject="Web invoice", text=None, html="<h1>Invoice 9</h1>")
    outer = message(subject="Fwd: Web invoice", text=None, html=None)
    outer.set_content("FYI")
    outer.add_attachment(inner)

    parsed = parsed_of(outer)

    assert parsed.parts == []
    assert b"<h1>Invoice 9</h1>" in parsed.body.body


def test_an_html_body_cut_around_an_inline_picture_is_not_a_document():
    made = message(text=None, html="<p>First half</p>")
    made.make_mixed()
    made.add_attachment(photo(), maintype="image", subtype="jpeg", filename="photo.jpg", disposition="inline")
    second = EmailMessage()
    second.set_content("<p>Second half</p>", subtype="html")
    made.attach(second)

    parsed = parsed_of(made)

    assert imported(parsed) == [("photo.jpg", Kind.jpeg)]
    assert parsed.skipped == []


def test_forwards_nested_too_deep_are_cut_off_without_a_crash():
    made = attach(message(), text_pdf("bottom"), "bottom.pdf", "application/pdf")
    for _ in range(15):
        made = _forward(made)

    parsed = parsed_of(made)

    assert parsed.parts == []
    assert "nested more than 10 levels deep" in skipped(parsed).values()


# --- zip attachments -----------------------------------------------------------------------------


def test_a_zip_of_documents_is_unpacked_and_its_other_files_skipped():
    archive = zipped(
        {
            "invoices/2026-041.pdf": text_pdf("41"),
            "invoices/2026-042.pdf": text_pdf("42"),
            "__MACOSX/._2026-041.pdf": b"junk",
            "setup.exe": b"MZ" + b"\x00" * 100,
            "inner.zip": zipped({"x.pdf": text_pdf("x")}),
        }
    )
    made = attach(message(), archive, "invoices.zip", "application/zip")

    parsed = parsed_of(made)

    assert imported(parsed) == [("2026-041.pdf", Kind.pdf), ("2026-042.pdf", Kind.pdf)]
    assert parsed.parts[0].origin == "zip invoices.zip"
    assert skipped(parsed) == {
        "invoices.zip › setup.exe": "a program (executables are never imported)",
        "invoices.zip › inner.zip": "a zip inside a zip is not unpacked",
    }


def test_a_zip_with_too_many_files_is_refused_whole():
    archive = zipped({f"{n}.pdf": text_pdf(str(n)) for n in range(51)})
    made = attach(message(), archive, "many.zip", "application/zip")

    parsed = parsed_of(made)

    assert parsed.parts == []
    assert skipped(parsed) == {"many.zip": "zip not unpacked: the zip holds 51 files, more than 50"}


def test_a_zip_that_unpacks_to_more_than_the_total_limit_is_refused_whole():
    limits = replace(LIMITS, zip=ZipLimits(max_total_bytes=3 * 1024 * 1024, max_ratio=10_000))
    archive = zipped({f"{n}.pdf": b"%PDF-1.7\n" + b"0" * (1024 * 1024) for n in range(4)})
    made = attach(message(), archive, "big.zip", "application/zip")

    parsed = parse_message(ses_stored(made, recipient=PURCHASE), limits)

    assert parsed.parts == []
    assert skipped(parsed)["big.zip"].startswith("zip not unpacked: the zip would unpack to 4.0 MB")


def test_a_zip_bomb_with_a_huge_expansion_ratio_is_refused():
    bomb = zipped({"invoice.pdf": b"%PDF-1.7\n" + b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 30_000
    made = attach(message(), bomb, "invoice.zip", "application/zip")

    parsed = parsed_of(made)

    assert parsed.parts == []
    assert "a zip bomb" in skipped(parsed)["invoice.zip"]


def test_a_zip_that_lies_about_its_sizes_is_refused():
    honest = zipped({"a.pdf": text_pdf("a")})
    archive = zipfile.ZipFile(__import__("io").BytesIO(honest))
    info = archive.infolist()[0]
    # Patch the sizes both headers declare down to 10 bytes: the data says otherwise.
    lying = bytearray(honest)
    for at in (honest.find(b"PK\x03\x04") + 22, honest.find(b"PK\x01\x02") + 24):
        lying[at : at + 4] = (10).to_bytes(4, "little")
    assert info.file_size > 10
    made = attach(message(), bytes(lying), "a.zip", "application/zip")

    parsed = parsed_of(made)

    assert parsed.parts == []
    assert skipped(parsed)["a.zip"].startswith("zip not unpacked:")


def test_a_broken_zip_is_skipped_with_its_reason():
    made = attach(message(), b"PK\x03\x04" + b"\x00" * 50, "broken.zip", "application/zip")

    assert skipped(parsed_of(made))["broken.zip"].startswith("zip not unpacked: the zip cannot be read")


def test_an_encrypted_file_in_a_zip_is_skipped():
    archive = bytearray(zipped({"secret.pdf": text_pdf("s")}, compression=zipfile.ZIP_STORED))
    for header, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = archive.find(header) + flag_at
        archive[at] |= 0x01  # the "encrypted" bit
    made = attach(message(), bytes(archive), "locked.zip", "application/zip")

    assert skipped(parsed_of(made)) == {"locked.zip › secret.pdf": "it is encrypted in the zip"}


# --- images --------------------------------------------------------------------------------------


def test_a_small_inline_logo_is_ignored_and_a_real_photo_is_kept():
    made = message(text=None, html='<p>Invoice attached</p><img src="cid:logo@x">')
    made.add_related(logo(), maintype="image", subtype="png", cid="<logo@x>")
    attach(made, text_pdf(), "invoice.pdf", "application/pdf")
    attach(made, photo(), "receipt.jpg", "image/jpeg")

    parsed = parsed_of(made)

    assert imported(parsed) == [("invoice.pdf", Kind.pdf), ("receipt.jpg", Kind.jpeg)]
    assert list(skipped(parsed).values()) == ["a small image (logo, icon or signature)"]


def test_a_medium_image_the_html_body_shows_is_part_of_the_layout():
    banner = photo(600, 40, fmt="PNG")
    assert 10 * 1024 < len(banner) < 100 * 1024
    made = message(text=None, html='<p>Hello</p><img src="cid:banner@x">')
    made.add_related(banner, maintype="image", subtype="png", cid="<banner@x>")

    parsed = parsed_of(made)

    assert parsed.parts == []
    assert list(skipped(parsed).values()) == ["an image shown in the message body (logo or signature)"]


def test_a_photo_sent_inline_by_a_phone_mailer_is_imported():
    made = message(text="Sent from my phone")
    made.add_attachment(
        photo(), maintype="image", subtype="jpeg", filename="IMG_0042.jpg", disposition="inline"
    )

    assert imported(parsed_of(made)) == [("IMG_0042.jpg", Kind.jpeg)]


# --- the body, when there is nothing else --------------------------------------------------------


def test_an_html_only_message_gives_its_html_body_as_the_document():
    html = '<html><body><h1>Your invoice</h1><p>Total: 121,00 EUR</p><img src="http://127.0.0.1:9/x.png"></body></html>'
    parsed = parsed_of(message(subject="Invoice 2026-7", text=None, html=html))

    assert parsed.parts == []
    assert parsed.body.kind == Kind.html and parsed.body.name == "Invoice 2026-7"
    assert html.encode() in parsed.body.body
    assert b'<meta charset="utf-8">' in parsed.body.body


def test_the_body_document_shows_its_inline_pictures_as_data():
    made = message(text=None, html='<p>Receipt</p><img src="cid:pic@x">')
    made.add_related(logo(), maintype="image", subtype="png", cid="<pic@x>")

    body = parsed_of(made).body.body

    assert b'src="data:image/png;base64,' in body and b"cid:" not in body


def test_a_plain_text_only_message_gives_its_text_as_an_html_document():
    parsed = parsed_of(message(text="Total <b>42</b> EUR\nThanks", html=None))

    assert parsed.body.kind == Kind.html
    assert b"Total &lt;b&gt;42&lt;/b&gt; EUR\nThanks" in parsed.body.body


def test_a_message_with_nothing_in_it_has_no_body_document():
    assert parsed_of(message(text="   \n")).body is None


# --- hostile and broken input --------------------------------------------------------------------


def test_malformed_mime_does_not_crash_and_keeps_what_it_can_read():
    pdf = text_pdf("survivor")
    raw = (
        b"From: =?broken?x?zz?= <<<\r\nTo: ,,,@@\r\nSubject: =?utf-8?b?not base64!!?=\r\n"
        b'Content-Type: multipart/mixed; boundary="XYZ"\r\nMIME-Version: 1.0\r\n\r\n'
        b"--XYZ\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
        b'--XYZ\r\nContent-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + __import__("base64").encodebytes(pdf)
        + b"--XYZ\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64 at all%%%\r\n"
        b'--XYZ\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\n'
    )

    parsed = parsed_of(raw)

    assert imported(parsed) == [("a.pdf", Kind.pdf)]
    assert parsed.defects  # recorded for the message's history


def test_bytes_that_are_not_a_message_at_all_give_nothing_to_import():
    parsed = parse_message(b"\x00\xff\xfe binary junk \x00" * 1000)

    assert (parsed.parts, parsed.envelope_recipient, parsed.sender) == ([], None, None)


def test_a_wrong_content_type_on_the_message_itself_still_finds_the_attachment():
    made = attach(message(), text_pdf(), "a.pdf", "application/pdf")
    raw = made.as_bytes().replace(b"multipart/mixed", b"multipart/x-unknown", 1)

    assert imported(parsed_of(raw)) == [("a.pdf", Kind.pdf)]


def test_a_part_with_too_many_siblings_is_cut_off():
    made = message()
    for n in range(105):
        attach(made, text_pdf(f"{n}"), f"{n}.pdf", "application/pdf")

    parsed = parsed_of(made)

    assert len(parsed.parts) == 99  # the text body is the hundredth part looked at
    assert skipped(parsed) == {"(further parts)": "more than 100 parts in one message"}


def test_an_attachment_over_the_size_limit_is_skipped_and_never_decoded():
    limits = replace(LIMITS, max_part_bytes=1024 * 1024)
    huge = b"%PDF-1.7\n" + bytes(range(256)) * (4 * 1024 * 1024 // 256)
    raw = ses_stored(attach(message(), huge, "huge.pdf", "application/pdf"), recipient=PURCHASE)
    del huge

    tracemalloc.start()
    parsed = parse_message(raw, limits)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert parsed.parts == []
    assert skipped(parsed) == {"huge.pdf": "larger than 1 MB"}
    # The standard library's parser holds the message as text and as lines (about 8 times its size,
    # see benchmarks/README.md); a decoded copy of the attachment would show on top of that.
    assert peak < 10 * len(raw)


def test_the_eicar_test_file_is_what_the_local_listener_calls_a_virus():
    from comptoir_infra.local.smtp import scan

    made = attach(message(), EICAR, "eicar.com", "application/octet-stream")

    assert scan(made.as_bytes()) == ("PASS", "FAIL")
    assert scan(message().as_bytes()) == ("PASS", "PASS")
