// Applies the stored theme before first paint (a classic script in <head>, CSP-safe), so a
// dark-theme reader never sees a white flash; js/theme.js takes over once modules load.
(function () {
  var pref = "system";
  try {
    pref = localStorage.getItem("tickstock.theme") || "system";
  } catch (e) {
    pref = "system";
  }
  var dark = pref === "dark" || (pref !== "light" && window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.setAttribute("data-theme", dark ? "dark" : "light");
})();
