// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { builtinModules } from 'node:module';

// Workflow code runs in Temporal's deterministic sandbox: no I/O, no Node builtins, no HTTP client,
// no AEP client. It may import types from activities, and the workflow-safe contract in src/shared.
const forbiddenInWorkflows = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'undici',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
];

/** no-restricted-imports options for workflow-safe code, plus extra paths and patterns. */
function workflowSafe(paths = [], patterns = []) {
  return {
    paths: [
      ...forbiddenInWorkflows.map((name) => ({
        name,
        message:
          'Workflow code must stay deterministic: no Node builtins, HTTP client or Temporal client/worker.',
      })),
      ...paths,
    ],
    patterns: [
      {
        group: ['**/aep', '**/aep/**', '**/emulator/**', '**/cli/**', '**/dev/**'],
        message: 'Workflow code must not touch the AEP client or other I/O modules.',
      },
      {
        group: ['**/activities', '**/activities/**'],
        allowTypeImports: true,
        message: 'Workflows may import only types from activities.',
      },
      ...patterns,
    ],
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.temporal/**', 'test-results/**', '**/.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', workflowSafe()] },
  },
  {
    // The SDK evaluates the workflow bundle's modules afresh for every run: zod (and schemas built at import time)
    // cost ~10 ms of CPU per run there. Input checks run in a local activity instead (src/activities/validation.ts).
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        workflowSafe(
          [
            {
              name: 'zod',
              message: 'Keep zod out of the workflow bundle: validate in src/activities/validation.ts.',
            },
          ],
          [
            {
              group: ['**/shared/input', '**/shared/preset-schema', '**/shared/lifecycle-input'],
              allowTypeImports: true,
              message: 'These modules build zod schemas at import time: import their types only.',
            },
          ],
        ),
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain Node scripts (scripts/*.mjs).
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Plain CommonJS launchers (bin/).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
