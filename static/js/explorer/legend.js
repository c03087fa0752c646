// The legend's HTML: a toggle button per category with its colour and number of songs, and the
// "colour by" choice when the map offers genres and clusters both.

export const COLOURING_TITLES = { genre: "Genres", cluster: "Clusters", null: "Songs" };

/**
 * Fill the legend for ``categories`` ({names, colours, counts}); ``legend`` (LegendState) keeps
 * which are on. onChange() follows every toggle.
 */
export function renderLegend({ elements, categories, legend, colouring, onChange }) {
  const { names, colours, counts } = categories;
  elements.title.textContent = COLOURING_TITLES[colouring];
  elements.showAll.hidden = !legend.anyHidden;
  const buttons = names.map((name, i) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "legend-entry";
    button.dataset.category = name;
    button.setAttribute("aria-pressed", String(legend.isShown(i)));
    button.title = `Show or hide ${name}`;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.setProperty("--swatch", `rgb(${colours[i].join(" ")})`);
    const label = document.createElement("span");
    label.textContent = name;
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = counts[i].toLocaleString();
    button.append(swatch, label, count);
    button.addEventListener("click", () => {
      button.setAttribute("aria-pressed", String(legend.toggle(i)));
      elements.showAll.hidden = !legend.anyHidden;
      onChange();
    });
    return button;
  });
  elements.entries.replaceChildren(...buttons);
  elements.showAll.onclick = () => {
    legend.showAll();
    buttons.forEach((button) => button.setAttribute("aria-pressed", "true"));
    elements.showAll.hidden = true;
    onChange();
  };
  elements.legend.hidden = false;
}

/** Offer "colour by" when there is a choice; onChange(colouring) when it is made. */
export function renderColouringChoice({ label, select, ways, current, onChange }) {
  if (ways.length < 2) return;
  select.replaceChildren(
    ...ways.map((way) => new Option(COLOURING_TITLES[way], way, way === current, way === current)),
  );
  select.addEventListener("change", () => onChange(select.value));
  label.hidden = false;
}
