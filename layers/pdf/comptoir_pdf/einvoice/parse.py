"""Reading UBL 2.1 (Peppol BIS Billing 3.0 Invoice and CreditNote) and UN/CEFACT CII
(CrossIndustryInvoice, as in Factur-X/ZUGFeRD) into an EInvoice.

The XML comes from outside: no DTD, no entities, no network; a DOCTYPE is refused outright."""

import base64
import binascii
from datetime import datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from comptoir_pdf.einvoice.model import EInvoice, Line, NotAnEInvoice, Party, TaxRow

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
CREDIT_NOTE_CODES = {"381", "396", "532", "261", "262", "308"}

MAX_XML_BYTES = 20 * 1024 * 1024

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
)


def parse_xml(data: bytes) -> etree._Element:
    if len(data) > MAX_XML_BYTES:
        raise NotAnEInvoice("XML larger than 20 MB")
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"<!DOCTYPE" in data[:8192].upper() or b"<!ENTITY" in data[:8192].upper():
        raise NotAnEInvoice("XML with a DOCTYPE is refused")
    if not head.startswith(b"<"):
        raise NotAnEInvoice("not XML")
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as error:
        raise NotAnEInvoice(f"not well-formed XML: {error}") from error


def syntax_of(data: bytes) -> str | None:
    """ "ubl", "cii" or None, from the root element."""
    try:
        root = parse_xml(data)
    except NotAnEInvoice:
        return None
    return _syntax(root)


def _syntax(root: etree._Element) -> str | None:
    ns = etree.QName(root).namespace
    if ns in (UBL_INVOICE, UBL_CREDIT_NOTE):
        return "ubl"
    if ns == CII:
        return "cii"
    return None


def parse_einvoice(data: bytes) -> EInvoice:
    root = parse_xml(data)
    syntax = _syntax(root)
    if syntax == "ubl":
        return _ubl(root)
    if syntax == "cii":
        return _cii(root)
    raise NotAnEInvoice(f"root element {etree.QName(root).localname!r} is neither UBL nor CII")


# ---- helpers ---------------------------------------------------------------------------------


def _text(node, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(path)
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    return value or None


def _dec(node, path: str) -> Decimal | None:
    value = _text(node, path)
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(value[:10] if fmt == "%Y-%m-%d" else value[:8], fmt).date().isoformat()
        except ValueError:
            continue
    return None


# ---- UBL -------------------------------------------------------------------------------------


def _ubl_party(party) -> Party:
    if party is None:
        return Party()
    vat = None
    for scheme in party.findall("{*}PartyTaxScheme"):
        tax_scheme = _text(scheme, "{*}TaxScheme/{*}ID")
        if tax_scheme in (None, "VAT"):
            vat = _text(scheme, "{*}CompanyID")
            if vat:
                break
    enterprise = None
    for path in ("{*}PartyLegalEntity/{*}CompanyID", "{*}EndpointID", "{*}PartyIdentification/{*}ID"):
        node = party.find(path)
        if node is not None and node.text and node.get("schemeID") in ("0208", "BE:EN", "BE:CBE"):
            enterprise = node.text.strip().replace(".", "")
            break
    return Party(
        name=_text(party, "{*}PartyLegalEntity/{*}RegistrationName") or _text(party, "{*}PartyName/{*}Name"),
        vat=vat,
        enterprise_number=enterprise,
        street=_text(party, "{*}PostalAddress/{*}StreetName"),
        city=_text(party, "{*}PostalAddress/{*}CityName"),
        postal_code=_text(party, "{*}PostalAddress/{*}PostalZone"),
        country=_text(party, "{*}PostalAddress/{*}Country/{*}IdentificationCode"),
        email=_text(party, "{*}Contact/{*}ElectronicMail"),
    )


def _ubl(root) -> EInvoice:
    credit = etree.QName(root).namespace == UBL_CREDIT_NOTE
    type_code = _text(root, "{*}CreditNoteTypeCode") if credit else _text(root, "{*}InvoiceTypeCode")
    currency = _text(root, "{*}DocumentCurrencyCode")
    # There may be a second TaxTotal in the tax currency: take the one in the document currency.
    tax_totals = root.findall("{*}TaxTotal")
    tax_total = None
    for t in tax_totals:
        amount = t.find("{*}TaxAmount")
        if amount is not None and (currency is None or amount.get("currencyID") in (None, currency)):
            tax_total = t
            break
    breakdown = []
    if tax_total is not None:
        for sub in tax_total.findall("{*}TaxSubtotal"):
            breakdown.append(
                TaxRow(
                    rate=_dec(sub, "{*}TaxCategory/{*}Percent") or Decimal(0),
                    base=_dec(sub, "{*}TaxableAmount") or Decimal(0),
                    vat=_dec(sub, "{*}TaxAmount") or Decimal(0),
                    category=_text(sub, "{*}TaxCategory/{*}ID"),
                )
            )
    means = root.find("{*}PaymentMeans")
    lines = []
    for line in root.findall("{*}CreditNoteLine" if credit else "{*}InvoiceLine"):
        qty_node = line.find("{*}CreditedQuantity" if credit else "{*}InvoicedQuantity")
        lines.append(
            Line(
                id=_text(line, "{*}ID"),
                name=_text(line, "{*}Item/{*}Name") or _text(line, "{*}Item/{*}Description"),
                quantity=Decimal(qty_node.text.strip()) if qty_node is not None and qty_node.text else None,
                unit=qty_node.get("unitCode") if qty_node is not None else None,
                price=_dec(line, "{*}Price/{*}PriceAmount"),
                amount=_dec(line, "{*}LineExtensionAmount"),
                rate=_dec(line, "{*}Item/{*}ClassifiedTaxCategory/{*}Percent"),
            )
        )
    attached = None
    for ref in root.findall("{*}AdditionalDocumentReference"):
        obj = ref.find("{*}Attachment/{*}EmbeddedDocumentBinaryObject")
        if obj is not None and obj.get("mimeCode") == "application/pdf" and obj.text:
            try:
                attached = base64.b64decode(obj.text, validate=False)
            except (binascii.Error, ValueError):
                attached = None
            if attached and attached.startswith(b"%PDF"):
                break
            attached = None
    return EInvoice(
        syntax="ubl",
        document_type="credit_note" if credit or type_code in CREDIT_NOTE_CODES else "invoice",
        type_code=type_code,
        number=_text(root, "{*}ID"),
        issue_date=_iso(_text(root, "{*}IssueDate")),
        due_date=_iso(_text(root, "{*}DueDate") or _text(means, "{*}PaymentDueDate")),
        currency=currency,
        supplier=_ubl_party(root.find("{*}AccountingSupplierParty/{*}Party")),
        customer=_ubl_party(root.find("{*}AccountingCustomerParty/{*}Party")),
        total_excl_vat=_dec(root, "{*}LegalMonetaryTotal/{*}TaxExclusiveAmount"),
        vat_amount=_dec(tax_total, "{*}TaxAmount") if tax_total is not None else None,
        total_incl_vat=_dec(root, "{*}LegalMonetaryTotal/{*}TaxInclusiveAmount"),
        payable_amount=_dec(root, "{*}LegalMonetaryTotal/{*}PayableAmount"),
        breakdown=breakdown,
        iban=_text(means, "{*}PayeeFinancialAccount/{*}ID"),
        bic=_text(means, "{*}PayeeFinancialAccount/{*}FinancialInstitutionBranch/{*}ID"),
        payment_reference=_text(means, "{*}PaymentID"),
        lines=lines,
        notes=[n.text.strip() for n in root.findall("{*}Note") if n.text and n.text.strip()],
        buyer_reference=_text(root, "{*}BuyerReference"),
        attached_pdf=attached,
    )


# ---- CII -------------------------------------------------------------------------------------


def _cii_party(party) -> Party:
    if party is None:
        return Party()
    vat = None
    for reg in party.findall("{*}SpecifiedTaxRegistration/{*}ID"):
        if reg.get("schemeID") in (None, "VA") and reg.text:
            vat = reg.text.strip()
            break
    enterprise = None
    legal = party.find("{*}SpecifiedLegalOrganization/{*}ID")
    if legal is not None and legal.text and legal.get("schemeID") == "0208":
        enterprise = legal.text.strip().replace(".", "")
    return Party(
        name=_text(party, "{*}Name"),
        vat=vat,
        enterprise_number=enterprise,
        street=_text(party, "{*}PostalTradeAddress/{*}LineOne"),
        city=_text(party, "{*}PostalTradeAddress/{*}CityName"),
        postal_code=_text(party, "{*}PostalTradeAddress/{*}PostcodeCode"),
        country=_text(party, "{*}PostalTradeAddress/{*}CountryID"),
        email=_text(party, "{*}URIUniversalCommunication/{*}URIID"),
    )


def _cii(root) -> EInvoice:
    doc = root.find("{*}ExchangedDocument")
    transaction = root.find("{*}SupplyChainTradeTransaction")
    agreement = transaction.find("{*}ApplicableHeaderTradeAgreement") if transaction is not None else None
    settlement = transaction.find("{*}ApplicableHeaderTradeSettlement") if transaction is not None else None
    type_code = _text(doc, "{*}TypeCode")
    currency = _text(settlement, "{*}InvoiceCurrencyCode")
    summation = (
        settlement.find("{*}SpecifiedTradeSettlementHeaderMonetarySummation")
        if settlement is not None
        else None
    )
    vat_amount = None
    if summation is not None:
        for node in summation.findall("{*}TaxTotalAmount"):
            if node.text and node.get("currencyID") in (None, currency):
                vat_amount = Decimal(node.text.strip())
                break
    breakdown = []
    if settlement is not None:
        for tax in settlement.findall("{*}ApplicableTradeTax"):
            breakdown.append(
                TaxRow(
                    rate=_dec(tax, "{*}RateApplicablePercent") or Decimal(0),
                    base=_dec(tax, "{*}BasisAmount") or Decimal(0),
                    vat=_dec(tax, "{*}CalculatedAmount") or Decimal(0),
                    category=_text(tax, "{*}CategoryCode"),
                )
            )
    means = settlement.find("{*}SpecifiedTradeSettlementPaymentMeans") if settlement is not None else None
    lines = []
    for item in transaction.findall("{*}IncludedSupplyChainTradeLineItem") if transaction is not None else []:
        qty = item.find("{*}SpecifiedLineTradeDelivery/{*}BilledQuantity")
        lines.append(
            Line(
                id=_text(item, "{*}AssociatedDocumentLineDocument/{*}LineID"),
                name=_text(item, "{*}SpecifiedTradeProduct/{*}Name"),
                quantity=Decimal(qty.text.strip()) if qty is not None and qty.text else None,
                unit=qty.get("unitCode") if qty is not None else None,
                price=_dec(
                    item, "{*}SpecifiedLineTradeAgreement/{*}NetPriceProductTradePrice/{*}ChargeAmount"
                ),
                amount=_dec(
                    item,
                    "{*}SpecifiedLineTradeSettlement/{*}SpecifiedTradeSettlementLineMonetarySummation/{*}LineTotalAmount",
                ),
                rate=_dec(
                    item, "{*}SpecifiedLineTradeSettlement/{*}ApplicableTradeTax/{*}RateApplicablePercent"
                ),
            )
        )
    return EInvoice(
        syntax="cii",
        document_type="credit_note" if type_code in CREDIT_NOTE_CODES else "invoice",
        type_code=type_code,
        number=_text(doc, "{*}ID"),
        issue_date=_iso(_text(doc, "{*}IssueDateTime/{*}DateTimeString")),
        due_date=_iso(
            _text(settlement, "{*}SpecifiedTradePaymentTerms/{*}DueDateDateTime/{*}DateTimeString")
        ),
        currency=currency,
        supplier=_cii_party(agreement.find("{*}SellerTradeParty") if agreement is not None else None),
        customer=_cii_party(agreement.find("{*}BuyerTradeParty") if agreement is not None else None),
        total_excl_vat=_dec(summation, "{*}TaxBasisTotalAmount"),
        vat_amount=vat_amount,
        total_incl_vat=_dec(summation, "{*}GrandTotalAmount"),
        payable_amount=_dec(summation, "{*}DuePayableAmount"),
        breakdown=breakdown,
        iban=_text(means, "{*}PayeePartyCreditorFinancialAccount/{*}IBANID"),
        bic=_text(means, "{*}PayeeSpecifiedCreditorFinancialInstitution/{*}BICID"),
        payment_reference=_text(settlement, "{*}PaymentReference"),
        lines=lines,
        notes=[n.text.strip() for n in doc.findall("{*}IncludedNote/{*}Content") if n.text]
        if doc is not None
        else [],
        buyer_reference=_text(agreement, "{*}BuyerReference"),
    )
