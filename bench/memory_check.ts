// The GPU engine's memory over many epochs: peak RSS of one epoch, and whether RSS and the memory-map count
// stay flat once warmed up (TF.js-webgpu's bind group per dispatch grew the map count until it crashed).
import { childPath } from './build_children';
import type { EpochMemory, MemoryResult } from './peers/gpu_memory';
import { runChildProcess } from './spawn_child';

export interface MemoryReport extends MemoryResult {
  /** Growth from the end of epoch 2 (allocators warmed up) to the last epoch; null with fewer than 3 epochs. */
  mapGrowthAfterWarmup: number | null;
  rssGrowthMbAfterWarmup: number | null;
  /** Map count grows by at most MAP_SLACK and RSS by at most RSS_SLACK_MB after warm-up. */
  flat: boolean | null;
  failure?: string;
}

/** Allowed drift after warm-up: a few mappings from the allocator, and RSS within 20 MB — not per-step growth. */
const MAP_SLACK = 64;
const RSS_SLACK_MB = 20;

export async function runMemoryCheck(
  mnistDir: string, epochs: number, stepsPerEpoch: number, seed: number, timeoutSeconds: number, verbose: boolean,
): Promise<MemoryReport> {
  const o = await runChildProcess<MemoryResult>(
    process.execPath, [childPath('gpu_memory'), JSON.stringify({ mnistDir, epochs, stepsPerEpoch, seed })], { timeoutSeconds, verbose },
  );
  if (!o.result) {
    return { epochs: [], stepsPerEpoch, firstEpochPeakRssMb: 0, peakRssMb: 0, mapGrowthAfterWarmup: null, rssGrowthMbAfterWarmup: null, flat: null, failure: o.failure };
  }
  const e = o.result.epochs;
  const warm: EpochMemory | undefined = e.length >= 3 ? e[1] : undefined;
  const last = e[e.length - 1];
  const mapGrowth = warm ? last.maps - warm.maps : null;
  const rssGrowth = warm ? last.rssMb - warm.rssMb : null;
  return {
    ...o.result, mapGrowthAfterWarmup: mapGrowth, rssGrowthMbAfterWarmup: rssGrowth,
    flat: mapGrowth === null || rssGrowth === null ? null : mapGrowth <= MAP_SLACK && rssGrowth <= RSS_SLACK_MB,
  };
}

export function formatMemory(m: MemoryReport): string {
  if (m.failure) return `GPU-engine memory check failed: ${m.failure}`;
  const per = m.epochs.map((e) => `${e.epoch}: ${e.rssMb.toFixed(0)} MB / ${e.maps} maps`).join(', ');
  const verdict = m.flat === null ? 'needs ≥ 3 epochs to judge' : m.flat ? 'flat' : 'GROWING';
  return [
    `GPU-engine memory over ${m.epochs.length} epochs of ${m.stepsPerEpoch} steps: peak RSS of epoch 1 ${m.firstEpochPeakRssMb.toFixed(0)} MB, overall ${m.peakRssMb.toFixed(0)} MB`,
    `  after epoch ${per}`,
    `  after warm-up (epoch 2 → ${m.epochs.length}): maps ${m.mapGrowthAfterWarmup ?? '—'}, RSS ${m.rssGrowthMbAfterWarmup?.toFixed(1) ?? '—'} MB → ${verdict}`,
  ].join('\n');
}
