// Flat ESLint config: type-checked TypeScript rules, Prettier owns formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const nodePrefix = {
  regex:
    '^(assert|buffer|child_process|crypto|events|fs|fs/promises|net|os|path|process|stream|timers|url|util|worker_threads|http|tls|readline|repl|v8|perf_hooks|async_hooks)$',
  message: 'Use the node: prefix for Node built-ins.',
};

const rxjsFromRx = {
  name: 'rxjs',
  allowTypeImports: true,
  message: 'Import RxJS values from lib/rx.ts (it keeps start-up fast).',
};

export default tseslint.config(
  // spec/fixtures/loader holds TypeScript run as is under a loader (tsx), not compiled.
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'bench/results/**',
      'docs/api/**',
      'spec/fixtures/loader/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': ['error', { paths: [rxjsFromRx], patterns: [nodePrefix] }],
    },
  },
  {
    // Users' side of the API (specs, samples, benchmarks) imports rxjs as users do.
    files: ['spec/**/*.ts', 'bench/**/*.ts', 'samples/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nodePrefix] }] },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['spec/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
  prettier,
);
