// The on-disk cache of autotuned GEMM kernels (src/node/variant_cache.ts): a first run times and writes, a later one
// reads the file back instead of timing, a stale or unknown entry is tuned again, and a file that is not this cache
// is reported and left byte for byte as it was.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src/core/spec';
import { tuningCandidates } from '../../src/gpu/autotune';
import { gemmKernel, selectVariant } from '../../src/gpu/kernel_variants';
import { defaultVariantCacheFile, openVariantCache } from '../../src/node/variant_cache';
import type { NodeGpu } from '../../src/node/webgpu_node';
import { testGpu } from './helpers/gpu_device';

const SPEC: ModelSpec = { inputSize: 64, hidden: [32], classes: 10 };
const BATCH = 16;
let gpu: NodeGpu;
let dir: string;
beforeAll(async () => {
  gpu = await testGpu();
  dir = mkdtempSync(join(tmpdir(), 'decaylab-variant-cache-'));
});
afterAll(() => {
  gpu.destroy();
  rmSync(dir, { recursive: true, force: true });
});

interface StoredEntry { forward?: string; backwardWeight?: string; candidates: string }
const entries = (file: string): Record<string, StoredEntry> => (JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, StoredEntry> }).entries;

describe('kernel-variant cache', () => {
  it('times once and writes the choice; a later run reads it back without timing', async () => {
    const file = join(dir, 'a', 'kernel-variants.json');
    const log: string[] = [];
    const first = await openVariantCache(file, (l) => log.push(l)).variantFor(gpu.device, SPEC, BATCH);
    expect(log.filter((l) => l.startsWith('autotune: timing'))).toHaveLength(1);
    const [key, ...rest] = Object.keys(entries(file));
    expect(rest).toHaveLength(0);
    expect(key).toContain(`${BATCH}x64x32,${BATCH}x32x10`);
    expect(entries(file)[key].forward).toBe(first.blocked?.forward);
    expect(gemmKernel('forward', 64, [0], first, 32)).toBe(first.blocked?.forward);

    // Plant another valid candidate: only a run that reads the file can return it (timing would not pick it reliably,
    // and this process's in-memory tuning would return the first choice).
    const candidates = tuningCandidates(selectVariant(gpu.info, gpu.device.features));
    const other = candidates.forward.find((k) => k !== first.blocked?.forward)!;
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, StoredEntry> };
    stored.entries[key].forward = other;
    writeFileSync(file, JSON.stringify(stored));
    const log2: string[] = [];
    const second = await openVariantCache(file, (l) => log2.push(l)).variantFor(gpu.device, SPEC, BATCH);
    expect(log2).toEqual([]);
    expect(second.blocked?.forward).toBe(other);
    expect(gemmKernel('forward', 64, [0], second, 32)).toBe(other);
    expect(second.name).toContain(other);
  });

  it('tunes again over an entry naming a kernel it does not know, and over one made with another kernel set', async () => {
    const file = join(dir, 'b.json');
    const first = await openVariantCache(file, () => {}).variantFor(gpu.device, SPEC, BATCH);
    const key = Object.keys(entries(file))[0];
    for (const bad of [{ forward: 'denseForwardNoSuchKernel' }, { candidates: 'an older kernel set' }]) {
      writeFileSync(file, JSON.stringify({ format: 'decaylab-kernel-variants-1', entries: { [key]: { ...entries(file)[key], ...bad } } }));
      const log: string[] = [];
      const v = await openVariantCache(file, (l) => log.push(l)).variantFor(gpu.device, SPEC, BATCH);
      expect(log.filter((l) => l.startsWith('autotune: timing'))).toHaveLength(1);
      expect(v.blocked?.forward).toBe(first.blocked?.forward);
      expect(entries(file)[key].forward).toBe(first.blocked?.forward);
      expect(entries(file)[key].candidates).not.toBe('an older kernel set');
    }
  });

  it('reports a file that is not this cache, tunes in memory and leaves the file as it was', async () => {
    for (const [name, text] of [['corrupt.json', '{"format": "decaylab-kernel-variants-1", "entries": {'], ['other.json', '{"hello": 1}']]) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const log: string[] = [];
      const v = await openVariantCache(file, (l) => log.push(l)).variantFor(gpu.device, SPEC, BATCH);
      expect(log[0]).toMatch(new RegExp(`kernel-variant cache .*${name} is unreadable .*leaving the file as it is`));
      expect(v.name).toContain('-tuned-');
      expect(readFileSync(file, 'utf8')).toBe(text);
    }
  });

  it('lives in DECAYLAB_CACHE_DIR, else XDG_CACHE_HOME/decaylab, else ~/.cache/decaylab', () => {
    expect(defaultVariantCacheFile({ DECAYLAB_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c/kernel-variants.json');
    expect(defaultVariantCacheFile({ XDG_CACHE_HOME: '/x' })).toBe('/x/decaylab/kernel-variants.json');
    expect(defaultVariantCacheFile({})).toMatch(/\/\.cache\/decaylab\/kernel-variants\.json$/);
  });
});
