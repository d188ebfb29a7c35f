// `env` from cloudflare:test has the Worker's bindings.
import type { Env as WorkerEnv } from '../../src/worker/env';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
  }
}
