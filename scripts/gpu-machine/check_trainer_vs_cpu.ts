// The hardware correctness check of run.sh: test/gpu/trainer_vs_cpu.test.ts (GpuTrainer against CpuTrainer, every
// optimizer × decay mode, evaluation, state round trip) run unchanged on the shim; exit status 1 when a test fails.
import { runRegistered } from './vitest_shim';
import '../../test/gpu/trainer_vs_cpu.test';

process.exitCode = (await runRegistered()) ? 0 : 1;
