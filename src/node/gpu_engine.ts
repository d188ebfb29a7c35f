// The GPU engine for Node: one Dawn device per command, one GPU trainer per run on it.
import type { Engine } from './engine';

export async function createGpuEngine(): Promise<Engine> {
  throw new Error('the GPU trainer is not part of this build yet');
}
