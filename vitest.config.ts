import { defineConfig } from 'vitest/config';
import { wgslText } from './wgsl-text-plugin.ts';

export default defineConfig({
  plugins: [wgslText()],
  test: {
    projects: [
      {
        plugins: [wgslText()],
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/worker/**', 'test/browser/**'],
          // Dawn is a native addon: separate processes keep one device per file and isolate crashes.
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      // The Worker inside workerd with real Durable Object and R2 bindings (@cloudflare/vitest-plugin).
      'test/worker/vitest.config.ts',
    ],
  },
});
