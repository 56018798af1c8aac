/**
 * The dashboard's store, re-exported from its four homes so that one import keeps working:
 * the state's shape (state.js), the reducer (reducer.js, with
 * criticals.js), the selectors (selectors.js) and
 * the stream clock (stream-clock.js). New code imports from those homes directly.
 */
export {
  DEDUPE_MEMORY, DEFAULT_SETTINGS, HIGH_CONFIDENCE, MAX_INDICATORS, PANELS,
  alertKey, createState, normaliseSettings, patternKey,
} from "./state.js";
export {
  acknowledgeCritical, applyEntries, applyEvent, applySnapshot, applyStatus, setConnection, setPaused,
} from "./reducer.js";
export { displayMetrics, healthState, indicatorLines, openCriticals, sessionSeconds } from "./selectors.js";
export { STREAM_CLOCK_TOLERANCE_MS, createStreamClock } from "./stream-clock.js";

/**
 * @typedef {import("./state.js").State} State
 * @typedef {import("./state.js").Detection} Detection
 * @typedef {import("./state.js").PatternItem} PatternItem
 * @typedef {import("./state.js").AlertItem} AlertItem
 * @typedef {import("./state.js").IndicatorItem} IndicatorItem
 */
