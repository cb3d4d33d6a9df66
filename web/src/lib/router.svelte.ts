// History-API routing. The app's first path segments (sign-in, c, firm, profile, invitations, help) are
// never an API base path (/accounts, /documents, …): comptoir up serves index.html for them, so a deep
// link survives a reload, and the API keeps its own paths.
export const route = $state({ path: location.pathname, query: new URLSearchParams(location.search) });

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  const url = new URL(to, location.origin);
  route.path = url.pathname;
  route.query = url.searchParams;
  window.scrollTo(0, 0);
}

addEventListener("popstate", () => {
  route.path = location.pathname;
  route.query = new URLSearchParams(location.search);
});

/** The named parts of `pattern` ("/c/:cid/box/:box") in `path`, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.replace(/\/+$/, "").split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

/** A click on an in-app link navigates without a reload. */
export function link(node: HTMLAnchorElement) {
  const click = (e: MouseEvent) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(node.getAttribute("href") || "/");
  };
  node.addEventListener("click", click);
  return { destroy: () => node.removeEventListener("click", click) };
}
