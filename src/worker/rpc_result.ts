// ApiError does not survive Durable Object RPC as a class: it crosses as a plain result and is rethrown on the caller's side.
import { ApiError, type FieldError } from '../api/problem';

export type RpcResult<T> = { ok: true; value: T } | { ok: false; status: number; kind: string; message: string; errors: FieldError[] };

export async function capture<T>(fn: () => Promise<T> | T): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (e instanceof ApiError) return { ok: false, status: e.status, kind: e.kind, message: e.message, errors: e.errors };
    if (e instanceof RangeError) return { ok: false, status: 422, kind: 'validation', message: e.message, errors: [] };
    throw e;
  }
}

export function unwrap<T>(r: RpcResult<T>): T {
  if (r.ok) return r.value;
  throw new ApiError(r.status, r.kind, r.message, r.errors);
}
