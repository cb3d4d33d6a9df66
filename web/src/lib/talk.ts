// Conversations: their shapes, multipart sends with attachments, and attachment downloads.
import { api, ApiError, ok } from "./api";
import { authFetch } from "./session";

export type Audience = "all" | "firm" | "company";
export interface Attachment { id: string; name: string; content_type: string; size: number }
export interface Message {
  id: string;
  author_id: string;
  author_name: string;
  text: string;
  attachments: Attachment[];
  document_id?: string | null;
  created_at: string;
}
export interface Summary {
  id: string;
  subject: string;
  audience: Audience;
  state: "open" | "closed";
  author_id: string;
  author_name: string;
  created_at: string;
  last_message_at: string;
  closed_at?: string | null;
  waiting: boolean;
}
export interface Conversation extends Summary { messages: Message[] }
export interface VatPeriod {
  period: string;
  ok_at: string;
  by: string;
  by_name: string;
  acknowledged_at?: string | null;
  acknowledged_by?: string | null;
}

/** A JSON body, or multipart with the files as `attachments` parts (the route takes both). */
export async function send<T>(path: string, fields: Record<string, string>, files: File[]): Promise<T> {
  let request: Request;
  if (files.length === 0) {
    request = new Request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fields) });
  } else {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    for (const f of files) form.append("attachments", f, f.name);
    request = new Request(path, { method: "POST", body: form });
  }
  let response: Response;
  try {
    response = await authFetch(request);
  } catch {
    throw new ApiError(0, "network", "network error");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, body?.error?.code ?? String(response.status), body?.error?.message ?? "", body?.error?.details);
  }
  return body as T;
}

/** Download an attachment: its short-lived URL opened as a link (the file keeps its name). */
export async function download(cid: string, conv: string, aid: string): Promise<void> {
  const link = await ok<{ url: string }>(
    api.GET("/communication/companies/{cid}/conversations/{conv}/attachments/{aid}/link", {
      params: { path: { cid, conv, aid } },
    }),
  );
  const a = document.createElement("a");
  a.href = link.url;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
}

export const EMOJI = ["👍", "🙏", "😊", "🙂", "😉", "👋", "✅", "❌", "⚠️", "❓", "📄", "📎", "💶", "📅", "🎉", "👀"];

/** The current period and the ones before it, newest first: quarters (2026-Q3) or months (2026-10). */
export function recentPeriods(regime: string, count = 4, today = new Date()): string[] {
  const periods: string[] = [];
  const y = today.getFullYear();
  if (regime === "monthly") {
    for (let i = 0; i < count; i++) {
      const d = new Date(y, today.getMonth() - i, 1);
      periods.push(`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`);
    }
  } else {
    const q = Math.floor(today.getMonth() / 3);
    for (let i = 0; i < count; i++) {
      const n = y * 4 + q - i;
      periods.push(`${Math.floor(n / 4)}-Q${(n % 4) + 1}`);
    }
  }
  return periods;
}
