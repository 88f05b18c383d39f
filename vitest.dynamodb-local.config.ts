import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * `npm run test:dynamodb-local`: the adapter tests and end-to-end tests again, against AWS's DynamoDB
 * Local in place of dynalite (one server for the run, started by the global setup). Same tests, same
 * support code: only the emulator switch differs.
 */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/integration/adapters/*.test.ts', 'test/e2e/lifecycle.test.ts', 'test/e2e/channel-kinds.test.ts', 'test/e2e/sandbox.test.ts'],
    globalSetup: ['test/support/dynamodb-local-setup.ts'],
  },
});
