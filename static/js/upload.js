// The staff upload page: open a batch, then send the files one at a time with a progress bar
// each, and say what became of every file (new song, already there, or why it was refused).
import { createClient, csrfToken } from "./http.js";

const client = createClient();

const form = document.getElementById("upload-form");
const dropZone = document.getElementById("drop-zone");
const picker = document.getElementById("files");
const list = document.getElementById("file-list");
const batchLink = document.getElementById("batch-link");
let batch = null;
let queue = Promise.resolve();

async function openBatch() {
  if (batch) return batch;
  batch = await client.json(form.dataset.batchesUrl, {
    method: "POST",
    body: { catalogue: document.getElementById("catalogue").value },
  });
  batchLink.hidden = false;
  batchLink.innerHTML = "";
  const link = document.createElement("a");
  link.href = `/catalogue/batches/${batch.id}/`;
  link.textContent = "Follow the analysis of this batch";
  batchLink.append(link);
  const metadata = document.getElementById("metadata").files[0];
  if (metadata) await send(metadata, addRow(metadata));
  return batch;
}

function addRow(file) {
  list.hidden = false;
  const row = list.tBodies[0].insertRow();
  row.insertCell().textContent = file.name;
  const bar = document.createElement("progress");
  bar.max = file.size || 1;
  bar.value = 0;
  row.insertCell().append(bar);
  row.insertCell().textContent = "waiting";
  return row;
}

function describe(outcome) {
  if (outcome.error) return `refused: ${outcome.error}`;
  if (!outcome.created) return `already in the catalogue (song ${outcome.song.id})`;
  return `added: ${outcome.song.title} — analysis queued`;
}

// XMLHttpRequest, not the client's fetch: only it reports an upload's progress.
function send(file, row) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    const [bar, result] = [row.cells[1].firstChild, row.cells[2]];
    request.open("POST", `/api/v1/batches/${batch.id}/files/`);
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.upload.onprogress = (event) => { bar.value = event.loaded; };
    request.onload = () => {
      bar.value = bar.max;
      let body = {};
      try { body = JSON.parse(request.responseText); } catch { /* not JSON: said below */ }
      if (request.status === 201) {
        result.textContent = body.files.length ? body.files.map(describe).join("; ") : "metadata kept";
        row.dataset.state = body.files.some((f) => f.error) ? "refused" : "done";
      } else {
        result.textContent = `refused: ${body.error ? body.error.message : request.statusText}`;
        row.dataset.state = "refused";
      }
      resolve();
    };
    request.onerror = () => { result.textContent = "network error"; row.dataset.state = "refused"; resolve(); };
    result.textContent = "uploading";
    const data = new FormData();
    data.append("file", file);
    request.send(data);
  });
}

function enqueue(files) {
  const rows = [...files].map((file) => [file, addRow(file)]);
  queue = queue.then(openBatch).then(async () => {
    for (const [file, row] of rows) await send(file, row);
  }).catch((error) => { batchLink.hidden = false; batchLink.textContent = `Upload failed: ${error.message}`; });
}

picker.addEventListener("change", () => { enqueue(picker.files); picker.value = ""; });
dropZone.addEventListener("dragover", (event) => { event.preventDefault(); dropZone.classList.add("over"); });
dropZone.addEventListener("dragleave", () => dropZone.classList.remove("over"));
dropZone.addEventListener("drop", (event) => {
  event.preventDefault();
  dropZone.classList.remove("over");
  enqueue(event.dataTransfer.files);
});
dropZone.addEventListener("keydown", (event) => { if (event.key === "Enter") picker.click(); });
