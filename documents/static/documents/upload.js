// The admin's upload page (upload.html): drop PDFs on the zone, then poll the status of the
// documents not yet ready or failed, once a second. A static file, not an inline script, so
// the admin's Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  const zone = document.getElementById("drop-zone");
  const input = document.getElementById("id_files");
  const chosen = document.getElementById("chosen");
  function show() {
    chosen.textContent = Array.from(input.files).map(f => f.name).join(", ");
  }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(e => zone.addEventListener(e, ev => {
    ev.preventDefault(); zone.classList.add("over");
  }));
  ["dragleave", "drop"].forEach(e => zone.addEventListener(e, ev => {
    ev.preventDefault(); zone.classList.remove("over");
  }));
  zone.addEventListener("drop", ev => {
    const transfer = new DataTransfer();
    Array.from(ev.dataTransfer.files).forEach(f => transfer.items.add(f));
    input.files = transfer.files;
    show();
  });

  const statusUrl = document.getElementById("upload-form").dataset.statusUrl;
  function pending() {
    return Array.from(document.querySelectorAll("tr[data-document-id]"))
      .filter(row => !["ready", "failed"].includes(row.dataset.status));
  }
  async function poll() {
    const rows = pending();
    if (!rows.length) return;
    const query = rows.map(r => "id=" + encodeURIComponent(r.dataset.documentId)).join("&");
    try {
      const response = await fetch(statusUrl + "?" + query, {credentials: "same-origin"});
      const data = (await response.json()).documents;
      rows.forEach(row => {
        const doc = data[row.dataset.documentId];
        if (!doc) return;
        row.dataset.status = doc.status;
        const cell = row.querySelector(".doc-status");
        cell.textContent = doc.status;
        cell.className = "doc-status " + doc.status;
        row.querySelector(".doc-pages").textContent = doc.pages_done + "/" + doc.pages_total;
        row.querySelector(".doc-error").textContent = doc.error;
      });
    } catch (err) { /* try again on the next tick */ }
    setTimeout(poll, 1000);
  }
  poll();
})();
