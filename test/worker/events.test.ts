// Server-sent events: progress while a run trains, then `end` with its final status.
import { describe, expect, it } from 'vitest';
import { api, json, smallRunRequest } from './helpers';

function parseSse(text: string): { event: string; data: any }[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]);
      return { event, data };
    });
}

describe('SSE', () => {
  it('delivers progress events until the run completes', async () => {
    const run = await json(await api('/v1/runs', { method: 'POST', json: smallRunRequest({ epochs: 6 }) }));
    const r = await api(`/v1/runs/${run.id}/events`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await r.text());
    const progress = events.filter((e) => e.event === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const steps = progress.map((e) => e.data.step);
    expect([...steps].sort((x, y) => x - y)).toEqual(steps); // never goes backwards
    const last = events[events.length - 1];
    expect(last.event).toBe('end');
    expect(last.data.status).toBe('completed');
    expect(last.data.step).toBe(36);
    expect(last.data.latest.epoch).toBe(6);
  });
});
