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
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Each matcher returns whether it holds and what it claims; `expect` throws on a mismatch, `expect().not` on a match. */
type Check = (...args: never[]) => [boolean, string];

function thrown(actual: unknown): string | undefined {
  try {
    (actual as () => unknown)();
  } catch (e) {
    return messageOf(e);
  }
  return undefined;
}

function checks(actual: unknown) {
  const a = show(actual);
  return {
    toBe: (e: unknown): [boolean, string] => [Object.is(actual, e), `${a} to be ${show(e)}`],
    toEqual: (e: unknown): [boolean, string] => [isDeepStrictEqual(actual, e), `${a} to equal ${show(e)}`],
    toBeLessThan: (e: number): [boolean, string] => [(actual as number) < e, `${a} < ${e}`],
    toBeLessThanOrEqual: (e: number): [boolean, string] => [(actual as number) <= e, `${a} ≤ ${e}`],
    toBeGreaterThan: (e: number): [boolean, string] => [(actual as number) > e, `${a} > ${e}`],
    toBeGreaterThanOrEqual: (e: number): [boolean, string] => [(actual as number) >= e, `${a} ≥ ${e}`],
    // vitest's rule: |actual − expected| < 10^−digits / 2.
    toBeCloseTo: (e: number, digits = 2): [boolean, string] => [Math.abs((actual as number) - e) < 10 ** -digits / 2, `${a} to be close to ${e} (${digits} digits)`],
    toMatch: (e: RegExp | string): [boolean, string] => [new RegExp(e).test(String(actual)), `${a} to match ${String(e)}`],
    toHaveLength: (n: number): [boolean, string] => [(actual as { length: number }).length === n, `${a} to have length ${n}`],
    toContain: (e: unknown): [boolean, string] => [(actual as { includes(v: unknown): boolean }).includes(e), `${a} to contain ${show(e)}`],
    toBeUndefined: (): [boolean, string] => [actual === undefined, `${a} to be undefined`],
    toBeDefined: (): [boolean, string] => [actual !== undefined, `${a} to be defined`],
    toBeTruthy: (): [boolean, string] => [Boolean(actual), `${a} to be truthy`],
    toThrow: (pattern?: RegExp | string): [boolean, string] => {
      const message = thrown(actual);
      return [message !== undefined && (pattern === undefined || new RegExp(pattern).test(message)), `a throw${pattern === undefined ? '' : ` matching ${String(pattern)}`}, got ${message === undefined ? 'none' : `'${message}'`}`];
    },
  } satisfies Record<string, Check>;
}

type Matchers = { [K in keyof ReturnType<typeof checks>]: (...args: Parameters<ReturnType<typeof checks>[K]>) => void };

/** `message` is expect's second argument, printed before the claim as vitest does. */
function asserting(actual: unknown, negated: boolean, message?: string): Matchers {
  const all = checks(actual);
  return Object.fromEntries(Object.entries(all).map(([name, check]) => [name, (...args: never[]) => {
    const [holds, claim] = (check as Check)(...args);
    if (holds === negated) fail(`${message ? `${message}: ` : ''}expected ${negated ? 'not ' : ''}${claim}`);
  }])) as Matchers;
}

export function expect(actual: unknown, message?: string) {
  return {
    ...asserting(actual, false, message),
    not: asserting(actual, true, message),
    // Only toBe and toEqual are used on a resolved value by the suite.
    resolves: {
      toBe: async (e: unknown): Promise<void> => asserting(await actual, false, message).toBe(e),
      toEqual: async (e: unknown): Promise<void> => asserting(await actual, false, message).toEqual(e),
    },
    rejects: {
      async toThrow(pattern?: RegExp | string): Promise<void> {
        try {
          await actual;
        } catch (e) {
          const m = messageOf(e);
          if (pattern !== undefined && !new RegExp(pattern).test(m)) fail(`rejected with '${m}', expected ${String(pattern)}`);
          return;
        }
        fail('expected a rejection, the promise resolved');
      },
    },
  };
}

/**
 * Runs the registered hooks and tests one after another; prints one line per test; true when all passed. A failing
 * beforeAll fails every test (they are not run), as in vitest.
 */
export async function runRegistered(): Promise<boolean> {
  let failed = 0;
  let setupError: string | undefined;
  try {
    for (const h of before) await h();
  } catch (e) {
    setupError = `beforeAll failed: ${messageOf(e)}`;
  }
  for (const t of tests) {
    const t0 = performance.now();
    try {
      if (setupError) throw new Error(setupError);
      await t.body();
      console.log(`  ✓ ${t.name} (${(performance.now() - t0).toFixed(0)} ms)`);
    } catch (e) {
      failed++;
      console.log(`  ✗ ${t.name}\n${messageOf(e)}`);
    }
  }
  try {
    for (const h of after) await h();
  } catch (e) {
    failed++;
    console.log(`  ✗ afterAll failed: ${messageOf(e)}`);
  }
  console.log(`${tests.length - failed}/${tests.length} passed`);
  return failed === 0 && tests.length > 0;
}
