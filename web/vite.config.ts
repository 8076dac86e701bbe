import { defineConfig } from "vite";

// The display is served by the vigie binary from its own memory: relative asset paths, no
// CDN, nothing fetched at run time that the build did not bundle.
export default defineConfig({
  base: "/",
  build: {
    target: "es2022",
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8080", ws: true },
    },
  },
});
