// i18next with the three languages bundled; `t` reads the reactive language so every text follows a switch.
// One file per language and area, `locales/<lang>/<area>.json`, whose keys are read as `<area>.<key>`: a new
// screen adds its own area files and never edits another's.
import i18next from "i18next";
import type { Lang } from "./types";

type Texts = Record<string, unknown>;
const files = import.meta.glob<Texts>("../locales/*/*.json", { eager: true, import: "default" });

function texts(lang: Lang): Texts {
  const tree: Texts = {};
  for (const [path, content] of Object.entries(files)) {
    const [, folder, area] = /\/locales\/(\w+)\/(\w+)\.json$/.exec(path) ?? [];
    if (folder === lang) tree[area] = content;
  }
  return tree;
}

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
  resources: { fr: { translation: texts("fr") }, nl: { translation: texts("nl") }, en: { translation: texts("en") } },
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
