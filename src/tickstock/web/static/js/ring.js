/**
 * Fixed-capacity collections with O(1) insertion: the store's bounded lists and its memory
 * of recently seen identities. Counters live elsewhere; these only bound what is kept.
 */

/** @template T */
export class Ring {
  /** @param {number} capacity */
  constructor(capacity) {
    this.capacity = Math.max(1, Math.floor(capacity) || 1);
    /** @type {Array<T|undefined>} */
    this.items = new Array(this.capacity);
    this.start = 0;
    this.size = 0;
    /** Bumped on every change, so renderers can tell whether anything moved. */
    this.version = 0;
  }

  /**
   * Adds an item as the newest; returns the evicted oldest item, if any.
   * @param {T} item
   * @returns {T|undefined}
   */
  push(item) {
    this.version++;
    if (this.size < this.capacity) {
      this.items[(this.start + this.size) % this.capacity] = item;
      this.size++;
      return undefined;
    }
    const evicted = this.items[this.start];
    this.items[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /**
   * The i-th newest item (0 = newest).
   * @param {number} i
   * @returns {T|undefined}
   */
  newest(i = 0) {
    if (i < 0 || i >= this.size) return undefined;
    return this.items[(this.start + this.size - 1 - i) % this.capacity];
  }

  /** @returns {T[]} newest first */
  toArray() {
    const out = new Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = /** @type {T} */ (this.newest(i));
    return out;
  }

  clear() {
    this.items = new Array(this.capacity);
    this.start = 0;
    this.size = 0;
    this.version++;
  }
}

/**
 * A Map that forgets its oldest key beyond `limit` entries (insertion order).
 * @template K, V
 */
export class BoundedMap {
  /** @param {number} limit */
  constructor(limit) {
    this.limit = limit;
    /** @type {Map<K, V>} */
    this.map = new Map();
  }

  /** @param {K} key */
  get(key) {
    return this.map.get(key);
  }

  /** @param {K} key */
  has(key) {
    return this.map.has(key);
  }

  /**
   * Sets the key as the most recent one.
   * @param {K} key
   * @param {V} value
   */
  set(key, value) {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.limit) this.map.delete(this.map.keys().next().value);
    this.map.set(key, value);
  }

  /** @param {K} key */
  delete(key) {
    return this.map.delete(key);
  }

  get size() {
    return this.map.size;
  }

  clear() {
    this.map.clear();
  }
}
