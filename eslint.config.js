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
    files: ["tests/js/**/*.js", "eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
