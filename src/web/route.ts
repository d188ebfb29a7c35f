// What the URL asks the lab to show: saved results (#/results/<id>) or an edge sweep (?sweep=<id>[,<id>]).

export type LabRoute = { kind: 'lab' } | { kind: 'results'; id: string } | { kind: 'sweep'; ids: string[] };

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseRoute(url: URL): LabRoute {
  const hash = /^#\/results\/(.+)$/.exec(url.hash);
  if (hash) {
    if (!ID.test(hash[1])) throw new RangeError(`"${hash[1]}" in the address is not a results id`);
    return { kind: 'results', id: hash[1] };
  }
  const sweep = url.searchParams.get('sweep');
  if (sweep !== null) {
    const ids = sweep.split(',');
    const bad = ids.find((id) => !ID.test(id));
    if (bad !== undefined) throw new RangeError(`"${bad}" in the address is not a sweep id`);
    return { kind: 'sweep', ids };
  }
  return { kind: 'lab' };
}

export function resultsUrl(base: URL, id: string): string {
  const u = new URL(base.href);
  u.search = '';
  u.hash = `#/results/${id}`;
  return u.href;
}

export function sweepUrl(base: URL, ids: string[]): string {
  const u = new URL(base.href);
  u.hash = '';
  u.search = `?sweep=${ids.join(',')}`;
  return u.href;
}
