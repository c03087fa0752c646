// Names of the selected song and its neighbours, written next to their points: HTML elements
// moved to each point's projection whenever a frame is drawn (crisp text, no font textures).

export class LabelLayer {
  constructor(container) {
    this.container = container;
    this.items = [];
  }

  /** items: [{index, text, kind: "selected" | "neighbour"}] (index: the point's index). */
  set(items) {
    this.container.replaceChildren();
    this.items = items.map((item) => {
      const element = document.createElement("div");
      element.className = `label ${item.kind}`;
      element.textContent = item.text;
      element.dataset.index = String(item.index);
      this.container.append(element);
      return { ...item, element };
    });
  }

  clear() {
    this.set([]);
  }

  /** project(index) -> {x, y, visible} in CSS pixels of the container. */
  update(project) {
    for (const item of this.items) {
      const { x, y, visible } = project(item.index);
      item.element.hidden = !visible;
      if (visible) item.element.style.transform = `translate(${x + 10}px, ${y - 10}px)`;
    }
  }
}
