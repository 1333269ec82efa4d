import { defineConfig } from "vite";

// Built into web/dist, which `waferscope serve` serves; relative paths so any mount point works.
export default defineConfig({
  base: "./",
  build: { outDir: "dist", emptyOutDir: true },
});
