// ESLint (flat config) for the operator map's own modules (src/commonsky/web/static, not the vendored MapLibre).
// Run by `make lint-js`, part of `make test`.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", "src/commonsky/web/static/vendor/", ".venv*/"] },
  js.configs.recommended,
  {
    files: ["src/commonsky/web/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser, maplibregl: "readonly" },
    },
    rules: {
      "no-alert": "error",
      "no-implicit-globals": "error",
      "no-var": "error",
      "prefer-const": "error",
      "eqeqeq": ["error", "always"],
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-shadow": "error",
      "no-use-before-define": ["error", { functions: false, classes: true, variables: true }],
      "no-restricted-properties": ["error",
        { property: "innerHTML", message: "build nodes and set textContent: data never goes through HTML" },
        { property: "outerHTML", message: "build nodes and set textContent: data never goes through HTML" },
        { property: "insertAdjacentHTML", message: "build nodes and set textContent: data never goes through HTML" },
        { property: "setHTML", message: "use setDOMContent with nodes built from text" },
      ],
    },
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
