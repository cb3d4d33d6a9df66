"""Messages for the e-mail tests: built with the standard library, wrapped the way SES stores them."""

import io
import zipfile
from email.message import EmailMessage

from PIL import Image

# The header block SES prepends to a stored message, as in AWS's documented samples (values made up).
SES_BLOCK = (
    "Return-Path: <{mail_from}>\r\n"
    "Received: from mail-wm1-f54.google.com (mail-wm1-f54.google.com [209.85.128.54])\r\n"
    " by inbound-smtp.eu-west-1.amazonaws.com with SMTP id {ses_id}\r\n"
    " for {recipient};\r\n"
    " Fri, 27 Nov 2026 10:00:00 +0000 (UTC)\r\n"
    "X-SES-Spam-Verdict: {spam}\r\n"
    "X-SES-Virus-Verdict: {virus}\r\n"
    "Received-SPF: {spf} (spfCheck: domain of example.be designates 209.85.128.54 as permitted sender)"
    " client-ip=209.85.128.54; envelope-from={mail_from}; helo=mail-wm1-f54.google.com;\r\n"
    "Authentication-Results: amazonses.com;\r\n"
    " spf={spf} (spfCheck: domain of example.be designates 209.85.128.54 as permitted sender)"
    " smtp.mailfrom={mail_from};\r\n"
    " dkim={dkim} header.i=@example.be;\r\n"
    " dmarc={dmarc} header.from=example.be;\r\n"
    "X-SES-RECEIPT: AEFBQUFBQUFBQUFHcE5wTnpBPT0=\r\n"
    "X-SES-DKIM-SIGNATURE: a=rsa-sha256; q=dns/txt; b=ZXhhbXBsZQ==; c=relaxed/simple;"
    " s=uku4taia5b5tsbglxyj6zym32efj7xqv; d=amazonses.com; t=1795773600; v=1; bh=abc=;"
    " h=From:To:Cc:Bcc:Subject:Date:Message-ID:MIME-Version:Content-Type:X-SES-RECEIPT;\r\n"
)


def ses_stored(
    message: EmailMessage | bytes,
    *,
    recipient: str,
    mail_from: str = "bounce@example.be",
    spam: str = "PASS",
    virus: str = "PASS",
    spf: str = "pass",
    dkim: str = "pass",
    dmarc: str = "pass",
    ses_id: str = "o3vrnil0e2ic28trm7dfhrc2v0cnbeccl4nbp0g1",
) -> bytes:
    """The object SES's S3 action writes for `message` received for `recipient`."""
    raw = (
        message
        if isinstance(message, bytes)
        else message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    )
    block = SES_BLOCK.format(
        mail_from=mail_from,
        recipient=recipient,
        spam=spam,
        virus=virus,
        spf=spf,
        dkim=dkim,
        dmarc=dmarc,
        ses_id=ses_id,
    )
    return block.encode() + raw


def message(
    *,
    to: str = "demo-srl.purchase.abcdefghjk@in.comptoir.test",
    sender: str = "Supplier SRL <invoices@supplier.be>",
    subject: str = "Invoice",
    text: str | None = "Please find our invoice attached.",
    html: str | None = None,
    message_id: str = "<20261127100000.1234@supplier.be>",
    cc: str | None = None,
) -> EmailMessage:
    made = EmailMessage()
    made["From"] = sender
    made["To"] = to
    if cc:
        made["Cc"] = cc
    made["Subject"] = subject
    made["Message-ID"] = message_id
    made["Date"] = "Fri, 27 Nov 2026 10:59:00 +0100"
    if text is not None:
        made.set_content(text)
        if html is not None:
            made.add_alternative(html, subtype="html")
    elif html is not None:
        made.set_content(html, subtype="html")
    return made


def attach(
    made: EmailMessage, data: bytes, filename: str | None, content_type: str = "application/octet-stream"
):
    maintype, subtype = content_type.split("/")
    made.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return made


def photo(width: int = 640, height: int = 480, *, fmt: str = "JPEG") -> bytes:
    """A photo-like image: noise compresses badly, as a real photo does."""
    image = Image.effect_noise((width, height), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 80} if fmt == "JPEG" else {}))
    return out.getvalue()


def logo(width: int = 120, height: int = 40) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 60, 160)).save(out, "PNG")
    return out.getvalue()


def zipped(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def receipt_photo(width: int = 900, height: int = 1300) -> bytes:
    """A photographed receipt: dark text lines on an off-white page, slightly noisy, as a phone takes it."""
    from PIL import ImageDraw, ImageFont

    page = Image.new("L", (width, height), 235)
    grain = Image.effect_noise((width, height), 12)
    page = Image.blend(page, grain, 0.15).convert("RGB")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=28)
    lines = ["BOULANGERIE DEMO", "Rue de la Loi 16, 1000 Bruxelles", "TVA BE0417497106", ""]
    lines += [f"Article {n:02d}            {n * 1.35:6.2f} EUR" for n in range(1, 16)]
    lines += ["", "TOTAL                  161,10 EUR", "dont TVA 6%              9,12 EUR"]
    for n, line in enumerate(lines):
        draw.text((60, 60 + n * 44), line, fill=(30, 30, 30), font=font)
    out = io.BytesIO()
    page.save(out, "JPEG", quality=80)
    return out.getvalue()
