// i18next with the three languages bundled; `t` reads the reactive language so every text follows a switch.
// One top-level key per screen or API area (common, auth, boxes, document, split, firm, archive, history,
// settings, …): approvals, payments, reports and communication add theirs in each locale file.
import i18next from "i18next";
import en from "../locales/en.json";
import fr from "../locales/fr.json";
import nl from "../locales/nl.json";
import type { Lang } from "./types";

export const LANGUAGES: Lang[] = ["fr", "nl", "en"];
export const LANGUAGE_NAMES: Record<Lang, string> = { fr: "Français", nl: "Nederlands", en: "English" };

function browserLanguage(): Lang {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.slice(0, 2).toLowerCase() as Lang;
    if (LANGUAGES.includes(base)) return base;
  }
  return "fr";
}

export const locale = $state({ lang: browserLanguage() as Lang });

i18next.init({
  lng: locale.lang,
  fallbackLng: false,
  resources: { fr: { translation: fr }, nl: { translation: nl }, en: { translation: en } },
  interpolation: { escapeValue: false },
  initImmediate: false,
} as Parameters<typeof i18next.init>[0]);
document.documentElement.lang = locale.lang;

export function setLanguage(lang: Lang): void {
  locale.lang = lang;
  i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

export function t(key: string, options?: Record<string, unknown>): string {
  void locale.lang; // a dependency, so templates run again on a switch
  return i18next.t(key, { lng: locale.lang, ...options }) as string;
}

/** The locale tag for Intl: Belgian French and Dutch (1.234,56 €), English as in Belgium. */
export function intlTag(): string {
  return { fr: "fr-BE", nl: "nl-BE", en: "en-BE" }[locale.lang];
}
