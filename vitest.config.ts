import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration and end-to-end tests start in-process emulators on loopback; give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time: vitest's default (cores − 1) is one on this 2-core machine, and most suites wait on
    // pollers and timers rather than compute. Measured on 2026-12-03: 901 s with one worker, 639 s with two.
    maxWorkers: 2,
    // The AWS SDK warns on Node 20 that Node 22 will be required in 2027; Lambda runs nodejs22.x already.
    // MISUSE_DETECTION off: suites not about insider misuse call staff endpoints far more often (and at whatever hour
    // they run) than its thresholds allow; the misuse suites turn it on (test/integration/misuse-api.test.ts).
    env: { POWERTOOLS_LOG_LEVEL: 'ERROR', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', MISUSE_DETECTION: 'off' },
  },
});
