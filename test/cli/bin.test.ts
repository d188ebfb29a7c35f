// The installed entry point: bin/decaylab.js bundles and runs the CLI; errors are one line and exit code 1.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// process.execPath is the Node that runs vitest (Node 22 from node_modules when run through npm).
const run = (...args: string[]) => spawnSync(process.execPath, ['bin/decaylab.js', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('bin/decaylab.js', () => {
  it('prints help for each command', () => {
    const r = run('sweep', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--wd <list>');
    expect(r.stdout).toContain('--train-subset <n>');
  });

  it('exits 1 with one line naming the bad input', () => {
    const r = run('train', '--engine', 'cpu', '--dataset', 'no-such.csv');
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('decaylab: error: dataset file no-such.csv does not exist (use --dataset mnist or a CSV path)');
  });
});
