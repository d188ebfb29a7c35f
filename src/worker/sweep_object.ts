// A sweep as a Durable Object: it remembers which run objects belong to it; the runs train on their own.
import { DurableObject } from 'cloudflare:workers';
import type { SweepRecord } from '../api/sweep_table';
import type { Env } from './env';

export class SweepObject extends DurableObject<Env> {
  async save(record: SweepRecord): Promise<void> {
    await this.ctx.storage.put('sweep', record);
  }

  async load(owner: string): Promise<SweepRecord | null> {
    const record = await this.ctx.storage.get<SweepRecord>('sweep');
    return record && record.owner === owner ? record : null;
  }
}
