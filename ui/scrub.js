// The step slider of a live panel (ui/livechart.py, scrubber): a native range input over the run's kept steps.
// Moving it draws the chosen step at once from the frames the page's charts have already received (an event the
// charts of the same panel listen to), then tells the server, which pauses the run there, puts the step in the link
// and sends the frame (a frame the browser had not received yet is drawn then). While the run plays, the slider
// follows the frames the charts draw, and so do the words of the panel's progress bar just above it ("Step 240 of
// 600"): the server wrote the newest frame of the batch the charts are still playing.
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".dnn-scrub");
  if (!root || !data) return;
  const input = root.querySelector("input");
  const out = root.querySelector("output");
  root._send = setTriggerValue;
  root._steps = data.steps;
  root._panel = data.panel;
  root._format = data.format;
  root._progress = data.progress || "";
  root.querySelector(".dnn-scrub-label").textContent = data.label;
  root.title = data.help || "";
  input.setAttribute("aria-label", data.label);
  input.min = "0";
  input.max = String(data.steps.length - 1);
  const show = (i) => {
    input.value = String(i);
    const text = root._format.replace("{step}", String(root._steps[i]));
    out.textContent = text;
    input.setAttribute("aria-valuetext", text);
    input.style.setProperty("--dnn-fill", `${(100 * i) / Math.max(1, root._steps.length - 1)}%`);
  };
  const recent = () => root._moved && performance.now() - root._moved < 1500;
  if (!recent()) show(Math.max(0, root._steps.indexOf(data.value)));
  const release = () => setTimeout(() => {
    // when the slider leaves the page (not for a message a newer one replaced), its document listener goes too
    if (root.isConnected) return;
    clearTimeout(root._timer);
    document.removeEventListener("dnn-drawn", root._onDrawn);
  }, 0);
  if (root._wired) return release;
  root._wired = true;
  const send = () => {
    const step = root._steps[Number(input.value)];
    if (step !== root._sent) {
      root._sent = step;
      root._send("scrub", step);
    }
  };
  input.addEventListener("input", () => {
    root._moved = performance.now();
    const i = Number(input.value);
    show(i);
    root._sent = undefined;
    document.dispatchEvent(new CustomEvent("dnn-scrub", { detail: { panel: root._panel, step: root._steps[i] } }));
    clearTimeout(root._timer);
    root._timer = setTimeout(send, 150); // a drag tells the server when it rests
  });
  input.addEventListener("change", () => {
    clearTimeout(root._timer);
    send();
  });
  // the slider's own keys stay the slider's: a page's keyboard shortcuts (the narrated step's ← and →) must not
  // also fire while a student scrubs with the arrows
  input.addEventListener("keydown", (e) => {
    if (/^(Arrow|Page|Home$|End$)/.test(e.key)) e.stopPropagation();
  });
  root._onDrawn = (e) => {
    if (e.detail.panel !== root._panel || !e.detail.visible) return; // what is on screen, not a chart out of sight
    sayStep(root, e.detail.step);
    if (recent()) return;
    const i = root._steps.indexOf(e.detail.step);
    if (i >= 0) show(i);
  };
  document.addEventListener("dnn-drawn", root._onDrawn);
  return release;
}

// The progress bar's words for the step drawn: only words that say a step the way the server does (the format
// with a number in it), never a longer line such as where a run diverged.
function sayStep(root, step) {
  if (!root._progress) return;
  const said = progressText(root);
  const [head, tail] = root._progress.split("{step}");
  if (!said || tail === undefined || !saysAStep(said.data, head, tail)) return;
  const text = head + String(step) + tail;
  if (said.data !== text) said.data = text; // the text node's own data: Streamlit's next render replaces it as usual
}

function saysAStep(text, head, tail) {
  if (text.length <= head.length + tail.length || !text.startsWith(head) || !text.endsWith(tail)) return false;
  const number = text.slice(head.length, text.length - tail.length);
  return Array.from(number).every((c) => c >= "0" && c <= "9");
}

// The text node of the progress bar just above the slider: the element before the slider's block holds it.
function progressText(root) {
  let node = root;
  for (let up = 0; node && up < 12; up++, node = node.parentElement) {
    const bar = node.previousElementSibling && node.previousElementSibling.querySelector("[data-testid='stProgress']");
    if (bar) {
      const walker = document.createTreeWalker(bar, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.data.trim()) return n;
      return null;
    }
  }
  return null;
}
