// Dates, numbers and amounts in the reader's locale (1.234,56 € in French and Dutch).
import { intlTag } from "./i18n.svelte";

export function formatAmount(value: unknown, currency = "EUR"): string {
  if (value === null || value === undefined || value === "") return "";
  const n = Number(value);
  if (Number.isNaN(n)) return String(value);
  return new Intl.NumberFormat(intlTag(), { style: "currency", currency: currency || "EUR" }).format(n);
}

export function formatDate(value: unknown): string {
  if (!value) return "";
  const text = String(value);
  const d = new Date(text.length === 10 ? `${text}T00:00:00` : text);
  if (Number.isNaN(d.getTime())) return text;
  return new Intl.DateTimeFormat(intlTag(), { dateStyle: "medium" }).format(d);
}

export function formatDateTime(value: unknown): string {
  if (!value) return "";
  const d = new Date(String(value));
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(intlTag(), { dateStyle: "medium", timeStyle: "short" }).format(d);
}

export function formatPercent(value: number): string {
  return new Intl.NumberFormat(intlTag(), { style: "percent", maximumFractionDigits: 0 }).format(value);
}
