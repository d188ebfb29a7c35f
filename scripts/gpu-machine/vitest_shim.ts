// Just enough of vitest's API (describe/it/beforeAll/afterAll/expect) to run an existing GPU test file, unchanged,
// as a plain Node bundle on the lent GPU machine, which has no node_modules. esbuild aliases 'vitest' to this file
// (build_bundles.ts). Tests run in registration order; any failure makes runRegistered() return false.
import { isDeepStrictEqual, inspect } from 'node:util';

type Body = () => unknown | Promise<unknown>;
const tests: { name: string; body: Body }[] = [];
const before: Body[] = [];
const after: Body[] = [];
const prefix: string[] = [];

export function describe(name: string, body: () => void): void {
  prefix.push(name);
  try {
    body();
  } finally {
    prefix.pop();
  }
}

export function it(name: string, body: Body): void {
  tests.push({ name: [...prefix, name].join(' › '), body });
}
export const test = it;
export const beforeAll = (body: Body): void => void before.push(body);
export const afterAll = (body: Body): void => void after.push(body);

function fail(message: string): never {
  throw new Error(message);
}
const show = (v: unknown): string => inspect(v, { depth: 4, maxArrayLength: 8 });

function matchers(actual: unknown) {
  return {
    toBe: (e: unknown) => Object.is(actual, e) || fail(`expected ${show(actual)} to be ${show(e)}`),
    toEqual: (e: unknown) => isDeepStrictEqual(actual, e) || fail(`expected ${show(actual)} to equal ${show(e)}`),
    toBeLessThan: (e: number) => (actual as number) < e || fail(`expected ${show(actual)} < ${e}`),
    toBeLessThanOrEqual: (e: number) => (actual as number) <= e || fail(`expected ${show(actual)} ≤ ${e}`),
    toBeGreaterThan: (e: number) => (actual as number) > e || fail(`expected ${show(actual)} > ${e}`),
    toMatch: (e: RegExp | string) => new RegExp(e).test(String(actual)) || fail(`expected ${show(actual)} to match ${String(e)}`),
  };
}

export function expect(actual: unknown) {
  return {
    ...matchers(actual),
    rejects: {
      async toThrow(pattern?: RegExp | string): Promise<void> {
        try {
          await actual;
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          if (pattern !== undefined && !new RegExp(pattern).test(message)) fail(`rejected with '${message}', expected ${String(pattern)}`);
          return;
        }
        fail('expected a rejection, the promise resolved');
      },
    },
  };
}

/** Runs the registered hooks and tests one after another; prints one line per test; true when all passed. */
export async function runRegistered(): Promise<boolean> {
  let failed = 0;
  for (const h of before) await h();
  for (const t of tests) {
    const t0 = performance.now();
    try {
      await t.body();
      console.log(`  ✓ ${t.name} (${(performance.now() - t0).toFixed(0)} ms)`);
    } catch (e) {
      failed++;
      console.log(`  ✗ ${t.name}\n${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const h of after) await h();
  console.log(`${tests.length - failed}/${tests.length} passed`);
  return failed === 0 && tests.length > 0;
}
