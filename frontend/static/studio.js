// The web studio's gallery pages: folder tabs, drag-and-drop uploads with
// a progress list and rendition progress. Placeholder colours and
// annotation marks are placed by app.js (paint), for guests as well.
"use strict";
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";
  const count = new Intl.NumberFormat(document.documentElement.lang || "en");

  // Folder tabs switch without a page load, so uploads in flight go on.
  // Without this script each tab is a link that opens the folder.
  function tabs(page) {
    const list = $("[data-tabs]", page);
    const all = list ? $$("[role=tab]", list) : [];
    const select = (tab, focus) => {
      all.forEach((t) => {
        const on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        const panel = document.getElementById(t.getAttribute("aria-controls"));
        if (panel) panel.hidden = !on;
      });
      if (focus) tab.focus();
      const u = new URL(location.href);
      u.searchParams.set("folder", tab.dataset.folder);
      history.replaceState(null, "", u.pathname + u.search + "#photos");
      $$("[data-upload-folder]").forEach((el) => { el.textContent = tab.dataset.folderName; });
    };
    all.forEach((tab, i) => {
      tab.addEventListener("click", (e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        select(tab, false);
      });
      tab.addEventListener("keydown", (e) => {
        const to = { ArrowRight: (i + 1) % all.length, ArrowLeft: (i - 1 + all.length) % all.length, Home: 0, End: all.length - 1 }[e.key];
        if (to === undefined) return;
        e.preventDefault();
        select(all[to], true);
      });
    });
    return () => all.find((t) => t.getAttribute("aria-selected") === "true") || all[0];
  }

  // Rendition progress: while photos process, ask every 2 seconds how far
  // it got, update the bar, and swap finished tiles to their thumbnails.
  function progress(page) {
    const box = $("[data-progress]", page);
    const text = $("[data-progress-text]", page);
    const bar = $("[data-progress-bar]", page);
    const failedBox = $("[data-failed]", page);
    const failedList = $("[data-failed-list]", page);
    let timer = null;
    const schedule = (ms) => { if (!timer) timer = setTimeout(poll, ms); };
    async function poll() {
      timer = null;
      if (document.hidden) { schedule(5000); return; }
      let p;
      try {
        const r = await fetch(page.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!r.ok) throw new Error(r.status);
        p = await r.json();
      } catch {
        schedule(10000);
        return;
      }
      text.textContent = p.text;
      bar.max = Math.max(p.total, 1);
      bar.value = p.ready;
      box.hidden = p.processing === 0;
      if (p.complete) settle(p);
      failedBox.hidden = p.failed_photos.length === 0;
      failedList.replaceChildren(...p.failed_photos.map((f) => {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = location.pathname + "/photos/" + f.id;
        a.textContent = f.filename;
        li.append(a, ": " + f.failure);
        return li;
      }));
      if (p.processing > 0) schedule(2000);
    }
    // settle updates the tiles no longer processing (the lists are whole).
    function settle(p) {
      const processing = new Set(p.processing_ids);
      const failed = new Map(p.failed_photos.map((f) => [f.id, f]));
      $$('.tile[data-status="processing"]', page).forEach((tile) => {
        const id = tile.dataset.photo;
        if (!id || processing.has(id)) return;
        const wait = $("[data-tile-wait]", tile);
        if (failed.has(id)) {
          tile.dataset.status = "failed";
          if (wait) wait.textContent = "Could not be processed";
          const why = document.createElement("span");
          why.className = "tile-failure";
          why.textContent = failed.get(id).failure;
          tile.append(why);
          return;
        }
        tile.dataset.status = "ready";
        const img = new Image();
        img.alt = $(".tile-name", tile).textContent;
        img.decoding = "async";
        img.src = $(".tile-link", tile).getAttribute("href") + "/thumb";
        if (wait) wait.replaceWith(img);
      });
    }
    if (Number(page.dataset.processing) > 0) schedule(2000);
    return { kick: () => { box.hidden = false; schedule(1500); } };
  }

  // Uploads: each file is its own request (multipart, one file), three at
  // a time; a failed one can be sent again alone.
  function uploads(page, openTab, rendering) {
    const input = $("[data-upload-input]", page);
    const box = $("[data-upload-box]", page);
    const list = $("[data-upload-list]", page);
    const overall = $("[data-upload-overall]", page);
    const summary = $("[data-upload-summary]", page);
    const rowTemplate = $("#upload-row-template");
    const tileTemplate = $("#tile-template");
    const inFlight = 3;
    const jobs = [];
    let running = 0;

    function add(files) {
      const tab = openTab();
      if (!tab || !files.length) return;
      for (const file of files) {
        const row = rowTemplate.content.firstElementChild.cloneNode(true);
        $("[data-name]", row).textContent = file.name;
        const job = { file, url: tab.dataset.uploadUrl, folder: tab.dataset.folder, row, loaded: 0, state: "waiting" };
        $("[data-retry]", row).addEventListener("click", () => { job.loaded = 0; set(job, "waiting", "Waiting"); pump(); });
        list.append(row);
        jobs.push(job);
      }
      box.hidden = false;
      pump();
    }
    function set(job, state, text, error) {
      job.state = state;
      job.row.dataset.state = state;
      $("[data-state-text]", job.row).textContent = text;
      $("[data-error]", job.row).textContent = error || "";
      $("[data-retry]", job.row).hidden = state !== "failed" || job.final;
      $("[data-bar]", job.row).value = job.loaded;
      total();
    }
    function pump() {
      while (running < inFlight) {
        const job = jobs.find((j) => j.state === "waiting");
        if (!job) break;
        send(job);
      }
      total();
    }
    function send(job) {
      running++;
      job.final = false;
      set(job, "sending", "Uploading");
      const xhr = new XMLHttpRequest();
      const body = new FormData();
      body.append("file", job.file, job.file.name);
      xhr.open("POST", job.url);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", (e) => {
        if (!e.lengthComputable) return;
        job.loaded = e.loaded / e.total;
        $("[data-bar]", job.row).value = job.loaded;
        total();
      });
      xhr.addEventListener("load", () => { running--; done(job, xhr); pump(); });
      xhr.addEventListener("error", () => {
        running--;
        set(job, "failed", "Failed", "The connection broke off. Check the network, then retry.");
        pump();
      });
      xhr.send(body);
    }
    function done(job, xhr) {
      let answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch { /* not JSON: a page */ }
      if (xhr.status === 201 && answer) {
        job.loaded = 1;
        set(job, "done", "Uploaded");
        addTile(job.folder, answer);
        rendering.kick();
        return;
      }
      // Sending the same file again cannot help with these.
      job.final = [409, 413, 415, 422].includes(xhr.status);
      set(job, "failed", job.final ? "Refused" : "Failed", why(xhr, answer));
    }
    function why(xhr, answer) {
      if (answer && answer.detail) return answer.detail;
      if ((xhr.responseURL || "").includes("/login")) return "You were signed out. Sign in again in another tab, then retry.";
      if (xhr.status === 403) return "This page has expired. Reload it, then upload the file again.";
      if (xhr.status === 413) return "The file is too large for this server.";
      return "The server could not take the file (error " + xhr.status + "). Retry in a moment.";
    }
    function total() {
      const settled = jobs.filter((j) => j.state === "done" || j.state === "failed");
      const ok = jobs.filter((j) => j.state === "done").length;
      const failed = settled.length - ok;
      overall.max = Math.max(jobs.length, 1);
      overall.value = jobs.reduce((sum, j) => sum + (j.state === "failed" ? 1 : j.loaded), 0);
      let s = count.format(ok) + " of " + count.format(jobs.length) + " uploaded";
      if (failed) s += ", " + count.format(failed) + " failed";
      summary.textContent = s + (settled.length < jobs.length ? "…" : ".");
    }
    function addTile(folder, photo) {
      const panel = document.querySelector('[data-panel="' + folder + '"]');
      if (!panel || !tileTemplate) return;
      const tile = tileTemplate.content.firstElementChild.cloneNode(true);
      tile.dataset.photo = photo.id;
      tile.dataset.status = photo.status;
      const box = $("[data-select]", tile);
      if (box) {
        box.value = photo.id;
        $(".sr-only", tile).textContent = "Select " + photo.filename;
      }
      $(".tile-link", tile).href = photo.url;
      $(".tile-name", tile).textContent = photo.filename;
      $("[data-grid]", panel).append(tile);
      $("[data-grid]", panel).hidden = false;
      $("[data-empty]", panel).hidden = true;
      const tab = document.getElementById("tab-" + folder);
      const n = tab && $("[data-count]", tab);
      if (n) n.textContent = String(Number(n.textContent) + 1);
    }

    input.addEventListener("change", () => { add(Array.from(input.files)); input.value = ""; });
    // Drop anywhere on the page; the overlay says where the files go.
    const overlay = $("[data-drop-overlay]");
    let depth = 0;
    const carriesFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types).includes("Files");
    document.addEventListener("dragenter", (e) => {
      if (!carriesFiles(e)) return;
      depth++;
      $("[data-drop-folder]", overlay).textContent = openTab().dataset.folderName;
      overlay.hidden = false;
    });
    document.addEventListener("dragover", (e) => { if (carriesFiles(e)) e.preventDefault(); });
    document.addEventListener("dragleave", (e) => {
      if (!carriesFiles(e)) return;
      depth = Math.max(depth - 1, 0);
      if (depth === 0) overlay.hidden = true;
    });
    document.addEventListener("drop", (e) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth = 0;
      overlay.hidden = true;
      add(Array.from(e.dataTransfer.files));
    });
    // Leaving the page stops the uploads: ask first.
    window.addEventListener("beforeunload", (e) => {
      if (jobs.some((j) => j.state === "waiting" || j.state === "sending")) {
        e.preventDefault();
        e.returnValue = "";
      }
    });
  }

  // Bulk actions: say how many are ticked, in the confirmation too.
  function bulk(page) {
    const form = $("[data-bulk]", page);
    if (!form) return;
    const label = $("[data-bulk-count]", form);
    const del = $("[data-bulk-delete]", form);
    const base = del.dataset.confirm;
    const buttons = $$("button", form);
    const update = () => {
      const n = $$("[data-select]:checked", page).length;
      const what = n === 1 ? "1 photo" : count.format(n) + " photos";
      label.textContent = n ? what + " ticked" : "Tick photos to move or delete them.";
      del.dataset.confirm = base.replace("the ticked photos", what);
      buttons.forEach((b) => { b.disabled = n === 0; });
    };
    page.addEventListener("change", (e) => { if (e.target.matches("[data-select]")) update(); });
    update();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const page = $("[data-album-page]");
    if (!page) return;
    const openTab = tabs(page);
    const rendering = progress(page);
    uploads(page, openTab, rendering);
    bulk(page);
  });
})();
