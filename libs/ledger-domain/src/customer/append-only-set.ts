import { AppendOnlyMap } from './append-only-map';

/**
 * An immutable set of ids that only grows, cheap to extend: an `AppendOnlyMap` whose ids are
 * each written once (see there for how versions share one log and stay unchanged).
 */
export class AppendOnlySet {
  private constructor(private readonly ids: AppendOnlyMap<true>) {}

  static empty(): AppendOnlySet {
    return new AppendOnlySet(AppendOnlyMap.empty());
  }

  /** How many ids the set holds. */
  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): AppendOnlySet {
    return this.has(id) ? this : new AppendOnlySet(this.ids.set(id, true));
  }
}
