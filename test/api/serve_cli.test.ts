// `decaylab serve` through the real CLI launcher (bin/decaylab.js → src/node/cli.ts): it starts, serves the API and
// the built page, and stops on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'decaylab-serve-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('decaylab serve answers /healthz, the API and the page, then exits 0 on SIGTERM', async () => {
  mkdirSync(join(dir, 'web'));
  writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>cli page</title>');
  const bin = resolve(import.meta.dirname, '../../bin/decaylab.js');
  // process.execPath: the Node 22 running this test (node:sqlite), not whatever `node` is first on PATH.
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--db', join(dir, 'state.sqlite'), '--engine', 'cpu', '--no-seed', '--web', join(dir, 'web')], {
    env: { ...process.env, DECAYLAB_API_TOKENS: '', API_TOKEN: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start in 60 s; log:\n${log}`)), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /decaylab API on (http:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}; log:\n${log}`)));
  });
  try {
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ ok: true });
    expect(((await (await fetch(`${url}/v1/datasets`)).json()) as { datasets: unknown[] }).datasets).toEqual([]);
    expect(await (await fetch(`${url}/`)).text()).toContain('cli page');
    expect(log).toContain(`lab page on ${url}/`);
  } finally {
    const exited = new Promise<number | null>((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
});
