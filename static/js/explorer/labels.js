// Names of the selected song and its neighbours, written next to their points: HTML elements
// moved to each point's projection whenever a frame is drawn (crisp text, no font textures).
// Close up, neighbours crowd each other: a name that would cover one already written (the
// selected song's first, then the nearest neighbours') waits until the camera gives it room.

const OFFSET_X = 10; // the name starts right of and above its point, in CSS pixels
const OFFSET_Y = -10;

/**
 * Where a name of ``width`` x ``height`` goes for a point at (x, y): right of and above it, or
 * left of it when only there it ends before the screen's edges (0 and ``edge``). [l, t, r, b].
 */
export function labelBox(x, y, width, height, edge) {
  let left = x + OFFSET_X;
  if (left + width > edge && x - OFFSET_X - width >= 0) left = x - OFFSET_X - width;
  const top = y + OFFSET_Y;
  return [left, top, left + width, top + height];
}

/**
 * Which of ``boxes`` ([left, top, right, bottom] or null for a hidden point), taken in order,
 * cover none of those shown before them: an array of booleans.
 */
export function uncovered(boxes) {
  const shown = [];
  return boxes.map((box) => {
    if (!box) return false;
    const covers = shown.some(
      (o) => box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3],
    );
    if (!covers) shown.push(box);
    return !covers;
  });
}

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
    // Measured once, not on every frame (a layout per frame would cost a flight its fluency).
    this.edge = this.container.clientWidth || Infinity;
    for (const item of this.items) {
      const { width, height } = item.element.getBoundingClientRect();
      item.width = width || 7 * item.text.length + 8;
      item.height = height || 18;
    }
  }

  clear() {
    this.set([]);
  }

  /** project(index) -> {x, y, visible} in CSS pixels of the container. */
  update(project) {
    const boxes = this.items.map((item) => {
      const { x, y, visible } = project(item.index);
      return visible ? labelBox(x, y, item.width, item.height, this.edge) : null;
    });
    const shown = uncovered(boxes);
    this.items.forEach((item, i) => {
      item.element.hidden = !shown[i];
      if (shown[i]) item.element.style.transform = `translate(${boxes[i][0]}px, ${boxes[i][1]}px)`;
    });
  }
}
