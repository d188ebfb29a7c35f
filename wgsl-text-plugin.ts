// Vite/Vitest plugin: `import source from './x.wgsl'` gives the file's text, as esbuild's text loader and wrangler's Text rule do.
import type { Plugin } from 'vite';

export function wgslText(): Plugin {
  return {
    name: 'decaylab-wgsl-text',
    transform(code, id) {
      if (!id.endsWith('.wgsl')) return null;
      return { code: `export default ${JSON.stringify(code)};`, map: null };
    },
  };
}
