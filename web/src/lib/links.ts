// The portal pages the e-mails link to, and the pages open without signing in.
import { match } from "./router.svelte";

/** Pages anyone may open: signing in, an invitation, a forgotten password. */
export function publicScreen(path: string): { view: string; token?: string } | null {
  let m;
  if ((m = match("/invitations/:token", path))) return { view: "invitation", ...m };
  if ((m = match("/password-reset/:token", path))) return { view: "reset", ...m };
  if (match("/forgot-password", path)) return { view: "forgot" };
  return null;
}

export function isPublic(path: string): boolean {
  return path === "/sign-in" || publicScreen(path) !== null;
}

/** The app's page for a link an e-mail carries (/companies/<cid>/conversations/<id>, …/access-requests). */
export function emailLink(path: string): string | null {
  let m;
  if ((m = match("/companies/:cid/conversations/:conv", path))) return `/c/${m.cid}/conversations/${m.conv}`;
  if ((m = match("/companies/:cid/access-requests", path))) return `/c/${m.cid}/settings#users`;
  return null;
}

const NEXT = "comptoir.next";

/** Keep the deep link that led to the sign-in page, for after signing in (this tab only). */
export function keepNext(path: string): void {
  if (path && path !== "/" && path !== "/sign-in") sessionStorage.setItem(NEXT, path);
  else sessionStorage.removeItem(NEXT);
}

/** Where to go after signing in, once: a same-site path only (never another origin). */
export function takeNext(): string | null {
  const raw = sessionStorage.getItem(NEXT);
  sessionStorage.removeItem(NEXT);
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return null;
  return raw;
}
