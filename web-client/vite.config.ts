import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// Static build into dist/; the Hold Hunter server serves it at its own origin.
// `base: "./"` keeps asset URLs relative so the build works under any path prefix.
export default defineConfig({
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", sourcemap: true },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
});
