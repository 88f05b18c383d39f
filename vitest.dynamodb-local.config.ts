import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * `npm run test:dynamodb-local`: the adapter tests and end-to-end tests again, against AWS's DynamoDB
 * Local in place of dynalite (one server for the run, started by the global setup). Same tests, same
 * support code: only the emulator switch differs. Coordination is among them: its lifecycle writes add and
 * remove outbox entries in one update expression, which DynamoDB checks more strictly than dynalite.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/integration/adapters/*.test.ts', 'test/integration/credit-worker.test.ts', 'test/e2e/lifecycle.test.ts', 'test/e2e/channel-kinds.test.ts', 'test/e2e/sandbox.test.ts', 'test/e2e/coordination-simulators.test.ts', 'test/e2e/credit.test.ts', 'test/e2e/statistics.test.ts'],
    globalSetup: ['test/support/dynamodb-local-setup.ts'],
  },
});
