// The API client: openapi-fetch typed by the paths of the merged OpenAPI document (api-schema.d.ts is
// generated at build time from `comptoir openapi`), so a renamed or removed route breaks the build.
import createClient from "openapi-fetch";
import type { paths } from "./api-schema";
import { authFetch, freshToken } from "./session";

export const api = createClient<paths>({ baseUrl: "", fetch: authFetch });

/** An API error in words: its code (for the translated sentence) and the server's message. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details?: unknown,
  ) {
    super(message);
  }
}

interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The answer's body as T, or an ApiError carrying the API's `{error: {code, message}}`. */
export async function ok<T>(call: Promise<Answer>): Promise<T> {
  let answer: Answer;
  try {
    answer = await call;
  } catch {
    throw new ApiError(0, "network", "network error");
  }
  if (answer.response.ok) return answer.data as T;
  const body = (answer.error ?? {}) as { error?: { code?: string; message?: string; details?: unknown } };
  throw new ApiError(
    answer.response.status,
    body.error?.code ?? String(answer.response.status),
    body.error?.message ?? answer.response.statusText,
    body.error?.details,
  );
}

/** A binary resource of the API (page image, file) fetched with the token, as a blob. */
export async function fetchBlob(path: string): Promise<Blob> {
  const response = await authFetch(new Request(path, { headers: { Accept: "*/*" } }));
  if (!response.ok) throw new ApiError(response.status, String(response.status), response.statusText);
  return response.blob();
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

/** One file into a mailbox by multipart POST, with upload progress (fetch cannot report it). */
export async function uploadFile(
  cid: string,
  box: string,
  file: File,
  options: { source?: string; kind?: string },
  progress: (p: UploadProgress) => void,
): Promise<string[]> {
  const token = await freshToken();
  const form = new FormData();
  form.append("files", file, file.name);
  if (options.source) form.append("source", options.source);
  if (options.kind) form.append("kind", options.kind);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/documents/companies/${encodeURIComponent(cid)}/mailboxes/${box}/documents`);
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (e) => progress({ loaded: e.loaded, total: e.total || file.size });
    xhr.onerror = () => reject(new ApiError(0, "network", "network error"));
    xhr.onload = () => {
      let body: { documents?: string[]; error?: { code: string; message: string } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body.documents ?? []);
      else reject(new ApiError(xhr.status, body.error?.code ?? String(xhr.status), body.error?.message ?? ""));
    };
    xhr.send(form);
  });
}
