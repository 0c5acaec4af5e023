// Lint rules that keep Marshal's layers apart (see ARCHITECTURE.md) and its promises handled.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

// Workflows get their effects injected: no workflow (built in, or a module) imports an I/O client.
const NO_IO_CLIENTS = {
  group: ['@slack/*', 'ssh2', 'ioredis', 'bullmq'],
  message: 'Workflows get effects injected: Slack, SSH and Redis clients are never imported.',
};

/**
 * Lint for workflows built on one library of Marshal's (`library`, e.g. 'src/bundles'): they import the
 * authoring entry and that library (all of it, or with `entryOnly` its index only), no other part of
 * Marshal and no I/O client. `also` adds patterns of the workflows' own.
 */
function workflowsOnLibrary({ who, files, library, entryOnly = false, also = [] }) {
  const reach = entryOnly
    ? [`!**/${library}`, `!**/${library}/index.js`]
    : [`!**/${library}`, `!**/${library}/**`];
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_IO_CLIENTS,
            {
              group: ['**/src/**', '!**/src/authoring', '!**/src/authoring/index.js', ...reach],
              message: `${who}: import the authoring entry and ${library}${entryOnly ? '/index.js' : ''}, nothing else of Marshal's.`,
            },
            ...also,
          ],
        },
      ],
    },
  };
}

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
    // Workflows read like runbooks: their effects are injected, and everything they are written with comes
    // from the one authoring entry (src/authoring, `marshal/authoring`), which loads no I/O library.
    files: ['workflows/**/*.{ts,js}', 'examples/workflows/**/*.{ts,js}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_IO_CLIENTS,
            {
              group: [
                '**/src/**',
                '!**/src/authoring',
                '!**/src/authoring/index.js',
                '!**/src/authoring/index.ts',
              ],
              message:
                "Import what a workflow is written with from the authoring entry ('marshal/authoring' or src/authoring/index.js), not from Marshal's internals.",
            },
          ],
        },
      ],
    },
  },
  // Workflows built on one of Marshal's libraries: that library is their domain, nothing else of Marshal's.
  workflowsOnLibrary({
    // Manifests, formats, diffs, host pre-checks.
    who: 'Config push',
    files: ['workflows/config-push.ts', 'workflows/config-push/**/*.ts'],
    library: 'src/bundles',
  }),
  workflowsOnLibrary({
    // Signed release catalog, upgrade profiles, reports.
    who: 'The OS upgrade',
    files: ['workflows/os-upgrade.ts', 'workflows/os-upgrade-status.ts', 'workflows/os-upgrade/**/*.ts'],
    library: 'src/osupgrade',
  }),
  workflowsOnLibrary({
    // Scenarios, traffic controls, journal, scorecard: through its entry only.
    who: 'The DR drill',
    files: ['workflows/dr-drill*.ts', 'workflows/dr-drill/**/*.ts'],
    library: 'src/drdrill',
    entryOnly: true,
  }),
  workflowsOnLibrary({
    // Definitions, validation, radar judgement; its I/O (ACME, the TLS probe) reaches them only through
    // deps.certificates.
    who: 'Certificate workflows',
    files: ['workflows/cert-*.ts', 'workflows/cert-renew/**/*.ts'],
    library: 'src/certificates',
    also: [
      {
        group: ['**/src/certificates/acme/**', '**/src/certificates/probe/**', 'acme-client'],
        allowTypeImports: true,
        message: 'ACME and TLS probes are I/O: use deps.certificates (issue, probe).',
      },
    ],
  }),
  {
    // The engine is the core: it knows nothing of Slack, SSH, the CLI, the commands or the process wiring.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@slack/*',
                'ssh2',
                '**/slack/**',
                '**/hosts/ssh/**',
                '**/cli/**',
                '**/app/**',
                '**/local/**',
                '**/commands/**',
              ],
              message:
                'The engine knows nothing of Slack, SSH, the CLI, slash commands or how the process is wired.',
            },
          ],
        },
      ],
    },
  },
  {
    // Slash commands parse, ack and hand work to the Engine: no Redis, SSH or queue in a listener.
    files: ['commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['ioredis', 'bullmq', 'ssh2', '**/hosts/ssh/**'],
              message: 'commands/ reaches Redis, queues and hosts only through the Engine.',
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
  {
    // Plain Node scripts: the launcher and the build.
    files: ['bin/**/*.js', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly' } },
  },
);
