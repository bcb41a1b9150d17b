/** Two tiers: unit specs sit next to the code; integration and end-to-end specs live under test/. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/libs', '<rootDir>/apps'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      testTimeout: 60000,
      // One real PostgreSQL for the suites that run on both dialects.
      globalSetup: '<rootDir>/test/support/postgres.global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/postgres.global-teardown.mjs',
    },
  ],
};
