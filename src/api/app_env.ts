// The Hono environment every route sees: the caller's owner id and the runtime's backend.
import type { Backend } from './backend';
import type { ApiLimits } from './limits';

export interface AppEnv {
  Variables: {
    owner: string;
    backend: Backend;
    limits: ApiLimits;
  };
}
