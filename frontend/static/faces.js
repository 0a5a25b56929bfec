// The studio's face search page: the indexing's progress ("812 of 1,040
// photos") follows the workers, and the page reloads once to show the
// people when it is done. The page works without this file.
"use strict";
(() => {
  document.addEventListener("DOMContentLoaded", () => {
    const box = document.querySelector("[data-face-progress]");
    if (!box || box.dataset.done === "true") return;
    const text = box.querySelector("[data-face-progress-text]");
    const people = box.querySelector("[data-face-people]");
    const bar = box.querySelector("[data-face-progress-bar]");
    const poll = async () => {
      const res = await fetch(box.dataset.faceProgress, { headers: { Accept: "application/json" } }).catch(() => null);
      const p = res && res.ok ? await res.json() : null;
      if (p) {
        text.textContent = p.text;
        people.textContent = `${p.faces} faces, ${p.people} people`;
        bar.value = p.percent;
        if (p.done) {
          location.reload();
          return;
        }
      }
      setTimeout(poll, 2000);
    };
    setTimeout(poll, 1500);
  });
})();
