import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';
it('answers', async () => {
  const r = await SELF.fetch('http://x/');
  expect(await r.text()).toBe('ok');
});
