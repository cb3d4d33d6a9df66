// The signed-in person and the company being worked on, shared by every screen.
import { api, ok } from "./api";
import { setLanguage } from "./i18n.svelte";
import { clearTokens, loadTokens } from "./session";
import type { CompanySummary, Me } from "./types";

export const app = $state({
  me: null as Me | null,
  signedIn: !!loadTokens(),
});

export async function loadMe(): Promise<Me> {
  const me = await ok<Me>(api.GET("/accounts/me"));
  app.me = me;
  app.signedIn = true;
  setLanguage(me.profile.language);
  return me;
}

export function company(cid: string): CompanySummary | undefined {
  return app.me?.companies.find((c) => c.id === cid);
}

export function isAccountant(): boolean {
  return !!app.me?.companies.some((c) => c.role === "accountant");
}

export function homePath(me: Me): string {
  const client = me.companies.find((c) => c.role !== "accountant");
  if (client) return `/c/${client.id}/box/purchase`;
  return "/firm";
}

export function signOut(): void {
  clearTokens();
  app.me = null;
  app.signedIn = false;
}
