// The API client: openapi-fetch typed by the paths of the merged OpenAPI document (api-schema.d.ts is
// generated at build time from `comptoir openapi`), so a renamed or removed route breaks the build.
import createClient from "openapi-fetch";
import type { components, paths } from "./api-schema";
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

/** Files above this go through the presigned upload straight to S3: sent through the API they would be
 * over Lambda's 6 MB once base64-encoded (the local gateway refuses them the same way). */
export const DIRECT_UPLOAD_BYTES = 4 * 1024 * 1024;

/** One request by XMLHttpRequest, for its upload progress (fetch cannot report it). */
function send(
  url: string,
  body: FormData,
  headers: Record<string, string>,
  total: number,
  progress: (p: UploadProgress) => void,
): Promise<XMLHttpRequest> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    // The part sent is reported out of the file's own size, whatever the form adds around it.
    xhr.upload.onprogress = (e) => progress({ loaded: Math.min(e.loaded, total), total });
    xhr.onerror = () => reject(new ApiError(0, "network", "network error"));
    xhr.onload = () => resolve(xhr);
    xhr.send(body);
  });
}

/** One file into a mailbox: up to DIRECT_UPLOAD_BYTES by multipart POST to the API, above that by the
 * presigned upload straight to the documents bucket (then the document appears as any other does). */
export async function uploadFile(
  cid: string,
  box: string,
  file: File,
  options: { source?: string; kind?: string },
  progress: (p: UploadProgress) => void,
): Promise<string[]> {
  if (file.size > DIRECT_UPLOAD_BYTES) return [await uploadDirect(cid, box, file, options.source, progress)];
  const token = await freshToken();
  const form = new FormData();
  form.append("files", file, file.name);
  if (options.source) form.append("source", options.source);
  if (options.kind) form.append("kind", options.kind);
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const xhr = await send(
    `/documents/companies/${encodeURIComponent(cid)}/mailboxes/${box}/documents`,
    form,
    headers,
    file.size,
    progress,
  );
  let body: { documents?: string[]; error?: { code: string; message: string } } = {};
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    /* not JSON */
  }
  if (xhr.status >= 200 && xhr.status < 300) return body.documents ?? [];
  throw new ApiError(xhr.status, body.error?.code ?? String(xhr.status), body.error?.message ?? "");
}

type UploadFormRequest = components["schemas"]["UploadFormRequest"];
type UploadForm = components["schemas"]["UploadForm"];

/** A big file by the presigned upload: a form from the API, then the file POSTed to S3 with its fields
 * (no token: the form's signature is the permission). Answers the id the document will have. */
async function uploadDirect(
  cid: string,
  box: string,
  file: File,
  source: string | undefined,
  progress: (p: UploadProgress) => void,
): Promise<string> {
  const presigned = await ok<UploadForm>(
    api.POST("/documents/companies/{cid}/uploads", {
      params: { path: { cid } },
      body: {
        mailbox: box as UploadFormRequest["mailbox"],
        name: file.name,
        source: (source ?? "upload") as UploadFormRequest["source"],
      },
    }),
  );
  if (file.size > presigned.max_bytes) throw new ApiError(413, "too_large", "");
  const form = new FormData();
  for (const [name, value] of Object.entries(presigned.fields)) form.append(name, value);
  form.append("file", file, file.name); // S3 reads the fields before the file: it goes last
  const xhr = await send(presigned.url, form, {}, file.size, progress);
  if (xhr.status >= 200 && xhr.status < 300) return presigned.document;
  // S3 answers its errors in XML: <Error><Code>EntityTooLarge</Code><Message>…</Message></Error>.
  const code = /<Code>([^<]*)<\/Code>/.exec(xhr.responseText)?.[1] ?? String(xhr.status);
  const message = /<Message>([^<]*)<\/Message>/.exec(xhr.responseText)?.[1] ?? "";
  throw new ApiError(code === "EntityTooLarge" ? 413 : xhr.status, code, message);
}
