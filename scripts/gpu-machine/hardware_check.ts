// The hardware correctness check of run.sh: the GPU test suite (every test/gpu/*.test.ts) run unchanged on the vitest
// shim. build_bundles.ts makes the entry point, which imports the test files (registering their tests) and then this.
// Exit status 1 when a test fails.
import { runRegistered } from './vitest_shim';

process.exitCode = (await runRegistered()) ? 0 : 1;
