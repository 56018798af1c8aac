/** A minimal synchronous event emitter; `on` returns its own `off` for a Scope. */
export class Emitter {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this.handlers = new Map();
  }

  /** @param {string} name @param {Function} fn @returns {() => void} */
  on(name, fn) {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** @param {string} name @param {...any} args */
  emit(name, ...args) {
    const set = this.handlers.get(name);
    if (set) for (const fn of set) fn(...args);
  }

  /** Number of handlers, for leak tests. */
  count() {
    let n = 0;
    for (const set of this.handlers.values()) n += set.size;
    return n;
  }
}
