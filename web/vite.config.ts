import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// The built app (dist/) is served by `comptoir up` at / under a strict CSP: no inline script or style,
// so nothing may be inlined into index.html.
export default defineConfig({
  plugins: [svelte()],
  build: {
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: true,
    reportCompressedSize: false,
  },
  server: {
    proxy: Object.fromEntries(
      ["/accounts", "/documents", "/ingest-email", "/split-merge", "/dropbox-webhook"].map((p) => [
        p,
        "http://127.0.0.1:8000",
      ]),
    ),
  },
});
