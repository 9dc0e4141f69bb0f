// Fill an empty time zone field with the browser's own zone (Intl), so a teacher rarely types one.
document.addEventListener("DOMContentLoaded", () => {
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  for (const input of document.querySelectorAll("input[data-browser-timezone]")) {
    if (!input.value && zone) input.value = zone;
  }
});
