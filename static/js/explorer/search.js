// The search box: typeahead over titles and artists from GET /api/v1/songs/search/, as an ARIA
// combobox (arrow keys move through the results, Enter picks, Escape closes).

const DELAY_MS = 180; // wait for a pause in typing before asking the server

export function setupSearch({ input, list, api, onChoose }) {
  let results = [];
  let active = -1;
  let timer = null;
  let inFlight = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((item, i) =>
      item.setAttribute("aria-selected", String(i === index)),
    );
    if (index >= 0) input.setAttribute("aria-activedescendant", list.children[index].id);
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(index) {
    const song = results[index];
    if (!song) return;
    close();
    input.value = song.artist ? `${song.title} — ${song.artist}` : song.title;
    onChoose(song);
  }

  function show(found, query) {
    results = found;
    if (!found.length) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = `No song matches “${query}”.`;
      list.replaceChildren(empty);
    } else {
      list.replaceChildren(
        ...found.map((song, i) => {
          const item = document.createElement("li");
          item.id = `search-result-${i}`;
          item.setAttribute("role", "option");
          item.dataset.songId = String(song.id);
          const title = document.createElement("div");
          title.textContent = song.title || "Untitled";
          const artist = document.createElement("div");
          artist.className = "artist";
          artist.textContent = [song.artist, song.genre || song.predicted_genre]
            .filter(Boolean)
            .join(" · ");
          item.append(title, artist);
          // mousedown, not click: the input's blur would close the list before a click lands.
          item.addEventListener("mousedown", (event) => {
            event.preventDefault();
            choose(i);
          });
          return item;
        }),
      );
    }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(found.length ? 0 : -1);
  }

  async function lookUp(query) {
    inFlight?.abort();
    inFlight = new AbortController();
    try {
      const body = await api.search(query, inFlight.signal);
      if (input.value.trim() === query) show(body.results, query);
    } catch (error) {
      if (error.name !== "AbortError") show([], query);
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (!query) {
      inFlight?.abort();
      close();
      return;
    }
    timer = setTimeout(() => lookUp(query), DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && results.length) {
      event.preventDefault();
      if (list.hidden) show(results, input.value.trim());
      else highlight((active + 1) % results.length);
    } else if (event.key === "ArrowUp" && results.length) {
      event.preventDefault();
      highlight((active - 1 + results.length) % results.length);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.stopPropagation(); // closes the list; does not also clear the selection
      close();
    }
  });

  input.addEventListener("blur", close);
  input.disabled = false;
}
