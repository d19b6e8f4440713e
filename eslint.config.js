import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The operator uses xds-server only through its public index (xds-server/src/index.ts). */
const XDS_SERVER_INDEX_ONLY = { group: ['**/xds-server/src/**', '!**/xds-server/src/index.js'], message: 'The operator uses xds-server only through its public index, xds-server/src/index.ts.' };
/** Logging and metrics come from the shared module's index (observability/src/index.ts). */
const OBSERVABILITY_INDEX_ONLY = { group: ['**/observability/src/**', '!**/observability/src/index.js'], message: 'Use the shared logger and metrics through observability/src/index.ts.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'xds-server/src/generated/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Data flows one way: sources → store → translate → IR → envoy → xds-server. These keep it so.
  // (ESLint does not merge one rule across blocks, so each operator block repeats the index rule.)
  {
    files: ['operator/src/**/*.ts'],
    ignores: ['operator/src/**/*.test.ts', 'operator/src/test-support/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [XDS_SERVER_INDEX_ONLY, OBSERVABILITY_INDEX_ONLY] }] },
  },
  {
    files: ['operator/src/envoy/**/*.ts'],
    ignores: ['operator/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [XDS_SERVER_INDEX_ONLY, OBSERVABILITY_INDEX_ONLY, { group: ['**/translate/**', '**/serve/**', '**/store/**'], message: 'envoy/ reads only the IR: Kubernetes questions are answered in translate/.' }] }] },
  },
  {
    files: ['operator/src/ir/**/*.ts'],
    ignores: ['operator/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [XDS_SERVER_INDEX_ONLY, OBSERVABILITY_INDEX_ONLY, { group: ['**/translate/**', '**/envoy/**', '**/serve/**', '**/store/**'], message: 'The IR is the contract between translate/ and envoy/: it depends on neither.' }] }] },
  },
  {
    files: ['operator/src/translate/**/*.ts'],
    ignores: ['operator/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [XDS_SERVER_INDEX_ONLY, OBSERVABILITY_INDEX_ONLY, { group: ['../envoy/**', '../../envoy/**', '**/serve/**'], message: 'translate/ produces the IR; Envoy shapes belong to envoy/.' }] }] },
  },
  {
    files: ['xds-server/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [OBSERVABILITY_INDEX_ONLY, { group: ['**/operator/**'], message: 'xds-server/ knows nothing of the operator: it serves what it is given.' }] }] },
  },
  {
    files: ['observability/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/operator/**', '**/xds-server/**'], message: 'observability/ is shared by the operator and the xDS server: it depends on neither.' }] }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
