// The playlists page: create a playlist and open it.
import { createClient } from "./http.js";

const client = createClient();
const api = (method, url, body) => client.json(url, { method, body });

document.getElementById("new-playlist").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = new FormData(event.target).get("name");
  const playlist = await api("POST", "/api/v1/playlists/", { name });
  window.location.href = `/playlists/${playlist.id}/`;
});
