// ESLint for the site's JavaScript (run by `make test`): the recommended rules, ES modules,
// browser globals for the pages' code, Node's for its unit tests.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", "var/", "test-artifacts/"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js", "tests/explorer/**/*.js"],
    languageOptions: { ecmaVersion: "latest", sourceType: "module", globals: globals.browser },
  },
  {
    files: ["tests/js/**/*.mjs", "eslint.config.js"],
    languageOptions: { ecmaVersion: "latest", sourceType: "module", globals: globals.node },
  },
];
