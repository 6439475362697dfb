/** User metadata: small string pairs stored with a file (S3's `x-amz-meta-*`). */
export type Metadata = Record<string, string>;

// S3 lowercases metadata names and sends them as HTTP header names; values must be ASCII there.
const NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;
const VALUE = /^[\x20-\x7e]*$/;
/** S3's limit on user metadata, names and values together. */
export const MAX_METADATA_BYTES = 2048;

/** A copy of `metadata` if every name and value can be stored by every driver; TypeError otherwise. */
export function checkMetadata(metadata: unknown): Metadata {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new TypeError('metadata must be an object of strings');
  const out: Metadata = {};
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (!NAME.test(name)) throw new TypeError(`metadata name ${JSON.stringify(name)} must be lowercase letters, digits and "-"`);
    if (typeof value !== 'string' || !VALUE.test(value)) throw new TypeError(`metadata "${name}" must be printable ASCII`);
    bytes += name.length + value.length;
    out[name] = value;
  }
  if (bytes > MAX_METADATA_BYTES) throw new TypeError(`metadata must be at most ${MAX_METADATA_BYTES} bytes, names and values together`);
  return out;
}

/** The same check for metadata read back from storage: invalid is undefined, never an exception. */
export function parseMetadata(value: unknown): Metadata | undefined {
  try {
    return checkMetadata(value);
  } catch {
    return undefined;
  }
}
