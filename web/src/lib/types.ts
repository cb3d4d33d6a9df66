// The shapes the screens read from the API answers (see the README's API table).
export type Role = "admin" | "user" | "accountant";
export type Lang = "fr" | "nl" | "en";
export const BOXES = ["purchase", "sales", "misc", "processing"] as const;
export type Box = (typeof BOXES)[number];
export type Mailbox = Exclude<Box, "processing">;

export interface CompanySummary {
  id: string;
  name: string;
  role: Role;
}
export interface Me {
  profile: { id: string; email: string; name: string; language: Lang };
  companies: CompanySummary[];
}
export interface ListItem {
  id: string;
  company_id: string;
  mailbox: string;
  name: string;
  pages: number;
  source: string;
  sender: string | null;
  received_at: string;
  status: string;
  labels: string[];
  remarks: number;
  key_fields: Record<string, string | null>;
  approval_status: string | null;
  payment_status: string | null;
  duplicate: boolean;
  duplicate_of: string[];
  thumbnail: string | null;
}
export interface DocumentPage {
  documents: ListItem[];
  next_cursor: string | null;
}
export interface FieldValue {
  value: unknown;
  confidence: number;
  source: string;
  page: number | null;
  box: [number, number, number, number] | null;
  // Where on `page` the value was read, as fractions of the page (x0, y0, x1, y1 from its top-left).
  area?: [number, number, number, number] | null;
  recognised?: unknown;
  corrected_by?: string | null;
}
export interface DocumentFull {
  id: string;
  company_id: string;
  mailbox: string;
  status: string;
  source: string;
  name: string;
  sender: string | null;
  received_at: string;
  pages: number;
  problem: string | null;
  warnings: string[];
  duplicate_of: string[];
  fields: Record<string, FieldValue>;
  labels: string[];
  remarks: { id: string; text: string; author: string; at: string }[];
  history: { at: string; event: string; by: string | null; detail: string | null }[];
  booking: Record<string, string | null> | null;
  permanent: boolean;
}
export interface Address {
  mailbox: string;
  address: string;
  created_at: string;
}
export interface SplitSuggestion {
  pages: number;
  first_pages: { page: number; confidence: number; reasons: string[] }[];
  blank_pages: number[];
  groups: number[][];
}
