// The invoice fields a document view shows, in order, and how a refused correction is said in words.
import type { ApiError } from "./api";
import { t } from "./i18n.svelte";

export const FIELDS = [
  "document_type",
  "supplier_name",
  "supplier_vat",
  "customer_vat",
  "invoice_number",
  "invoice_date",
  "due_date",
  "currency",
  "total_excl_vat",
  "vat_amount",
  "total_incl_vat",
  "iban",
  "bic",
  "structured_reference",
] as const;

export const DATE_FIELDS = new Set(["invoice_date", "due_date"]);
export const AMOUNT_FIELDS = new Set(["total_excl_vat", "vat_amount", "total_incl_vat"]);

/** A doubtful value (recognised with low confidence) draws the eye. */
export function confidenceLevel(confidence: number, source: string): "high" | "medium" | "low" {
  if (source === "user" || source === "xml" || confidence >= 0.85) return "high";
  return confidence >= 0.6 ? "medium" : "low";
}

/** Why a VAT number or an IBAN was refused: its form, its country's format, or its check digits. */
export function fieldProblem(name: string, err: ApiError, value = ""): string {
  const details = Array.isArray(err.details) ? (err.details as { field?: string; problem?: string }[]) : [];
  const mine = details.find((d) => d.field === name);
  const said = mine?.problem ?? "";
  const compact = value.toUpperCase().replace(/[^0-9A-Z]/g, "");
  if (name.endsWith("_vat") && name !== "total_excl_vat") {
    const wellFormed = /^[A-Z]{2}[0-9A-Z]{2,13}$/.test(compact) && (!compact.startsWith("BE") || /^BE[01]\d{9}$/.test(compact));
    return t(wellFormed ? "fields.vat_check" : "fields.vat_format");
  }
  if (name === "iban") {
    if (said.includes("national")) return t("fields.iban_national");
    if (said.includes("length or format") || said.includes("format of an IBAN of")) return t("fields.iban_country", { country: compact.slice(0, 2) });
    if (said.includes("two letters")) return t("fields.iban_format");
    return t("fields.invalid_iban");
  }
  if (name === "bic") return t("fields.invalid_bic");
  if (DATE_FIELDS.has(name)) return t("fields.invalid_date");
  if (AMOUNT_FIELDS.has(name)) return t("fields.invalid_amount");
  if (name === "structured_reference") return t("fields.invalid_reference");
  return t("fields.invalid", { problem: mine?.problem ?? err.message });
}
