/**
 * CSV export of the alerts list, built in the browser. Cells are RFC 4180 quoted, and a
 * text cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed
 * with an apostrophe (OWASP "CSV injection").
 */

const FORMULA_START = /^[=+\-@\t\r]/;
export const ALERT_COLUMNS = ["timestamp", "symbol", "alert_type", "indicator", "value", "threshold"];

/** @param {unknown} value */
export function csvCell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text)) text = `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** @param {unknown[][]} rows */
export function toCsv(rows) {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/**
 * @param {Array<{timestamp: string, symbol: string, alert_type: string, data: Record<string, any>}>} alerts
 */
export function alertsToCsv(alerts) {
  return toCsv([
    ALERT_COLUMNS,
    ...alerts.map((a) => [a.timestamp, a.symbol, a.alert_type, a.data?.indicator, a.data?.value, a.data?.threshold]),
  ]);
}

/**
 * Offers `text` as a file download.
 * @param {Document} doc
 * @param {string} text
 * @param {string} filename
 */
export function downloadCsv(doc, text, filename) {
  const win = /** @type {Window & typeof globalThis} */ (doc.defaultView);
  const url = win.URL.createObjectURL(new win.Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = doc.createElement("a");
  link.href = url;
  link.download = filename;
  doc.body.append(link);
  link.click();
  link.remove();
  win.setTimeout(() => win.URL.revokeObjectURL(url), 0);
}
