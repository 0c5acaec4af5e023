// Lint rules that keep Marshal's layers apart (see ARCHITECTURE.md) and its promises handled.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-cycle': ['error', { maxDepth: 10 }],
      'no-throw-literal': 'error',
      // Late binding (a closure that reads a value assigned once, after it is made) is deliberate in wiring.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Workflows read like runbooks: their effects are injected, never imported from I/O libraries.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@slack/*', 'ssh2', 'ioredis', 'bullmq'],
              message: 'Workflows get effects injected; import only types from src/.',
            },
            {
              group: ['**/src/slack/**', '**/src/hosts/ssh/**'],
              message: 'Workflows must not reach into Slack or SSH transport code.',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine is the core: it knows nothing of Slack, SSH or the command line.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@slack/*', 'ssh2', '**/slack/**', '**/hosts/ssh/**', '**/cli/**'],
              message: 'The engine knows nothing of Slack, SSH or the CLI.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Test workflows' task functions are async by contract (TaskFn returns a Promise) and often no-ops.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
