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

export function fieldProblem(name: string, err: ApiError): string {
  const details = Array.isArray(err.details) ? (err.details as { field?: string; problem?: string }[]) : [];
  const mine = details.find((d) => d.field === name);
  if (name.endsWith("_vat") && name !== "total_excl_vat") return t("fields.invalid_vat");
  if (name === "iban") return t("fields.invalid_iban");
  if (name === "bic") return t("fields.invalid_bic");
  if (DATE_FIELDS.has(name)) return t("fields.invalid_date");
  if (AMOUNT_FIELDS.has(name)) return t("fields.invalid_amount");
  if (name === "structured_reference") return t("fields.invalid_reference");
  return t("fields.invalid", { problem: mine?.problem ?? err.message });
}
