/** The routes of the single-page app and the section mounted for each. */
import { chartSection } from "./chart.js";
import { alertsSection, historySection } from "./history.js";
import { marketSection } from "./market.js";
import { sessionsSection } from "./sessions.js";
import { settingsSection } from "./settings.js";
import { streamingSection } from "./streaming.js";
import { symbolSection } from "./symbol.js";

const CHARTS_URL = "/vendor/lightweight-charts/lightweight-charts.standalone.production.mjs";

/** @param {any} app */
export function sections(app) {
  return {
    streaming: streamingSection(app, () => import(CHARTS_URL)),
    market: marketSection(app),
    history: historySection(app),
    alerts: alertsSection(app),
    sessions: sessionsSection(app),
    settings: settingsSection(app),
    chart: chartSection(app, () => import(CHARTS_URL)),
    symbol: symbolSection(app, () => import(CHARTS_URL)),
  };
}
