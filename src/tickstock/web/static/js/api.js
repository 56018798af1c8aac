/**
 * The REST API client: JSON in, `ApiError` (with the server's `{error, detail}`) out, and
 * a loading state on the panel that asked, so every call shows that it is under way.
 */

export class ApiError extends Error {
  /** @param {number} status @param {string} error @param {string} detail */
  constructor(status, error, detail) {
    super(detail ? `${error}: ${detail}` : error);
    this.status = status;
    this.error = error;
    this.detail = detail;
  }
}

/**
 * @param {string} path
 * @param {Record<string, unknown>} [params]  empty / null values are left out
 */
export function buildUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/**
 * @param {{fetch: typeof fetch, getToken?: () => string|null}} deps
 */
export function createApi({ fetch: fetcher, getToken }) {
  /**
   * @param {string} path
   * @param {Record<string, unknown>} [params]
   * @param {{signal?: AbortSignal}} [options]
   */
  async function get(path, params, options = {}) {
    const headers = { Accept: "application/json" };
    const token = getToken?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetcher(buildUrl(path, params), { headers, signal: options.signal, credentials: "same-origin" });
    } catch (err) {
      if (err && err.name === "AbortError") throw err;
      throw new ApiError(0, "network_error", "The server could not be reached.");
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (!response.ok) {
      throw new ApiError(response.status, body?.error || `http_${response.status}`, body?.detail || response.statusText || "");
    }
    return body;
  }
  return { get };
}

/**
 * Marks `panel` busy while `promise` runs (aria-busy + `is-loading`), and returns it.
 * @template T
 * @param {HTMLElement} panel
 * @param {Promise<T>} promise
 * @returns {Promise<T>}
 */
export async function withLoading(panel, promise) {
  panel.setAttribute("aria-busy", "true");
  panel.classList.add("is-loading");
  try {
    return await promise;
  } finally {
    panel.removeAttribute("aria-busy");
    panel.classList.remove("is-loading");
  }
}

/** The list of items in a paginated or bare-list answer. @returns {any[]} */
export function itemsOf(body) {
  if (Array.isArray(body)) return body;
  for (const key of ["items", "sessions", "patterns", "bars", "data", "alerts", "indicators"]) {
    if (Array.isArray(body?.[key])) return body[key];
  }
  return [];
}
