// Vitest project for the Worker: tests run inside workerd with real Durable Object and R2 bindings.
import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { wgslText } from '../../wgsl-text-plugin.ts';

const wranglerToml = fileURLToPath(new URL('../../wrangler.toml', import.meta.url));

export default defineConfig({
  plugins: [wgslText(), cloudflareTest({
      wrangler: { configPath: wranglerToml },
      // One small chunk per alarm: every test run goes through many checkpoints and resumes.
      miniflare: { bindings: { CHUNK_BUDGET_MS: '0', STEPS_PER_CHUNK: '4', API_TOKENS: 'token-alpha,token-bravo', LIMITS: JSON.stringify({ maxJsonBytes: 256 * 1024, maxLabResultsBytes: 512 * 1024, maxDatasetBytes: 512 * 1024, maxEpochs: 50 }) } },
    })],
  test: {
    name: 'worker',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.test.ts'],
    testTimeout: 60_000,
  },
});
