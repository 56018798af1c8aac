/**
 * Light / dark theme: `data-theme` on <html> selects the CSS variables. The preference
 * ("system", "light" or "dark") is kept in localStorage; "system" follows the OS setting
 * live through `prefers-color-scheme`.
 */

export const THEME_KEY = "tickstock.theme";
export const THEME_CHOICES = Object.freeze(["system", "light", "dark"]);
const DARK_QUERY = "(prefers-color-scheme: dark)";

/**
 * @param {{root: HTMLElement, storage: Storage|null, matchMedia: ((q: string) => MediaQueryList)|null}} deps
 */
export function createTheme({ root, storage, matchMedia }) {
  const media = matchMedia ? matchMedia(DARK_QUERY) : null;
  let preference = readPreference(storage);

  function apply() {
    const dark = preference === "dark" || (preference === "system" && Boolean(media?.matches));
    root.dataset.theme = dark ? "dark" : "light";
    root.dataset.themePreference = preference;
  }

  const onMediaChange = () => {
    if (preference === "system") apply();
  };
  media?.addEventListener?.("change", onMediaChange);
  apply();

  return {
    get preference() {
      return preference;
    },
    get applied() {
      return root.dataset.theme;
    },
    /** @param {string} choice */
    set(choice) {
      preference = THEME_CHOICES.includes(choice) ? choice : "system";
      try {
        storage?.setItem(THEME_KEY, preference);
      } catch {
        // Storage may be full or disabled (private mode): the theme still applies now.
      }
      apply();
    },
    /** system → light → dark → system */
    cycle() {
      this.set(THEME_CHOICES[(THEME_CHOICES.indexOf(preference) + 1) % THEME_CHOICES.length]);
    },
    destroy() {
      media?.removeEventListener?.("change", onMediaChange);
    },
  };
}

/** @param {Storage|null} storage */
function readPreference(storage) {
  try {
    const value = storage?.getItem(THEME_KEY);
    return value && THEME_CHOICES.includes(value) ? value : "system";
  } catch {
    return "system";
  }
}
