/**
 * A lifetime for listeners, timers and cleanups: everything a section or panel registers
 * through its scope is released by one `dispose()`, so unmounting leaks nothing.
 */
export class Scope {
  constructor() {
    /** @type {Array<() => void>} */
    this.cleanups = [];
    this.disposed = false;
  }

  /**
   * @param {EventTarget} target
   * @param {string} type
   * @param {EventListenerOrEventListenerObject} listener
   * @param {AddEventListenerOptions|boolean} [options]
   */
  listen(target, type, listener, options) {
    target.addEventListener(type, listener, options);
    this.cleanups.push(() => target.removeEventListener(type, listener, options));
  }

  /** @param {() => void} fn @param {number} ms @param {{setInterval: Function, clearInterval: Function}} [clock] */
  every(fn, ms, clock = globalThis) {
    const id = clock.setInterval(fn, ms);
    this.cleanups.push(() => clock.clearInterval(id));
    return id;
  }

  /** @param {() => void} fn @param {number} ms @param {{setTimeout: Function, clearTimeout: Function}} [clock] */
  after(fn, ms, clock = globalThis) {
    const id = clock.setTimeout(fn, ms);
    this.cleanups.push(() => clock.clearTimeout(id));
    return id;
  }

  /** Registers any cleanup (an emitter's `off`, a chart's `remove`). @param {() => void} fn */
  add(fn) {
    if (this.disposed) fn();
    else this.cleanups.push(fn);
  }

  /** A child scope disposed with this one. */
  child() {
    const scope = new Scope();
    this.add(() => scope.dispose());
    return scope;
  }

  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    for (const fn of this.cleanups.splice(0).reverse()) fn();
  }
}
