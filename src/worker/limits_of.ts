// API limits of this deployment: the defaults, overridden by the LIMITS variable (JSON).
import { DEFAULT_LIMITS, type ApiLimits } from '../api/limits';
import type { Env } from './env';

export function limitsOf(env: Env): ApiLimits {
  if (!env.LIMITS) return DEFAULT_LIMITS;
  const overrides = JSON.parse(env.LIMITS) as Partial<ApiLimits>;
  return { ...DEFAULT_LIMITS, ...overrides };
}
