// The hardware correctness check of run.sh: one file of the GPU test suite (test/gpu/*.test.ts) run unchanged on the
// vitest shim. build_bundles.ts makes one entry point per file, which imports it (registering its tests) and then this.
// Exit status 1 when a test fails.
import { runRegistered } from './vitest_shim';

process.exitCode = (await runRegistered()) ? 0 : 1;
