import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "bench/results/", "docs/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["public/**/*.js"],
    languageOptions: { globals: { window: "readonly", document: "readonly", localStorage: "readonly", navigator: "readonly", crypto: "readonly", location: "readonly", history: "readonly", console: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", requestAnimationFrame: "readonly", URL: "readonly", Intl: "readonly", fetch: "readonly", io: "readonly", performance: "readonly", HTMLElement: "readonly", Node: "readonly", KeyboardEvent: "readonly", MutationObserver: "readonly", IntersectionObserver: "readonly", URLSearchParams: "readonly", indexedDB: "readonly", atob: "readonly", Notification: "readonly" } },
  },
  {
    // The service worker (issue 23): its own globals; SHELL is written above its code by /sw.js.
    files: ["public/sw/**/*.js"],
    languageOptions: { globals: { self: "readonly", caches: "readonly", fetch: "readonly", URL: "readonly", Request: "readonly", Response: "readonly", SHELL: "readonly" } },
  },
);
