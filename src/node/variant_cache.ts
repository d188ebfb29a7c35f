// The GEMM kernels autotune.ts picks, kept on disk per adapter and layer shapes, so that a machine times them once
// (`--autotune`): later runs read the choice back instead of compiling and timing every candidate again. A file that
// cannot be read as this cache is reported and left as it is; the run then tunes in memory.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { layerShapes, type ModelSpec } from '../core/spec';
import { autotuneVariant, tunedVariant, tuningCandidates, tuningKey, type ForwardKernel, type WeightKernel } from '../gpu/autotune';
import { selectVariant, type KernelVariant } from '../gpu/kernel_variants';

const FORMAT = 'decaylab-kernel-variants-1';

interface CacheEntry {
  forward?: ForwardKernel;
  backwardWeight?: WeightKernel;
  /** The candidates timed: an entry made with another kernel set is tuned again. */
  candidates: string;
  tunedAt: string;
}

interface CacheFile {
  format: typeof FORMAT;
  entries: Record<string, CacheEntry>;
}

/** `$DECAYLAB_CACHE_DIR` or `$XDG_CACHE_HOME/decaylab` or `~/.cache/decaylab`, then `kernel-variants.json`. */
export function defaultVariantCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DECAYLAB_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'decaylab');
  return join(dir, 'kernel-variants.json');
}

export interface VariantCache {
  /** The tuned variant for this model and batch size on the device: read from the file, or timed and written. */
  variantFor(device: GPUDevice, spec: ModelSpec, batch: number): Promise<KernelVariant>;
}

export function openVariantCache(file: string, log: (line: string) => void): VariantCache {
  let unreadable = false;
  const read = (): CacheFile => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { format: FORMAT, entries: {} };
      throw e;
    }
    const parsed = JSON.parse(text) as Partial<CacheFile>;
    if (parsed.format !== FORMAT || typeof parsed.entries !== 'object' || parsed.entries === null) {
      throw new Error(`format is not ${FORMAT}`);
    }
    return parsed as CacheFile;
  };
  return {
    async variantFor(device, spec, batch) {
      const shapes = layerShapes(spec).map((s) => ({ batch, inFeatures: s.inFeatures, outFeatures: s.outFeatures }));
      const base = selectVariant(device.adapterInfo, device.features);
      const candidates = tuningCandidates(base);
      const signature = `${candidates.forward.join(',')};${candidates.backwardWeight.join(',')}`;
      const key = tuningKey(device.adapterInfo, shapes);
      let stored: CacheFile | undefined;
      if (!unreadable) {
        try {
          stored = read();
        } catch (e) {
          unreadable = true;
          log(`note: kernel-variant cache ${file} is unreadable (${(e as Error).message}); tuning in memory and leaving the file as it is (delete it to start a new one)`);
        }
      }
      const hit = stored?.entries[key];
      if (hit && hit.candidates === signature && (!hit.forward || candidates.forward.includes(hit.forward))
        && (!hit.backwardWeight || candidates.backwardWeight.includes(hit.backwardWeight))) {
        return tunedVariant(base, hit.forward, hit.backwardWeight);
      }
      log(`autotune: timing ${candidates.forward.length + candidates.backwardWeight.length} GEMM kernels at batch ${batch} on this adapter (once; cached in ${file})`);
      const variant = await autotuneVariant(device, shapes);
      if (stored) {
        stored.entries[key] = {
          forward: variant.blocked?.forward, backwardWeight: variant.blocked?.backwardWeight, candidates: signature, tunedAt: new Date().toISOString(),
        };
        // Written whole to a temporary file, then renamed: a run stopped mid-write leaves the old cache intact.
        mkdirSync(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, `${JSON.stringify(stored, null, 2)}\n`);
        renameSync(tmp, file);
      }
      return variant;
    },
  };
}
