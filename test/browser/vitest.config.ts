// Vitest project of the browser tests (npm run test:browser): the built lab in Debian's Chromium via playwright-core.
import { defineConfig } from 'vitest/config';
import { wgslText } from '../../wgsl-text-plugin';

export default defineConfig({
  plugins: [wgslText()],
  test: {
    name: 'browser',
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/browser/**/*.test.ts'],
    // One Chromium at a time: the machines have two cores, shared.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
