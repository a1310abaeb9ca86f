// ESLint (flat config): the recommended rules for the reader page's ES modules, which run in
// the browser as they are (no build step), and for their unit tests, which run in Node.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", ".venv/", "staticfiles/", "build/"] },
  js.configs.recommended,
  {
    files: ["liveblog/static/**/*.js"],
    languageOptions: { sourceType: "module", globals: globals.browser },
  },
  {
    // Pasted into partner pages as a classic script (liveblog.pages.embed).
    files: ["liveblog/static/liveblog/js/embed-host.js"],
    languageOptions: { sourceType: "script", ecmaVersion: 2017 },
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
