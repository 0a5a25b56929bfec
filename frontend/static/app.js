// Small progressive enhancements; every page works without this file.
"use strict";

// paint places placeholder colours behind photos and annotation marks on
// them. The Content-Security-Policy forbids inline style attributes, so
// colours and positions travel in data attributes and are set here
// through the CSSOM, which the policy allows. guest.js calls it again on
// what it draws.
function paint(root) {
  root.querySelectorAll("[data-placeholder]").forEach((el) => {
    if (/^#[0-9a-f]{6}$/i.test(el.dataset.placeholder)) el.style.backgroundColor = el.dataset.placeholder;
  });
  root.querySelectorAll(".mark[data-x]").forEach((el) => {
    el.style.left = el.dataset.x + "%";
    el.style.top = el.dataset.y + "%";
    if (el.classList.contains("mark-rect")) {
      el.style.width = el.dataset.w + "%";
      el.style.height = el.dataset.h + "%";
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  paint(document);
  // Destructive buttons name what will be lost and ask first.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (e) => {
      if (!window.confirm(el.dataset.confirm)) e.preventDefault();
    });
  });
  // Copy buttons for secrets shown once.
  document.querySelectorAll("[data-copy]").forEach((btn) => {
    btn.addEventListener("click", async () => {
      const src = document.getElementById(btn.dataset.copy);
      if (!src) return;
      try {
        await navigator.clipboard.writeText(src.textContent.trim());
        btn.textContent = "Copied";
      } catch {
        btn.textContent = "Select and copy";
      }
    });
  });
  // The phone's More sheet closes with Escape, like other menus.
  document.addEventListener("keydown", (e) => {
    const more = document.querySelector(".nav-more[open]");
    if (e.key === "Escape" && more) {
      more.open = false;
      more.querySelector("summary").focus();
    }
  });
  // A form shows it is working while the server answers.
  document.querySelectorAll("form").forEach((f) => {
    f.addEventListener("submit", () => {
      const b = f.querySelector("button[type=submit]");
      if (b) { b.setAttribute("aria-busy", "true"); }
    });
  });
});
