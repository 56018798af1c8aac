/**
 * Alert sounds, opt-in per alert class, generated with Web Audio (no audio files): each
 * class has its own tone so an ear can tell a critical alert from a bullish cross.
 */

export const SOUND_KEY = "tickstock.sound";
/** Alert class → [frequency Hz, duration s, repeats]. */
export const TONES = Object.freeze({
  critical: [880, 0.18, 3],
  bullish: [660, 0.12, 1],
  bearish: [330, 0.16, 1],
  pattern: [520, 0.06, 1],
});
export const SOUND_CLASSES = Object.freeze(Object.keys(TONES));
/** Minimum gap between two sounds of one class, so a burst does not become noise. */
const MIN_GAP_MS = 1500;

/** The sound class of an indicator alert type or critical alert. */
export function soundClassOf(kind, alertType = "") {
  if (kind === "critical") return "critical";
  if (kind === "pattern") return "pattern";
  return /BULLISH|OVERSOLD|LOWER/.test(alertType) ? "bullish" : "bearish";
}

/**
 * @param {{AudioContext?: typeof AudioContext, storage: Storage|null, now: () => number,
 *   defaultOn?: boolean}} deps
 */
export function createSound({ AudioContext: Ctx, storage, now, defaultOn = false }) {
  /** @type {Set<string>} */
  let enabled = load(storage, defaultOn);
  /** @type {AudioContext|null} */
  let ctx = null;
  const lastPlayed = new Map();

  function persist() {
    try {
      storage?.setItem(SOUND_KEY, JSON.stringify([...enabled]));
    } catch {
      // not persisted
    }
  }

  return {
    isEnabled: (cls) => enabled.has(cls),
    /** @param {string} cls @param {boolean} on */
    setEnabled(cls, on) {
      if (on) enabled.add(cls);
      else enabled.delete(cls);
      persist();
      // Browsers allow audio only after a user gesture: create the context on this toggle.
      if (on && !ctx && Ctx) ctx = new Ctx();
    },
    /** Plays the class's tone if opted in and not played too recently; returns whether it did. */
    play(cls) {
      if (!enabled.has(cls) || !Ctx) return false;
      const t = now();
      if (t - (lastPlayed.get(cls) ?? -Infinity) < MIN_GAP_MS) return false;
      lastPlayed.set(cls, t);
      if (!ctx) ctx = new Ctx();
      const [freq, dur, repeats] = TONES[cls];
      for (let i = 0; i < repeats; i++) {
        const start = ctx.currentTime + i * dur * 1.5;
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.15, start);
        gain.gain.exponentialRampToValueAtTime(0.001, start + dur);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start);
        osc.stop(start + dur);
      }
      return true;
    },
    /** Applies the server's STREAMING_SOUND_ALERTS default when the reader never chose. */
    applyDefault(on) {
      if (chosen(storage)) return;
      enabled = new Set(on ? SOUND_CLASSES.filter((c) => c !== "pattern") : []);
    },
  };
}

/** Whether the reader's choice is stored (storage the browser refuses holds none). @param {Storage|null} storage */
function chosen(storage) {
  try {
    return storage?.getItem?.(SOUND_KEY) != null;
  } catch {
    return false;
  }
}

/** @param {Storage|null} storage @param {boolean} defaultOn */
function load(storage, defaultOn) {
  try {
    const saved = JSON.parse(storage?.getItem(SOUND_KEY) || "null");
    if (Array.isArray(saved)) return new Set(saved.filter((c) => SOUND_CLASSES.includes(c)));
  } catch {
    // fall through to the default
  }
  return new Set(defaultOn ? SOUND_CLASSES.filter((c) => c !== "pattern") : []);
}
