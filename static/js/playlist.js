// One playlist: play it in order or shuffled; for its owner, remove songs, reorder them by drag
// and drop, and share it. Each change goes to the API, which keeps positions consistent.
import { createClient } from "./http.js";

const client = createClient();
const api = (method, url, body) => client.json(url, { method, body });

const section = document.getElementById("playlist");
const id = section.dataset.id;
const list = document.getElementById("entries");
const player = document.getElementById("player");
let queue = [];

const rows = () => [...list.querySelectorAll("li[data-entry]")];

function play(row) {
  rows().forEach((r) => r.classList.toggle("playing", r === row));
  player.src = `/api/v1/songs/${row.dataset.song}/audio/`;
  player.play();
}

function start(order) {
  queue = order;
  if (queue.length) play(queue.shift());
}

function shuffled(items) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

player.addEventListener("ended", () => { if (queue.length) play(queue.shift()); });
document.getElementById("play-in-order").addEventListener("click", () => start(rows()));
document.getElementById("play-shuffled").addEventListener("click", () => start(shuffled(rows())));
document.getElementById("next").addEventListener("click", () => { if (queue.length) play(queue.shift()); });

list.addEventListener("click", async (event) => {
  const row = event.target.closest("li[data-entry]");
  if (!row) return;
  if (event.target.classList.contains("play")) start(rows().slice(rows().indexOf(row)));
  if (event.target.classList.contains("heart")) {
    const heart = event.target;
    const wanted = heart.getAttribute("aria-pressed") !== "true";
    const { favourite } = await api(wanted ? "PUT" : "DELETE", `/api/v1/favourites/${row.dataset.song}/`);
    heart.setAttribute("aria-pressed", String(favourite));
    const title = row.querySelector(".title").textContent;
    heart.setAttribute("aria-label", favourite ? `Remove ${title} from favourites` : `Add ${title} to favourites`);
  }
  if (event.target.classList.contains("remove")) {
    await api("DELETE", `/api/v1/playlists/${id}/entries/${row.dataset.entry}/`);
    row.remove();
  }
});

if (section.dataset.editable === "1") {
  let dragged = null;
  list.addEventListener("dragstart", (event) => { dragged = event.target.closest("li"); });
  list.addEventListener("dragover", (event) => event.preventDefault());
  list.addEventListener("drop", async (event) => {
    event.preventDefault();
    const target = event.target.closest("li[data-entry]");
    if (!dragged || !target || target === dragged) return;
    const position = rows().indexOf(target);
    const { entries } = await api("PATCH", `/api/v1/playlists/${id}/entries/${dragged.dataset.entry}/`, { position });
    const byId = Object.fromEntries(rows().map((r) => [r.dataset.entry, r]));
    entries.forEach((entry) => list.append(byId[entry.id]));  // the server's order is the truth
  });

  const visibility = document.getElementById("visibility");
  const shareUrl = document.getElementById("share-url");
  if (visibility) {
    visibility.addEventListener("change", async () => {
      const playlist = await api("PATCH", `/api/v1/playlists/${id}/`, { visibility: visibility.value });
      shareUrl.textContent = playlist.share_url || "";
    });
    document.getElementById("renew-link").addEventListener("click", async () => {
      const playlist = await api("POST", `/api/v1/playlists/${id}/share/`);
      shareUrl.textContent = playlist.share_url;
      visibility.value = playlist.visibility;
    });
    document.getElementById("revoke-link").addEventListener("click", async () => {
      await api("DELETE", `/api/v1/playlists/${id}/share/`);
      shareUrl.textContent = "";
      visibility.value = "private";
    });
  }
}
