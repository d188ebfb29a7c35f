// decaylab vs PyTorch from the same initial weights (safetensors --init) on the same 600 MNIST samples in file order:
// per-epoch test metrics agree to float32 rounding. Needs python3 with torch (README: python3-torch, or DECAYLAB_PYTHON).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { main } from '../../src/node/cli';
import { expectClose } from '../helpers/expect_close';

const python = process.env.DECAYLAB_PYTHON ?? '/usr/bin/python3';

function torch(args: string[]): void {
  const r = spawnSync(python, ['bench/pytorch_reference.py', ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${python} bench/pytorch_reference.py failed (is torch installed? apt-get install python3-torch):\n${r.stderr}${r.error ?? ''}`);
}

describe('decaylab vs PyTorch', () => {
  it('SGD momentum with coupled decay from the same init gives the same per-epoch metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'decaylab-torch-'));
    const init = join(dir, 'init.safetensors');
    torch(['--hidden', '32', '--seed', '3', '--save-init', init]);
    const common = ['--hidden', '32', '--lr', '0.05', '--momentum', '0.9', '--wd', '1e-3', '--epochs', '2', '--batch-size', '50', '--train-subset', '600', '--no-shuffle'];
    torch([...common, '--init', init, '--out', join(dir, 'torch.json')]);
    const ours = (await main(['train', ...common, '--init', init, '--val-split', '0', '--engine', 'cpu', '--quiet', '--out', join(dir, 'dl')], { out: () => {}, err: () => {} }))!;
    const ref = JSON.parse(readFileSync(join(dir, 'torch.json'), 'utf8')).history as { trainLoss: number; testLoss: number; testAccuracy: number; trainAccuracy: number }[];
    const h = ours.runs[0].history;
    // 24 float32 steps in a different summation order than PyTorch's BLAS: losses agree to ~1e-5 relative;
    // an accuracy may differ by a prediction flipping at a near tie (1 of 10,000 test or 600 train samples).
    expectClose(h.flatMap((e) => [e.trainLoss, e.testLoss!]), ref.flatMap((e) => [e.trainLoss, e.testLoss]), { atol: 1e-5, rtol: 1e-4 }, 'losses');
    expectClose(h.map((e) => e.testAccuracy!), ref.map((e) => e.testAccuracy), { atol: 1e-4 + 1e-9, rtol: 0 }, 'test accuracy');
    expectClose(h.map((e) => e.trainAccuracy), ref.map((e) => e.trainAccuracy), { atol: 1 / 600 + 1e-9, rtol: 0 }, 'train accuracy');
  });
});
