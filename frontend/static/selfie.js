// The selfie page of face search: the device camera inside the page (no
// file picker), its preview in a circle, one button. The picture is drawn
// from the video onto a canvas and posted as a JPEG body; the server
// decodes and embeds it in memory and keeps nothing of it. While it looks,
// the page says through how many photos.
"use strict";
(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";
  // The long edge sent: enough for a face to fill ~200 px, small enough
  // for a phone on a poor line and under the server's body limit.
  const maxSide = 1280;

  function start(page) {
    const video = $("[data-video]", page);
    const note = $("[data-camera-note]", page);
    const shutter = $("[data-shutter]", page);
    const status = $("[data-status]", page);
    const problem = $("[data-problem]", page);
    let stream = null;

    const say = (msg) => { status.textContent = msg; };
    const fail = (msg) => {
      problem.textContent = msg;
      problem.hidden = !msg;
    };

    async function open() {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        note.textContent = "This browser cannot open the camera here. Open the link in your phone's own browser.";
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false });
      } catch (e) {
        note.textContent = e && e.name === "NotAllowedError"
          ? "The camera is blocked. Allow this page to use the camera in your browser's settings, then reload."
          : "We could not open a camera. Check that one is connected and not in use, then reload.";
        return;
      }
      video.srcObject = stream;
      await video.play().catch(() => {});
      note.hidden = true;
      page.classList.add("live");
      shutter.disabled = false;
      shutter.focus();
    }

    // snap draws the current frame, at most maxSide on its long edge, as
    // the camera sees it (not mirrored like the preview).
    function snap() {
      const w = video.videoWidth, h = video.videoHeight;
      const k = Math.min(1, maxSide / Math.max(w, h));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(w * k);
      canvas.height = Math.round(h * k);
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      return new Promise((resolve) => canvas.toBlob((b) => {
        canvas.width = canvas.height = 0; // drop the pixels
        resolve(b);
      }, "image/jpeg", 0.92));
    }

    async function search() {
      if (!video.videoWidth) return;
      shutter.disabled = true;
      shutter.setAttribute("aria-busy", "true");
      fail("");
      page.classList.add("looking");
      say(`Looking through ${page.dataset.photos} photos…`);
      const blob = await snap();
      let res, body;
      try {
        res = await fetch(page.dataset.searchUrl, {
          method: "POST", body: blob, credentials: "same-origin",
          headers: { "Content-Type": "image/jpeg", Accept: "application/json", "X-CSRF-Token": csrf() },
        });
        body = await res.json().catch(() => ({}));
      } catch {
        res = null;
      }
      page.classList.remove("looking");
      shutter.removeAttribute("aria-busy");
      if (res && res.ok) {
        say(body.text);
        if (stream) stream.getTracks().forEach((t) => t.stop());
        location.href = body.url;
        return;
      }
      say("");
      fail(res ? body.detail || "That did not work. Try again." : "No connection. Check your network and try again.");
      shutter.disabled = res && res.status === 429;
      if (!shutter.disabled) shutter.focus();
    }

    shutter.addEventListener("click", search);
    window.addEventListener("pagehide", () => { if (stream) stream.getTracks().forEach((t) => t.stop()); });
    open();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const page = $("[data-selfie]");
    if (page) start(page);
  });
})();
