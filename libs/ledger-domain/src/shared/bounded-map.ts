/**
 * A Map for memoised pure answers over a small key space (days, zones, quarter hours): once it
 * holds `limit` entries, the next new key starts it again empty, so a stream of unusual keys can
 * never grow it without bound. The one place that policy lives.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.limit && !this.has(key)) this.clear();
    return super.set(key, value);
  }
}
