// Shared fixtures for the front-end tests: the plan's sample payloads and a jsdom page
// built from the real index.html (so renderers see the real templates).
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

export const STATIC = new URL("../../src/tickstock/web/static/", import.meta.url);
export const XSS = '<img src=x onerror="globalThis.pwned=1">';

export function dom() {
  const html = readFileSync(new URL("index.html", STATIC), "utf8")
    .replace(/<script[^>]*><\/script>/g, "");
  return new JSDOM(html, { url: "http://localhost/", pretendToBeVisual: true });
}

export const detection = (over = {}) => ({
  symbol: "NVDA", pattern_type: "Doji", confidence: 0.85, timestamp: "2025-10-05T14:15:00Z",
  timeframe: "1min", bar_data: { open: 125.5, high: 125.75, low: 125.45, close: 125.52, volume: 250000 }, ...over,
});
export const pattern = (over = {}, high) => ({ type: "streaming_pattern", detection: detection(over), ...(high === undefined ? {} : { high_confidence: high }) });
export const indicator = (over = {}) => ({ type: "streaming_indicator", calculation: {
  symbol: "TSLA", indicator: "RSI", value: 72.5, timestamp: "2025-10-05T14:15:00Z", timeframe: "1min", ...over } });
export const alert = (over = {}) => ({ type: "indicator_alert", alert: {
  symbol: "AAPL", alert_type: "RSI_OVERBOUGHT", timestamp: "2025-10-05T15:30:00Z",
  data: { indicator: "RSI", value: 75.2, threshold: 70 }, ...over } });
export const critical = (over = {}) => ({ type: "critical_alert", alert: {
  severity: "critical", message: "WebSocket connection lost", timestamp: "2025-10-05T16:45:00Z",
  component: "massive_websocket", action_required: "Manual intervention needed", ...over } });
export const health = (over = {}) => ({ type: "streaming_health", health: {
  status: "healthy", timestamp: "2025-10-05T14:15:00Z", active_symbols: 485, connection_status: "connected",
  data_flow: { ticks_per_second: 125.3, bars_per_minute: 480, processing_lag_ms: 45 },
  resource_usage: { cpu_percent: 35.2, memory_mb: 512, threads_active: 8 }, issues: [], ...over } });
export const started = (over = {}) => ({ type: "streaming_session_started", session: {
  session_id: "s1", universe: "market_leaders:top_500", started_at: "2025-10-05T13:30:00Z", symbol_count: 500, status: "active", ...over } });
export const stopped = (over = {}) => ({ type: "streaming_session_stopped", session: {
  session_id: "s1", stopped_at: "2025-10-05T20:00:00Z", duration_seconds: 23400, total_patterns: 1250, total_indicators: 45000, ...over } });

/** Minute n of the session as an ISO timestamp (distinct detections). */
export const minute = (n) => new Date(Date.UTC(2025, 9, 5, 13, 30) + n * 60000).toISOString().replace(".000Z", "Z");
