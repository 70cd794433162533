import { defineConfig } from "vite";

// Served by the control plane under /ui/ (same origin as /v1: no CORS). Preact's automatic JSX
// runtime comes from tsconfig.json (jsxImportSource), which Vite's transform reads.
export default defineConfig({
  base: "/ui/",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 200 },
});
