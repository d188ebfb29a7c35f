// The browser lab (src/web) built with Vite into dist/web; dev and preview servers also serve MNIST slices.
import { defineConfig } from 'vite';
import { labDatasets } from './src/web/dev_server/vite_plugin';
import { wgslText } from './wgsl-text-plugin';

export default defineConfig({
  root: 'src/web',
  // Relative asset URLs: the Worker, `decaylab serve` and the tests serve the page from any path.
  base: './',
  plugins: [wgslText(), labDatasets()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
