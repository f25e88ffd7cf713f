import { defineConfig } from 'vitest/config';

// One suite in projects, so each part starts only what it needs: unit and infra tests need no emulator (they run
// on a machine without Python), integration tests start one moto server, browser tests need Chromium, and the
// package tests (consumer, docs, API report) build and pack, and the e2e project deploys the example stack to
// ministack. `npm test` runs them all.
//
// The projects whose tests synthesize CDK templates write each one to a folder of the run
// (test/helpers/templates-to-lint.ts), and the cfn-lint project, run after all the others, lints them at once.
const TEMPLATES_TO_LINT = 'test/lint/global-setup.ts';

export default defineConfig({
  // `wharf-jobs` and its subpaths resolve to src/ through tsconfig.json's paths, as they do for tsc and tsx.
  resolve: { tsconfigPaths: true },
  test: {
    // Fake credentials: no test may reach real AWS.
    env: {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Every project runs in group 1 and the cfn-lint project in group 2, after the others. Not group 0: in a run
    // with one worker (--no-file-parallelism, --maxWorkers=1), vitest runs group 0's files after every other group.
    sequence: { groupOrder: 1 },
    // `npm test` measures what the suite runs of src/ in its own processes (code run by child processes, like the
    // CLI tests' and the consumer test's, is not counted) and fails below the floor: a floor, not a target.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportOnFailure: true,
      reportsDirectory: 'coverage',
      // Measured 2026-12-01: lines 87.5%, statements 85.9%, functions 85.7%, branches 77.7%.
      thresholds: { lines: 86, statements: 84, functions: 84, branches: 76 },
    },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], globalSetup: [TEMPLATES_TO_LINT] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts', TEMPLATES_TO_LINT],
        },
      },
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.test.ts'] } },
      {
        extends: true,
        // The example stack deployed to ministack, its workers running as real Lambda functions: one file, a few
        // minutes, its own emulator (test/e2e/ministack.ts) on a free port. Its templates are linted too.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: [TEMPLATES_TO_LINT],
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
      {
        extends: true,
        // Every other test file lands here, so a new folder is never silently left out of `npm test`.
        test: {
          name: 'package',
          include: ['test/**/*.test.ts'],
          exclude: [
            'test/unit/**',
            'test/infra/**',
            'test/integration/**',
            'test/browser/**',
            'test/e2e/**',
            'test/lint/**',
          ],
          globalSetup: [TEMPLATES_TO_LINT],
        },
      },
      {
        extends: true,
        test: {
          name: 'cfn-lint',
          include: ['test/lint/**/*.test.ts'],
          globalSetup: [TEMPLATES_TO_LINT],
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
