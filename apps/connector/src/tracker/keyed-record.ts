/**
 * An empty plain object meant to be keyed by ids (uniqueids, linkedids, bridge ids).
 *
 * Why: V8 gives a fresh `{}` a "fast" hidden class and builds a new hidden-class transition for
 * every property name added to it. Ids are new in every call, so each call (and each call_full
 * snapshot) would create hidden classes nobody reuses: most of a CEL rebuild's time went into
 * that and the garbage it leaves. An object that starts in dictionary mode (deleting a property
 * that is not the last one puts it there) stores ids in a hash table instead. It stays an
 * ordinary object: same prototype, same key order, same JSON.
 */
export function keyedRecord<T>(): Record<string, T> {
  const o: Record<string, T> = { a: undefined as T, b: undefined as T };
  delete o.a;
  delete o.b;
  return o;
}
