// WGSL files are imported as text by every bundler we use (vite plugin, esbuild loader, wrangler rule).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
