import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/gen/**", "node_modules/**", "coverage/**", ".flowzone/**", "jest.config.js", "test/support/*.js", "services/cli/bin/**"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ["./tsconfig.test.json"], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "no-restricted-syntax": [
        "error",
        { selector: "ExportAllDeclaration", message: "Export names explicitly (generated code excepted)." },
        { selector: "CallExpression[callee.object.name=/^(describe|it|test)$/][callee.property.name='only']", message: "Focused tests fail lint." },
      ],
    },
  },
  {
    // The browser console (JSX, DOM types) has its own tsconfig; tsconfig.test.json leaves it out.
    files: ["packages/console/**/*.{ts,tsx}"],
    languageOptions: {
      parserOptions: { project: ["./packages/console/tsconfig.json"], tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ["packages/proto/src/index.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
  {
    files: ["eslint.config.mjs", "scripts/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Node scripts of the repository (plain JavaScript modules): node's globals.
    files: ["scripts/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
);
