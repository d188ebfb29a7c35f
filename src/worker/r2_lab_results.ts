// Saved lab results in R2, one JSON object per save: lab-results/<owner>/<id>.json.
// R2 rather than a Durable Object: a save is written once and then only read, by id, so it needs no coordination
// (nothing to serialize through one object), may be a few MB (an object's SQLite rows are limited to 2 MB), and
// reads go straight to storage without waking an object.

const key = (owner: string, id: string): string => `lab-results/${owner}/${id}.json`;

export async function putLabResultsR2(bucket: R2Bucket, owner: string, id: string, json: string): Promise<void> {
  await bucket.put(key(owner, id), json, { httpMetadata: { contentType: 'application/json' } });
}

/** The stored JSON text; null for an unknown id or another owner's (the key includes the owner). */
export async function getLabResultsR2(bucket: R2Bucket, owner: string, id: string): Promise<string | null> {
  const object = await bucket.get(key(owner, id));
  return object ? object.text() : null;
}
