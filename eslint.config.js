// Lint rules: typescript-eslint's recommended set plus the import boundaries DESIGN.md draws:
// services never import each other, libraries never import services, provider adapters stay pure.
import javascript from "@eslint/js";
import typescript from "typescript-eslint";

const serviceNames = ["ingress", "router", "provider-connector", "billing", "metadata-logging"];

export default typescript.config(
  { ignores: ["**/dist/**", "**/node_modules/**", ".switchboard/**", "coverage/**"] },
  javascript.configs.recommended,
  ...typescript.configs.recommended,
  {
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  ...serviceNames.map((service) => ({
    files: [`services/${service}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: serviceNames
            .filter((other) => other !== service)
            .map((other) => ({ group: [`**/services/${other}/**`, `@switchboard/${other}`], message: "Services never import each other; share through libs/contracts." })),
        },
      ],
    },
  })),
  {
    files: ["libs/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/services/**"], message: "Libraries never import services." }] }],
    },
  },
  {
    files: ["services/provider-connector/src/providers/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["fastify", "fastify-*", "@nats-io/*", "@opentelemetry/*", "undici", "@switchboard/messaging"], message: "Provider adapters are pure translation functions." },
          ],
        },
      ],
      "no-restricted-globals": ["error", { name: "process", message: "Adapters get everything as arguments." }],
    },
  },
);
