// Launches Debian's Chromium headless through playwright-core, with or without WebGPU (flags from ENVIRONMENT.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.DECAYLAB_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep a headless run off the network (it is blocked here, and tests must not depend on it). */
const OFFLINE = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];
/** WebGPU on SwiftShader: without --use-webgpu-adapter=swiftshader no adapter appears on a machine without a GPU. */
const WEBGPU = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader'];

export interface LaunchedBrowser {
  /** A persistent context on a fresh profile directory: no cache or state from an earlier run. */
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(webgpu: boolean): Promise<LaunchedBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'decaylab-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 900 },
      args: ['--no-sandbox', ...OFFLINE, ...(webgpu ? WEBGPU : [])],
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(
      `could not start ${CHROMIUM} (${(error as Error).message.split('\n')[0]}). Install Debian's Chromium: ` +
        '`apt-get install -y chromium` (it also ships SwiftShader for WebGPU), or set DECAYLAB_CHROMIUM.',
    );
  }
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
