import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'frontend/dist/', 'node_modules/', 'data/', 'test-artifacts/', 'bench/results/', 'coverage/']),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Each file is checked against its nearest tsconfig (the root one, or frontend/tsconfig.json).
        projectService: {
          // The build's own files belong to frontend/tsconfig.node.json, which no tsconfig.json references.
          allowDefaultProject: ['frontend/vite.config.ts', 'frontend/vite-precompress.ts', 'frontend/vite-effect-previews.ts', 'frontend/vite-preload-catalog.ts'],
          defaultProject: 'frontend/tsconfig.node.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      eqeqeq: 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Tests poke at JSON bodies, log lines and driver internals: `any` there is a tool, not a leak.
    files: ['tests/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Solid assigns `ref={input}` variables in its compiled output, which the rule cannot see.
    files: ['frontend/src/**/*.tsx'],
    rules: { 'no-unassigned-vars': 'off' },
  },
  {
    // Plain JS config files are outside every tsconfig: lint them without type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
