// ESLint (flat config): typescript-eslint's recommended rules, tuned so that what it reports is a
// real problem, plus the house rules. Run with `pnpm lint` (part of `pnpm test`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Escapes that hide type errors (one hid the OAuth token bug): never in product code. */
const noTypeEscapes = [
  {
    selector: "TSAsExpression[typeAnnotation.type='TSNeverKeyword'], TSTypeAssertion[typeAnnotation.type='TSNeverKeyword']",
    message: "`as never` hides a type error: give the value its real type.",
  },
  {
    selector: "TSAsExpression[expression.type='TSAsExpression'][expression.typeAnnotation.type='TSUnknownKeyword']",
    message: "`as unknown as T` hides a type error: parse or narrow the value instead.",
  },
];

export default tseslint.config(
  { ignores: ["**/node_modules/**", ".tmp/**", "**/dist/**", "packaging/**", "**/fixtures/**", "**/*.js", "**/*.cjs", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "no-restricted-syntax": ["error", ...noTypeEscapes],
      // Types come from the compiler (tsc --noEmit with noUnusedLocals); these duplicate or fight it.
      "no-undef": "off",
      "no-redeclare": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-empty": ["error", { allowEmptyCatch: true }],
      // Variables a closure reads before the one assignment (a server handler, a stop hook) stay `let`.
      "prefer-const": ["error", { destructuring: "all", ignoreReadBeforeAssign: true }],
      // Sanitisers match control characters on purpose.
      "no-control-regex": "off",
      // Flags harmless initial values (`let x = ""` before a try); noise, not bugs.
      "no-useless-assignment": "off",
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-console": "off",
    },
  },
  {
    // Tests may build odd values on purpose (bad input, fakes); the escape rule is for product code.
    files: ["**/test/**/*.ts", "**/bench/**/*.ts"],
    rules: { "no-restricted-syntax": "off" },
  },
);
