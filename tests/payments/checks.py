"""What payment tests check files and codes with: the official XSDs (as sepaxml ships them) through lxml and
xmlschema, and a real QR decoder (zxing-cpp), never our own encoder."""

import io
from functools import lru_cache

import zxingcpp
from lxml import etree
from PIL import Image

from comptoir_core.payments.pain import schema_path

NS = {
    "001.001.09": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09",
    "001.001.03": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
}


@lru_cache(maxsize=2)
def _schema(version: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_path(version))))


def validate_pain(xml: bytes, version: str) -> etree._Element:
    """The parsed file, after two validators checked it against the official pain.001 XSD: libxml2 (lxml, as
    the service does) and xmlschema (pure Python, another implementation). Either raises on an error."""
    document = etree.fromstring(xml)
    _schema(version).assertValid(document)
    _xmlschema(version).validate(xml.decode("utf-8"))
    return document


@lru_cache(maxsize=2)
def _xmlschema(version: str):
    import xmlschema

    return xmlschema.XMLSchema(str(schema_path(version)))


def transactions(document: etree._Element, version: str) -> list[dict]:
    """Each transaction of a pain.001 file: end-to-end id, amount, name, IBAN, BIC, remittance."""
    ns = {"p": NS[version]}
    out = []
    for tx in document.iterfind(".//p:CdtTrfTxInf", ns):
        structured = tx.find("p:RmtInf/p:Strd/p:CdtrRefInf", ns)
        out.append(
            {
                "end_to_end_id": tx.findtext("p:PmtId/p:EndToEndId", namespaces=ns),
                "amount": tx.findtext("p:Amt/p:InstdAmt", namespaces=ns),
                "currency": tx.find("p:Amt/p:InstdAmt", ns).get("Ccy"),
                "name": tx.findtext("p:Cdtr/p:Nm", namespaces=ns),
                "iban": tx.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=ns),
                "has_creditor_agent": tx.find("p:CdtrAgt", ns) is not None,
                "unstructured": tx.findtext("p:RmtInf/p:Ustrd", namespaces=ns),
                "structured": None
                if structured is None
                else (
                    structured.findtext("p:Tp/p:CdOrPrtry/p:Cd", namespaces=ns),
                    structured.findtext("p:Tp/p:Issr", namespaces=ns),
                    structured.findtext("p:Ref", namespaces=ns),
                ),
            }
        )
    return out


def decode_epc(png: bytes) -> dict:
    """The EPC069-12 fields of the QR code in a PNG, read by zxing-cpp."""
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    lines = code.bytes.decode("utf-8").split("\n")
    lines += [""] * (11 - len(lines))
    return {
        "service": lines[0],
        "version": lines[1],
        "charset": lines[2],
        "identification": lines[3],
        "bic": lines[4],
        "name": lines[5],
        "iban": lines[6],
        "amount": lines[7],
        "purpose": lines[8],
        "reference": lines[9],
        "text": lines[10],
        "ec_level": code.ec_level,
    }
