// The lab's API-token store and its failure messages, in Node: what is kept, what is sent, what the user is told.
import { describe, expect, test } from 'vitest';
import { apiFailureMessage, ApiHttpError } from '../../src/web/api_error';
import { ApiTokenStore, authHeaders, type TokenStorage } from '../../src/web/api_token';

function mapStorage(): TokenStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('ApiTokenStore', () => {
  test('keeps a trimmed token in storage, sends it as a bearer header, and forgets it', () => {
    const storage = mapStorage();
    const store = new ApiTokenStore(storage);
    expect(store.get()).toBeNull();
    expect(authHeaders(store.get())).toEqual({});
    expect(store.set('  abc-123 \n')).toBe('abc-123');
    expect(storage.map.get('decaylab-api-token')).toBe('abc-123');
    // A second page (a new store over the same storage) finds it.
    expect(new ApiTokenStore(storage).get()).toBe('abc-123');
    expect(authHeaders(store.get())).toEqual({ authorization: 'Bearer abc-123' });
    store.clear();
    expect(storage.map.size).toBe(0);
    expect(store.get()).toBeNull();
  });

  test('refuses what cannot be a bearer token, naming the problem', () => {
    const store = new ApiTokenStore(mapStorage());
    expect(() => store.set('   ')).toThrow('API token: empty');
    expect(() => store.set('two words')).toThrow('API token: contains spaces or line breaks');
    expect(() => store.set('tökén')).toThrow('API token: contains characters other than visible ASCII');
    expect(store.get()).toBeNull();
  });

  test('without usable storage the token lasts for the page', () => {
    const blocked: TokenStorage = {
      getItem: () => { throw new Error('blocked'); },
      setItem: () => { throw new Error('blocked'); },
      removeItem: () => { throw new Error('blocked'); },
    };
    for (const storage of [null, blocked]) {
      const store = new ApiTokenStore(storage);
      store.set('t1');
      expect(store.get()).toBe('t1');
      store.clear();
      expect(store.get()).toBeNull();
    }
  });
});

describe('API failure messages', () => {
  test('401 without a token says where to enter one; with one, that it was refused', () => {
    expect(apiFailureMessage(401, 'Saving the results', 'no header', false)).toBe(
      'Saving the results: this decaylab API needs an API token (HTTP 401: no header). Enter yours under “Edge API token”; it is kept in this browser only.');
    expect(apiFailureMessage(401, 'Saving the results', 'unknown token', true)).toContain('refused the API token saved in this browser (HTTP 401: unknown token)');
  });

  test('403, 404 (perhaps another token’s) and other statuses', () => {
    expect(apiFailureMessage(403, 'X', '', true)).toBe('X: the API token saved in this browser is not allowed to do this (HTTP 403).');
    expect(apiFailureMessage(404, 'X', 'no such id', true)).toContain('belongs to another API token than the one saved in this browser');
    expect(apiFailureMessage(404, 'X', '', false)).toContain('belongs to an API token (this browser sends none)');
    expect(apiFailureMessage(500, 'X', 'boom', false)).toBe('X failed: HTTP 500: boom');
  });

  test('only 401 and 403 point at the token field', () => {
    expect([401, 403, 404, 500].map((s) => new ApiHttpError(s, 'X', '', false).isAuth)).toEqual([true, true, false, false]);
  });
});
