// What the approvals and payments screens share: an API error in words, the validation problems by field,
// the company's members and bank accounts, and a file handed to the browser as a download.
import { api, ApiError, fetchBlob, ok } from "../../lib/api";
import { t } from "../../lib/i18n.svelte";

export interface Problems {
  /** The sentence shown beside the action that failed (empty when every problem has its field). */
  general: string;
  /** Field path (as the API names it: "amount", "counterparty.iban", "users.0.max_amount") → problem. */
  fields: Record<string, string>;
}

/** An API error in words: the reader's sentence with the server's reason, each field's problem beside it. */
export function problems(err: unknown, area: "approvals" | "payments"): Problems {
  if (!(err instanceof ApiError)) return { general: t(`${area}.errors.unknown`), fields: {} };
  if (err.status === 0) return { general: t(`${area}.errors.network`), fields: {} };
  if (err.status === 403) return { general: t(`${area}.errors.forbidden`), fields: {} };
  const fields: Record<string, string> = {};
  if (Array.isArray(err.details)) {
    for (const d of err.details as { field?: string; problem?: string }[]) {
      if (d.field) fields[d.field.replace(/^(body|settings)\./, "")] = (d.problem ?? "").replace(/^Value error, /, "");
    }
  }
  const general = Object.keys(fields).length ? "" : t(`${area}.errors.refused`, { message: err.message });
  return { general, fields };
}

/** The problem of `field` or of anything under it ("counterparty" finds "counterparty.iban"). */
export function fieldProblem(p: Problems, field: string): string {
  for (const [k, v] of Object.entries(p.fields)) if (k === field || k.startsWith(`${field}.`)) return v;
  return "";
}

export const NO_PROBLEMS: Problems = { general: "", fields: {} };

export interface Member {
  id: string;
  email: string;
  name: string;
  role: string;
}

export async function clientMembers(cid: string): Promise<Member[]> {
  const all = await ok<Member[]>(api.GET("/accounts/companies/{cid}/users", { params: { path: { cid } } }));
  return all.filter((m) => m.role !== "accountant");
}

export interface BankAccount {
  iban: string;
  bic?: string | null;
  name?: string | null;
  default?: boolean;
}

/** An IBAN in groups of four, as printed on an invoice. */
export function groupedIban(iban: string): string {
  return iban.replace(/\s+/g, "").replace(/(.{4})(?=.)/g, "$1 ");
}

/** Fetch an API file with the token and hand it to the browser as a download named `name`. */
export async function download(path: string, name: string): Promise<void> {
  const blob = await fetchBlob(path);
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
