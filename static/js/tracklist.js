// Lists of songs to listen to (the mixes page, an artist's page): a ▶ button plays its song in
// the page's one player and the songs after it in the same list follow. The audio comes from
// the REST API with the session's cookie.

const player = document.getElementById("player");
const nowPlaying = document.getElementById("now-playing");
let queue = [];

function play(row) {
  document.querySelectorAll("[data-tracklist] li.playing").forEach((r) => r.classList.remove("playing"));
  row.classList.add("playing");
  player.src = `/api/v1/songs/${row.dataset.song}/audio/`;
  nowPlaying.textContent = `Playing ${row.querySelector(".title").textContent}`;
  player.play().catch(() => {});  // a refused autoplay leaves the player's own button
}

player.addEventListener("ended", () => { if (queue.length) play(queue.shift()); });

document.querySelectorAll("[data-tracklist]").forEach((list) => {
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button.play");
    if (!button) return;
    const rows = [...list.querySelectorAll("li[data-song]")];
    const row = button.closest("li[data-song]");
    queue = rows.slice(rows.indexOf(row) + 1);
    play(row);
  });
});
