// The signed-in session: Cognito tokens in sessionStorage (a reload keeps you signed in, closing the
// tab signs you out), refreshed with the refresh token before they expire or after a 401.

export interface Tokens {
  id_token: string;
  refresh_token: string;
  expires_at: number; // epoch ms
}

const KEY = "comptoir.tokens";

export function loadTokens(): Tokens | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

export function saveTokens(answer: { id_token: string; refresh_token?: string; expires_in: number }): Tokens {
  const previous = loadTokens();
  const tokens: Tokens = {
    id_token: answer.id_token,
    refresh_token: answer.refresh_token || previous?.refresh_token || "",
    expires_at: Date.now() + answer.expires_in * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(tokens));
  return tokens;
}

export function clearTokens(): void {
  sessionStorage.removeItem(KEY);
}

let refreshing: Promise<Tokens | null> | null = null;

/** New tokens from the refresh token; one refresh at a time however many requests ask. */
export function refreshTokens(): Promise<Tokens | null> {
  const tokens = loadTokens();
  if (!tokens?.refresh_token) return Promise.resolve(null);
  refreshing ??= fetch("/accounts/refresh", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refresh_token: tokens.refresh_token }),
  })
    .then(async (r) => (r.ok ? saveTokens(await r.json()) : null))
    .catch(() => null)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** A token good for at least another minute, refreshed first when needed. */
export async function freshToken(): Promise<string | null> {
  const tokens = loadTokens();
  if (!tokens) return null;
  if (tokens.expires_at - Date.now() > 60_000) return tokens.id_token;
  return (await refreshTokens())?.id_token ?? null;
}

let onSignedOut: () => void = () => {};
export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

/** fetch with the bearer token; a 401 refreshes the tokens once and tries again, then signs out. */
export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const token = await freshToken();
  if (token) input.headers.set("Authorization", `Bearer ${token}`);
  const response = await fetch(input);
  if (response.status !== 401 || !loadTokens()) return response;
  const renewed = await refreshTokens();
  if (!renewed) {
    clearTokens();
    onSignedOut();
    return response;
  }
  retry.headers.set("Authorization", `Bearer ${renewed.id_token}`);
  return fetch(retry);
}
