// The edge API's bearer token, as the lab keeps it: typed once into the page, stored in this browser's localStorage,
// sent as `Authorization: Bearer …` on every API request. Never part of an address: shared links carry no secret.

const KEY = 'decaylab-api-token';

/** The part of the Storage interface the store uses (localStorage in the page; a Map in tests). */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class ApiTokenStore {
  /** `storage` null: localStorage is unavailable (blocked by the browser); the token then lives until the tab closes. */
  constructor(private readonly storage: TokenStorage | null) {}
  private memory: string | null = null;

  get(): string | null {
    try {
      return this.storage ? this.storage.getItem(KEY) : this.memory;
    } catch {
      return this.memory;
    }
  }

  /** Keeps a token; throws naming the problem when it cannot be a bearer token (the API would refuse it anyway). */
  set(raw: string): string {
    const token = raw.trim();
    if (token === '') throw new RangeError('API token: empty (paste the token the API was started with)');
    if (/\s/.test(token)) throw new RangeError('API token: contains spaces or line breaks (a bearer token is one word)');
    // Header values must be visible ASCII: anything else makes fetch throw a TypeError far from here.
    if (!/^[\x21-\x7e]+$/.test(token)) throw new RangeError('API token: contains characters other than visible ASCII');
    this.memory = token;
    try {
      this.storage?.setItem(KEY, token);
    } catch {
      // Storage full or blocked: the token still serves this tab.
    }
    return token;
  }

  clear(): void {
    this.memory = null;
    try {
      this.storage?.removeItem(KEY);
    } catch {
      // Nothing stored, nothing to remove.
    }
  }
}

/** Headers for an API request: the bearer token when one is kept. */
export function authHeaders(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** localStorage, or null where reading it throws (some browsers in private or sandboxed modes). */
export function browserStorage(): TokenStorage | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null;
  }
}
