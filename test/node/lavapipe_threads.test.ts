// The lavapipe thread setting createNodeGpu applies (src/node/lavapipe_threads.ts says why): only when the user left
// LP_NUM_THREADS unset, only on machines with at most INLINE_DISPATCH_MAX_CORES cores, and named in adapter labels.
import { describe, expect, it } from 'vitest';
import { INLINE_DISPATCH_MAX_CORES, lavapipeThreadsLabel, preferInlineLavapipeDispatch } from '../../src/node/lavapipe_threads';

describe('preferInlineLavapipeDispatch', () => {
  it('sets LP_NUM_THREADS=0 on a machine with few cores when it is unset', () => {
    const env: Record<string, string | undefined> = {};
    expect(preferInlineLavapipeDispatch(env, INLINE_DISPATCH_MAX_CORES)).toBe('0');
    expect(env.LP_NUM_THREADS).toBe('0');
  });

  it("keeps the user's value", () => {
    const env: Record<string, string | undefined> = { LP_NUM_THREADS: '3' };
    expect(preferInlineLavapipeDispatch(env, 1)).toBe('3');
    expect(env.LP_NUM_THREADS).toBe('3');
  });

  it("leaves Mesa's default on machines with more cores", () => {
    const env: Record<string, string | undefined> = {};
    expect(preferInlineLavapipeDispatch(env, INLINE_DISPATCH_MAX_CORES + 1)).toBeUndefined();
    expect('LP_NUM_THREADS' in env).toBe(false);
  });
});

describe('lavapipeThreadsLabel', () => {
  it('names the setting for lavapipe only', () => {
    const env = { LP_NUM_THREADS: '0' };
    expect(lavapipeThreadsLabel('mesa software llvmpipe: Mesa 25.0.7', env)).toBe(', LP_NUM_THREADS=0');
    expect(lavapipeThreadsLabel('google swiftshader SwiftShader Device', env)).toBe('');
    expect(lavapipeThreadsLabel('mesa software llvmpipe', {})).toBe('');
  });
});
