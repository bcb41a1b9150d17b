/** Two tiers: unit specs sit next to the code; integration and end-to-end specs live under test/. */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
/**
 * The libs' names (package.json "imports", `#ledger-domain/...`) resolved to their TypeScript
 * sources: Node resolves them to the built dist/ files, which Jest must not load.
 */
const moduleNameMapper = { '^#(ledger-domain|event-store|projections|read-models|audit|runtime)/(.*)$': '<rootDir>/libs/$1/src/$2' };

/** @type {import('jest').Config} */
module.exports = {
  // Here, not per project: Jest applies testTimeout from the root config only.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/libs', '<rootDir>/apps'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      moduleNameMapper,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.spec.ts'],
      // The EventStoreDB adapter's suites run in the `eventstoredb` project below, the console's in `console`.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/event-store/esdb-', '<rootDir>/test/console/'],
      transform: { '^.+\\.ts$': tsJest },
      moduleNameMapper,
      // One real PostgreSQL for the suites that run on both dialects.
      globalSetup: '<rootDir>/test/support/postgres.global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/postgres.global-teardown.mjs',
    },
    {
      // The back-office console (apps/ledger-console): its pure helpers checked against the
      // ledger's own code, the static serving, the demo data, and the seeds' procedures driven in
      // Debian's headless Chromium through playwright-core against the real API (no PostgreSQL).
      displayName: 'console',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/console'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
      moduleNameMapper,
    },
    {
      // The adapter's suite, then the HTTP end-to-end suite, the projection suite, the reservation
      // paths, the retry faults and the auditor's reconcile/export/verify-chain again, on
      // EventStoreDB through the real client over real gRPC (the in-repo test server, one per
      // ledger; or the real server given by EVENTSTORE_CONNECTION_STRING: `npm run test:eventstoredb`).
      // Not repeated here: suites that open the SQLite file itself (tampering, SIGKILL of the
      // writer, CLI on the data directory); the 10,000-request hostile-input run, which is about
      // HTTP decoding and writes nothing to any store; and the 2,000-command hot customer, whose
      // invariant the concurrency e2e suite already checks here (200 parallel redemptions on one
      // customer), and which over the in-process test double measures mostly the double (~100 s).
      displayName: 'eventstoredb',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: [
        '<rootDir>/test/event-store/esdb-*.int.spec.ts',
        '<rootDir>/test/e2e/**/*.e2e.spec.ts',
        '<rootDir>/test/read-models/projection-suite.int.spec.ts',
        '<rootDir>/test/ledger/reservations.int.spec.ts',
        '<rootDir>/test/faults/retries.int.spec.ts',
        '<rootDir>/test/audit/reconcile-export.int.spec.ts',
      ],
      transform: { '^.+\\.ts$': tsJest },
      moduleNameMapper,
      setupFiles: ['<rootDir>/test/support/on-eventstoredb.ts'],
      globalSetup: '<rootDir>/test/support/postgres.global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/postgres.global-teardown.mjs',
    },
  ],
};
