// An explorer's precomputed frames (frame_player.py): the explorer's controls drawn as plain
// HTML inputs; moving one shows the frame computed at build time for the nearest grid point.
// No kernel is involved, so this works in an offline deck or a static web page.

// Position of a control's input: its value, or log10 of it for a log slider, or an option index.
const toPosition = (c, value) => (c.kind === "log" ? Math.log10(value) : value);
const fromPosition = (c, position) => (c.kind === "log" ? 10 ** position : position);

function readout(c, value) {
  if (c.options.length) return c.options[value];
  if (c.kind === "check") return value ? "on" : "off";
  if (c.kind === "int") return String(Math.round(value));
  return Math.abs(value) >= 0.01 && Math.abs(value) < 1000 ? String(+value.toPrecision(3)) : value.toExponential(1);
}

// Index of the grid value nearest to `value`, and whether it is (within rounding) the value.
function nearest(c, value) {
  let best = 0;
  const distance = (v) => Math.abs(toPosition(c, v) - toPosition(c, value));
  c.grid.forEach((v, i) => { if (distance(v) < distance(c.grid[best])) best = i; });
  const tolerance = 1e-6 * Math.max(1, Math.abs(c.step || 1));
  return [best, distance(c.grid[best]) <= tolerance];
}

function makeInput(c, onChange) {
  const row = document.createElement("div");
  row.className = "ck-frames-control";
  const label = document.createElement("label");
  label.textContent = c.label;
  const output = document.createElement("span");
  output.className = "ck-frames-readout";
  let input;
  if (c.kind === "select") {
    input = document.createElement("select");
    c.options.forEach((text, i) => input.add(new Option(text, String(i))));
  } else if (c.kind === "check") {
    input = document.createElement("input");
    input.type = "checkbox";
  } else {
    input = document.createElement("input");
    input.type = "range";
    const options = c.options.length;
    input.min = String(options ? 0 : toPosition(c, c.min));
    input.max = String(options ? options - 1 : toPosition(c, c.max));
    input.step = String(options ? 1 : c.step);
  }
  input.className = "ck-frames-input";
  input.dataset.name = c.name;
  const value = () => (c.kind === "check" ? input.checked : fromPosition(c, Number(input.value)));
  const set = (v) => {
    if (c.kind === "check") input.checked = Boolean(v);
    else input.value = String(toPosition(c, v));
    output.textContent = readout(c, value());
  };
  input.addEventListener("input", () => { output.textContent = readout(c, value()); onChange(c); });
  row.append(label, input, output);
  return { row, value, set };
}

function render({ model, el }) {
  const controls = model.get("controls");
  const frames = model.get("frames");
  const images = model.get("images");
  const defaults = controls.map((c) => c.default_index);
  const root = document.createElement("div");
  root.className = "ck-frames";
  const panel = document.createElement("div");
  panel.className = "ck-frames-controls";
  // The default state, and over it the pixels of the shown frame that differ from it, drawn on
  // a canvas at the frames' own size (then scaled as one picture, so no seam shows).
  const figure = document.createElement("div");
  figure.className = "ck-frames-figure";
  const canvas = document.createElement("canvas");
  [canvas.width, canvas.height] = model.get("size_px");
  canvas.setAttribute("aria-label", model.get("title"));
  figure.append(canvas);
  const context = canvas.getContext("2d");
  const picture = (png) => {
    const image = new Image();
    image.src = `data:image/png;base64,${png}`;
    return image.decode().then(() => image);
  };
  const base = picture(model.get("base"));
  const pieces = new Map();  // frame index -> its decoded overlay, decoded once
  const note = document.createElement("div");
  note.className = "ck-frames-note";
  const inputs = controls.map((c) => makeInput(c, show));
  inputs.forEach((input, i) => {
    input.set(controls[i].grid[defaults[i]]);
    panel.append(input.row);
  });
  root.append(panel, figure, note);
  el.append(root);

  // The frame for the controls' values: the exact grid point when it was computed, else the
  // moved control's nearest computed value with the others at their defaults, and a note.
  function show(moved) {
    const at = controls.map((c, i) => nearest(c, inputs[i].value()));
    const index = at.map(([i]) => i);
    let frame = frames[index.join(",")];
    const notes = [];
    at.forEach(([i, exact], k) => {
      if (!exact) notes.push(`${controls[k].label} is between precomputed values: showing ${readout(controls[k], controls[k].grid[i])}`);
    });
    if (frame === undefined) {
      const m = Math.max(0, controls.indexOf(moved));
      const tries = controls[m].grid.map((_, j) => j).sort((a, b) => Math.abs(a - index[m]) - Math.abs(b - index[m]));
      const shown = tries.map((j) => defaults.map((d, k) => (k === m ? j : d))).find((key) => frames[key.join(",")] !== undefined);
      frame = frames[shown.join(",")];
      const differ = controls.filter((c, k) => shown[k] !== index[k]).map((c) => c.label);
      notes.push(`not precomputed: showing ${differ.join(", ")} at ${shown[m] === index[m] ? "the default" : "the nearest precomputed value"}`);
    }
    const [x, y, , , png] = images[frame];
    if (png && !pieces.has(frame)) pieces.set(frame, picture(png));
    figure.dataset.shown = "";
    Promise.all([base, pieces.get(frame)]).then(([full, piece]) => {
      if (figure.dataset.frame !== String(frame)) return;  // another frame was asked for meanwhile
      context.drawImage(full, 0, 0);
      if (piece) context.drawImage(piece, x, y);
      figure.dataset.shown = String(frame);
    });
    figure.dataset.frame = String(frame);
    note.textContent = notes.length ? `Precomputed view. ${notes.join("; ")}.` : "";
  }
  show(null);
}

export default { render };
