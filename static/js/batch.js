// The batch page refreshes its counts every two seconds until the batch is analysed.
import { createClient } from "./http.js";

const client = createClient();
const section = document.getElementById("batch");

function fill(list, items, text) {
  list.innerHTML = "";
  for (const item of items) {
    const li = document.createElement("li");
    li.textContent = text(item);
    list.append(li);
  }
  if (!items.length) list.innerHTML = '<li class="none">None.</li>';
}

async function refresh() {
  const response = await client.send(section.dataset.url);
  if (!response.ok) return setTimeout(refresh, 5000);
  const { progress } = await response.json();
  for (const [state, count] of Object.entries(progress.counts)) {
    const cell = section.querySelector(`[data-count="${state}"]`);
    if (cell) cell.textContent = count;
  }
  const bar = document.getElementById("batch-progress");
  bar.max = progress.counts.total;
  bar.value = progress.counts.ready + progress.counts.failed;
  const rate = document.getElementById("rate");
  rate.textContent = progress.songs_per_minute
    ? `${progress.songs_per_minute} songs per minute` +
      (progress.minutes_left ? `, about ${Math.round(progress.minutes_left)} min left` : "")
    : "";
  fill(document.getElementById("rejected"), progress.rejected, (item) => item.reason);
  fill(document.getElementById("duplicates"), progress.duplicates, (item) => `${item.name} (song ${item.song_id})`);
  document.getElementById("finished").hidden = !progress.finished;
  if (!progress.finished) setTimeout(refresh, 2000);
}

setTimeout(refresh, 2000);
