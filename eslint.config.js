// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', '.stack/', 'dist/', 'coverage/', 'bench/results/', 'src/domain/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Layers point down (DESIGN.md §4): the pure core never imports the service around it, and the
  // pipeline never imports the operator tools built on it.
  layer(['src/domain/**'], ['projection', 'codec', 'klaviyo', 'publisher', 'pipeline', 'dlq', 'cli', 'governance']),
  layer(['src/codec/**', 'src/projection/**', 'src/klaviyo/**'], ['pipeline', 'dlq', 'cli', 'governance']),
  layer(['src/pipeline/**'], ['dlq', 'cli', 'governance']),
);

/**
 * @param {string[]} files
 * @param {string[]} forbidden folders of src/ these files must not import (main.ts never)
 */
function layer(files, forbidden) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...forbidden.map((folder) => `**/${folder}/**`), '**/main.ts'],
              message: `${files.join(', ')} sits below ${forbidden.join(', ')} and main.ts: move what is shared down a layer.`,
            },
          ],
        },
      ],
    },
  };
}
