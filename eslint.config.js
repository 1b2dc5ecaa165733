import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const tsOnlySyntax = [
  { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a union.' },
  { selector: 'TSModuleDeclaration', message: 'No namespaces.' },
  { selector: 'TSParameterProperty', message: 'No parameter properties.' },
];

// shared/ is the sans-IO protocol module: drivers own clocks, timers, sockets
// and randomness, so none of them may be reached from here.
const sansIo = {
  files: ['shared/src/**/*.ts'],
  ignores: ['shared/src/**/*.test.ts'],
  rules: {
    'no-restricted-globals': [
      'error',
      ...['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'setImmediate', 'queueMicrotask',
        'requestAnimationFrame', 'performance', 'crypto', 'WebSocket', 'RTCPeerConnection', 'fetch',
        'window', 'document', 'navigator', 'process', 'BroadcastChannel', 'localStorage'].map((name) => ({
        name,
        message: `shared/ is sans-IO: '${name}' belongs to a driver.`,
      })),
    ],
    'no-restricted-properties': [
      'error',
      { object: 'Date', property: 'now', message: 'shared/ is sans-IO: pass `now` in.' },
      { object: 'Math', property: 'random', message: 'shared/ is sans-IO: use the seeded PRNG passed in.' },
    ],
    'no-restricted-syntax': [
      'error',
      ...tsOnlySyntax,
      { selector: "NewExpression[callee.name='Date']", message: 'shared/ is sans-IO: pass `now` in.' },
    ],
    'no-restricted-imports': [
      'error',
      { patterns: ['node:*', 'ws', 'simple-peer', '@roamhq/wrtc', 'lit', 'lit/*'] },
    ],
  },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'test-results/', 'playwright-report/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', ...tsOnlySyntax],
    },
  },
  sansIo,
);
