import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    files: ['operator/src/envoy/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/translate/**', '**/serve/**', '**/store/**'], message: 'envoy/ reads only the IR: Kubernetes questions are answered in translate/.' }] }] },
  },
  {
    files: ['operator/src/ir/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/translate/**', '**/envoy/**', '**/serve/**', '**/store/**'], message: 'The IR is the contract between translate/ and envoy/: it depends on neither.' }] }] },
  },
  {
    files: ['operator/src/translate/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../envoy/**', '../../envoy/**', '**/serve/**', '**/xds-server/src/generated/**'], message: 'translate/ produces the IR; Envoy shapes belong to envoy/.' }] }] },
  },
  {
    files: ['xds-server/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/operator/**'], message: 'xds-server/ knows nothing of the operator: it serves what it is given.' }] }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
