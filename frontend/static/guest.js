// The guest pages' enhancements: the lightbox (arrows, keyboard, swipe,
// the next photo preloaded), favourites without a page load, the name
// asked once, notes drawn on a photo, and a prepared zip's progress.
// Every page works without this file: tiles are links, hearts are forms.
// The server answers these requests with JSON because they ask for it.
"use strict";
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";

  function toast(msg) {
    const el = $("[data-toast]");
    if (!el) return;
    el.textContent = msg;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, 5000);
  }

  // send posts fields as a form and reads the JSON answer. A problem
  // (RFC 9457) comes back as {ok: false, problem}.
  async function send(url, fields, method = "POST") {
    const init = { method, headers: { Accept: "application/json", "X-CSRF-Token": csrf() }, credentials: "same-origin" };
    if (fields) init.body = new URLSearchParams(fields);
    let res;
    try {
      res = await fetch(url, init);
    } catch {
      return { ok: false, problem: { detail: "No connection. Check your network and try again." } };
    }
    const body = await res.json().catch(() => ({}));
    return res.ok ? { ok: true, body } : { ok: false, status: res.status, problem: body };
  }
  const needsName = (r) => !r.ok && r.status === 409 && r.problem.errors && r.problem.errors.name;

  // The name and e-mail, asked once per link before the first favourite
  // or note. Resolves true once given, false if the guest says not now.
  function askName() {
    const dlg = $("[data-identify]");
    if (!dlg) return Promise.resolve(false);
    const form = $("[data-identify-form]", dlg);
    const err = $("[data-identify-error]", dlg);
    return new Promise((resolve) => {
      const done = (ok) => {
        form.removeEventListener("submit", submit);
        dlg.removeEventListener("close", closed);
        if (dlg.open) dlg.close();
        resolve(ok);
      };
      const closed = () => done(false);
      const submit = async (e) => {
        e.preventDefault();
        const r = await send(form.action, new FormData(form));
        if (r.ok) return done(true);
        err.textContent = Object.values(r.problem.errors || {})[0] || r.problem.detail || "Check your name and e-mail.";
        err.hidden = false;
      };
      form.addEventListener("submit", submit);
      dlg.addEventListener("close", closed);
      $("[data-dialog-close]", dlg).onclick = () => done(false);
      err.hidden = true;
      dlg.showModal();
    });
  }

  // withName runs a request and, if the server wants the guest's name
  // first, asks for it and runs it once more.
  async function withName(request) {
    let r = await request();
    if (needsName(r) && await askName()) r = await request();
    return r;
  }

  // Favourites. Every heart of a photo (tile, lightbox, photo page) shows
  // the same state; the count in the header follows.
  function showFav(id, on) {
    $$(`[data-photo="${id}"]`).forEach((el) => {
      el.toggleAttribute("data-fav", on);
      $$("[data-fav-button]", el).forEach((b) => b.setAttribute("aria-pressed", String(on)));
      $$("[data-fav-on]", el).forEach((i) => { i.value = on ? "0" : "1"; });
      $$("[data-fav-label]", el).forEach((l) => { l.textContent = on ? "Chosen" : "Choose this photo"; });
    });
  }

  function showChoice(c) {
    $$("[data-choice-text]").forEach((el) => { el.textContent = c.text; });
    $$("[data-choice]").forEach((el) => {
      el.hidden = c.count === 0 && !c.limit;
      el.classList.toggle("full", !!c.limit && c.count >= c.limit);
    });
  }

  async function favourite(id, url, on) {
    const r = await withName(() => send(url, { on: on ? "1" : "0" }));
    if (!r.ok) {
      if (!needsName(r)) toast(r.problem.detail || "That did not work. Try again.");
      return false;
    }
    showFav(id, r.body.on);
    showChoice(r.body);
    toast(r.body.on ? "Added to your favourites · " + r.body.text : "Removed from your favourites");
    return true;
  }

  function favForms() {
    document.addEventListener("submit", (e) => {
      const form = e.target.closest(".g-tile-fav, .g-photo-fav");
      if (!form) return;
      e.preventDefault();
      const holder = form.closest("[data-photo]");
      favourite(holder.dataset.photo, form.action, !holder.hasAttribute("data-fav"));
    });
  }

  // Drawing a note's mark: a drag marks an area, a tap a point, both in
  // fractions of the photo. done gets {kind, x, y, w, h}.
  function drawOn(figure, done) {
    let start = null;
    let draft = null;
    const at = (e) => {
      const r = figure.getBoundingClientRect();
      return { x: Math.min(Math.max((e.clientX - r.left) / r.width, 0), 1), y: Math.min(Math.max((e.clientY - r.top) / r.height, 0), 1) };
    };
    const place = (a, b) => {
      const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
      Object.assign(draft.style, { left: x * 100 + "%", top: y * 100 + "%", width: Math.abs(a.x - b.x) * 100 + "%", height: Math.abs(a.y - b.y) * 100 + "%" });
    };
    const down = (e) => {
      if (!figure.classList.contains("drawing") || e.button > 0) return;
      e.preventDefault();
      figure.setPointerCapture(e.pointerId);
      start = at(e);
      if (draft) draft.remove();
      draft = document.createElement("div");
      draft.className = "g-draft";
      figure.appendChild(draft);
      place(start, start);
    };
    const move = (e) => { if (start) place(start, at(e)); };
    const up = (e) => {
      if (!start) return;
      const end = at(e);
      const a = start;
      start = null;
      const w = Math.abs(a.x - end.x), h = Math.abs(a.y - end.y);
      if (w < 0.02 && h < 0.02) {
        draft.remove();
        draft = null;
        return done({ kind: "point", x: end.x, y: end.y, w: 0, h: 0 });
      }
      done({ kind: "rect", x: Math.min(a.x, end.x), y: Math.min(a.y, end.y), w, h });
    };
    figure.addEventListener("pointerdown", down);
    figure.addEventListener("pointermove", move);
    figure.addEventListener("pointerup", up);
    return () => { if (draft) { draft.remove(); draft = null; } };
  }

  const round = (f) => String(Math.round(f * 10000) / 10000);

  // The photo page's note form: the mark drawn on the photo fills its
  // hidden fields; without the script a note is about the whole photo.
  function photoNotes() {
    const form = $("[data-note-form]");
    const figure = $("[data-annotated]");
    if (!form || !figure) return;
    figure.classList.add("drawing");
    drawOn(figure, (m) => {
      $("[data-note-kind]", form).value = m.kind;
      [["x", m.x], ["y", m.y], ["w", m.w], ["h", m.h]].forEach(([k, v]) => { $(`[data-note-${k}]`, form).value = round(v); });
      $("[data-note-where]", form).textContent = m.kind === "point" ? "This note is about the marked point." : "This note is about the marked area.";
      $("textarea", form).focus();
    });
    $("[data-note-where]", form).textContent = "Drag on the photo to mark an area or tap a point; without a mark the note is about the whole photo.";
  }

  // Arrow keys walk the photo pages.
  function photoKeys() {
    const prev = $("[data-prev]"), next = $("[data-next]");
    if (!prev && !next) return;
    document.addEventListener("keydown", (e) => {
      if (e.target.closest("input, textarea, select, dialog") || e.metaKey || e.ctrlKey || e.altKey) return;
      const to = { ArrowLeft: prev, ArrowRight: next }[e.key];
      if (to) location.href = to.href;
    });
  }

  // A prepared zip: poll until it is ready, then start the download.
  function zipStatus() {
    const box = $("[data-zip-status]");
    if (!box) return;
    const poll = async () => {
      const res = await fetch(box.dataset.zipStatus, { headers: { Accept: "application/json" } }).catch(() => null);
      const s = res && res.ok ? await res.json() : null;
      if (s) $("[data-zip-text]", box).textContent = s.text;
      if (s && s.status === "ready") {
        $("[data-zip-spinner]", box).hidden = true;
        $("[data-zip-ready]", box).hidden = false;
        location.href = s.download_url;
        return;
      }
      if (s && s.status === "failed") {
        $("[data-zip-spinner]", box).hidden = true;
        return;
      }
      setTimeout(poll, 2000);
    };
    setTimeout(poll, 1500);
  }

  document.addEventListener("DOMContentLoaded", () => {
    favForms();
    photoNotes();
    photoKeys();
    zipStatus();
    const lb = $("[data-lightbox]");
    const grid = $("[data-grid]");
    if (lb && grid) window.proofsheetLightbox = lightbox(lb, grid);
  });

  // The lightbox over a grid of tiles.
  function lightbox(dlg, grid) {
    const tiles = () => $$(".g-tile", grid);
    const img = $("[data-lb-img]", dlg);
    const figure = $("[data-lb-figure]", dlg);
    const marks = $("[data-lb-marks]", dlg);
    const favBtn = $("[data-lb-fav]", dlg);
    const annotateBtn = $("[data-lb-annotate]", dlg);
    const noteForm = $("[data-lb-note]", dlg);
    const notesList = $("[data-lb-notes]", dlg);
    let index = 0;
    let mark = null;
    let clearDraft = () => {};

    const current = () => tiles()[index];
    function preload(i) {
      const t = tiles()[i];
      if (t) new Image().src = t.dataset.preview;
    }
    function link(sel, href) {
      const a = $(sel, dlg);
      a.hidden = !href;
      if (href) a.href = href;
    }
    function show(i) {
      const all = tiles();
      index = (i + all.length) % all.length;
      const t = all[index];
      drawing(false);
      img.alt = t.dataset.name;
      $("[data-lb-wait]", dlg).hidden = false;
      img.onload = () => { $("[data-lb-wait]", dlg).hidden = true; };
      img.src = t.dataset.preview;
      figure.dataset.placeholder = t.dataset.placeholder || "";
      paint(dlg);
      $("[data-lb-pos]", dlg).textContent = `${index + 1} of ${all.length}`;
      favBtn.hidden = !t.dataset.favUrl; // face search results have no favourites
      syncFav();
      link("[data-lb-web]", t.dataset.web);
      link("[data-lb-original]", t.dataset.original);
      link("[data-lb-page]", t.dataset.page);
      loadNotes(t);
      preload(index + 1);
      preload(index - 1);
    }
    function syncFav() {
      const on = current().hasAttribute("data-fav");
      favBtn.setAttribute("aria-pressed", String(on));
      $("[data-lb-fav-text]", dlg).textContent = on ? "Chosen" : "Favourite";
    }
    function open(t) {
      show(tiles().indexOf(t));
      if (!dlg.open) dlg.showModal();
    }

    // Notes: drawn over the photo and listed, for a guest with the edit PIN.
    async function loadNotes(t) {
      marks.replaceChildren();
      if (notesList) notesList.replaceChildren();
      if (!t.dataset.notes) return;
      const res = await fetch(t.dataset.notes, { headers: { Accept: "application/json" } }).catch(() => null);
      if (!res || !res.ok || current() !== t) return;
      const { annotations } = await res.json();
      annotations.forEach((n) => {
        const m = document.createElement("span");
        m.className = `mark mark-${n.shape}${n.status === "resolved" ? " resolved" : ""}`;
        Object.assign(m.dataset, { x: n.x * 100, y: n.y * 100, w: n.w * 100, h: n.h * 100 });
        m.appendChild(document.createElement("span")).textContent = n.n;
        marks.appendChild(m);
        const li = document.createElement("li");
        li.appendChild(document.createElement("strong")).textContent = `${n.n}. ${n.mine ? "You" : n.author}`;
        li.appendChild(document.createElement("p")).textContent = n.note;
        n.replies.forEach((r) => { li.appendChild(document.createElement("p")).textContent = `${r.author}: ${r.body}`; });
        notesList.appendChild(li);
      });
      paint(marks);
    }
    function drawing(on) {
      if (!annotateBtn) return;
      figure.classList.toggle("drawing", on);
      annotateBtn.setAttribute("aria-pressed", String(on));
      $("[data-lb-hint]", dlg).hidden = !on;
      if (!on) {
        noteForm.hidden = true;
        mark = null;
        clearDraft();
      }
    }
    if (annotateBtn) {
      clearDraft = drawOn(figure, (m) => {
        mark = m;
        $("[data-lb-hint]", dlg).hidden = true;
        $("[data-lb-note-error]", dlg).hidden = true;
        noteForm.hidden = false;
        $("textarea", noteForm).focus();
      });
      annotateBtn.addEventListener("click", () => drawing(annotateBtn.getAttribute("aria-pressed") !== "true"));
      $("[data-lb-note-cancel]", dlg).addEventListener("click", () => drawing(false));
      noteForm.addEventListener("submit", async (e) => {
        e.preventDefault();
        const t = current();
        const note = $("textarea", noteForm).value;
        const fields = { kind: mark.kind, x: round(mark.x), y: round(mark.y), w: round(mark.w), h: round(mark.h), note };
        const r = await withName(() => send(t.dataset.notes, fields));
        if (!r.ok) {
          const err = $("[data-lb-note-error]", dlg);
          err.textContent = r.problem.detail || "The note was not saved. Try again.";
          err.hidden = needsName(r);
          return;
        }
        $("textarea", noteForm).value = "";
        drawing(false);
        toast("Your note is saved. The photographer will see it.");
        loadNotes(t);
      });
    }

    favBtn.addEventListener("click", () => {
      const t = current();
      favourite(t.dataset.photo, t.dataset.favUrl, !t.hasAttribute("data-fav")).then(syncFav);
    });
    $("[data-lb-prev]", dlg).addEventListener("click", () => show(index - 1));
    $("[data-lb-next]", dlg).addEventListener("click", () => show(index + 1));
    $("[data-lb-close]", dlg).addEventListener("click", () => dlg.close());
    dlg.addEventListener("close", () => {
      drawing(false);
      const t = current();
      if (t) $("[data-open]", t).focus();
    });
    dlg.addEventListener("keydown", (e) => {
      if (e.target.closest("textarea, input")) return;
      if (e.key === "ArrowLeft") show(index - 1);
      if (e.key === "ArrowRight") show(index + 1);
    });
    // Swipe on phones: a mostly sideways stroke changes photo.
    let touch = null;
    const stage = $("[data-lb-stage]", dlg);
    stage.addEventListener("pointerdown", (e) => { touch = figure.classList.contains("drawing") ? null : { x: e.clientX, y: e.clientY }; });
    stage.addEventListener("pointerup", (e) => {
      if (!touch) return;
      const dx = e.clientX - touch.x, dy = e.clientY - touch.y;
      touch = null;
      if (Math.abs(dx) > 50 && Math.abs(dx) > 1.5 * Math.abs(dy)) show(dx < 0 ? index + 1 : index - 1);
    });
    grid.addEventListener("click", (e) => {
      const a = e.target.closest("[data-open]");
      if (!a || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      open(a.closest(".g-tile"));
    });
    return { open: (i) => open(tiles()[i]), show };
  }
})();
