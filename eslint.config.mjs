// ESLint for the VS Code extension's client (TypeScript) and its end-to-end test (JavaScript modules): `npm run lint`,
// run by ./test.sh. The recommended rules of ESLint and typescript-eslint; formatting is left to the editor
// (.editorconfig) and line length to scripts/check-line-length.py.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['client/out/**', 'client/dist/**', 'tests/e2e/node24/**', '**/node_modules/**'] },
  {
    files: ['client/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['*.mjs', 'client/**/*.mjs', 'tests/e2e/**/*.mjs', 'tests/e2e/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node }, sourceType: 'module' },
  },
  {
    // Playwright runs the callbacks of page.waitForFunction / page.evaluate in the browser.
    files: ['tests/e2e/**/*.mjs'],
    languageOptions: { globals: { document: 'readonly' } },
  },
  {
    files: ['tests/e2e/probe/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
