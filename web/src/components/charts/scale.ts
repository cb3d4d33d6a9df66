// Small helpers the SVG charts share: a "nice" axis for a range of amounts and short tick labels.
import { intlTag, t } from "../../lib/i18n.svelte";

export interface Series {
  name: string;
  values: number[];
  color: string;
}

/** Rounded tick values covering [min, max] (zero always included), about `count` of them. */
export function ticks(min: number, max: number, count = 4): number[] {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  if (lo === hi) return [0, 1];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 0.999; v += step) out.push(Math.round(v * 100) / 100);
  return out;
}

/** A short amount for an axis: 12 k€, 1,2 M€ in the reader's locale. */
export function compactAmount(value: number): string {
  return new Intl.NumberFormat(intlTag(), {
    style: "currency",
    currency: "EUR",
    notation: "compact",
    maximumFractionDigits: 1,
  }).format(value);
}

/** The label of a period the API names "2025-03" (a month) or "2025-Q1" (a quarter), in the reader's language. */
export function periodLabel(period: string, long = false): string {
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month) {
    const d = new Date(Number(month[1]), Number(month[2]) - 1, 1);
    return new Intl.DateTimeFormat(intlTag(), { month: long ? "long" : "short", ...(long ? { year: "numeric" } : {}) }).format(d);
  }
  const quarter = /^(.+)-Q(\d)$/.exec(period);
  if (quarter) return t("dashboard.quarter", { n: quarter[2], year: long ? quarter[1] : "" }).trim();
  return period;
}

/** Colours with enough contrast on white, told apart by more than hue (the legend and table name them). */
export const COLORS = { income: "#1d6b3a", charges: "#a4161a", result: "#1d4f91", liquidity: "#6b3fa0", neutral: "#4a5560" };
