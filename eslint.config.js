// ESLint (flat config) for the operator map's own modules (src/commonsky/web/static, not the vendored MapLibre) and
// the report page's script (src/commonsky/render/html_map.js, inlined by commonsky.render.html). Run by
// `make lint-js`, part of `make test`.
import js from "@eslint/js";
import globals from "globals";

const RULES = {
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
};

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
    rules: RULES,
  },
  {
    // A classic script inside an IIFE in a self-contained HTML page: no modules, no globals of its own.
    files: ["src/commonsky/render/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: globals.browser },
    rules: RULES,
  },
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "module", globals: globals.node },
  },
];
