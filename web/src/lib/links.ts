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

/** Where to go after signing in: a same-site path only (never another origin). */
export function nextPath(raw: string | null): string | null {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return null;
  return raw;
}
