// A live chart that redraws in place (ui/livechart.py). Streamlit's own st.plotly_chart names its element after the
// figure, so every new frame of a live run mounted a new chart (an empty, hidden box until Plotly had drawn it: the
// blink of issue 23). This element keeps its key, and each new message redraws the same plot with Plotly.react.
//
// A message holds one or more frames of the chart ("figs", oldest first, "steps" their training steps): the first
// is drawn at once, the next ones every "period" ms (frames computed ahead, played in the browser), so a live run
// shows ten pictures a second whatever the server's tick. A browser that cannot draw that fast skips to the frame
// that is due (the picture keeps time with the run), and a chart scrolled out of sight draws only the last frame.
// Frames received are kept (per panel, chart and "tag": the run, language and presenter mode), so the panel's step
// slider (ui/scrub.js) redraws a step the browser has seen without asking the server.
// Plotly is the copy Streamlit itself loads for its charts (window.Plotly, set by its PlotlyChart module; "plotly"
// names that module when no chart has loaded it yet).
const loading = {};
const kept = new Map(); // "panel|chart|tag" -> Map(step -> figure)
// more than the server counts on (ui/lesson.py: four tags a chart, every frame of a run)
const KEPT_TAGS = 8, KEPT_FRAMES = 2000;

function plotlyOf(module) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!module) return Promise.reject(new Error("no Plotly module"));
  if (!loading.p) {
    const own = Array.from(document.querySelectorAll("script[src*='/static/js/'], link[href*='/static/js/']"))
      .map((e) => e.src || e.href)[0];
    const base = own ? new URL(".", own).href : new URL("static/js/", document.baseURI).href;
    // a failed load is forgotten, so the next message tries again (one network hiccup must not blank a page)
    loading.p = import(new URL(module, base).href).then(() => window.Plotly, (err) => {
      loading.p = null;
      throw err;
    });
  }
  return loading.p;
}

function framesOf(panel, chart, tag) {
  const name = panel + "|" + chart + "|" + tag;
  let frames = kept.get(name);
  if (!frames) {
    kept.set(name, (frames = new Map()));
    const mine = Array.from(kept.keys()).filter((k) => k.startsWith(panel + "|" + chart + "|"));
    if (mine.length > KEPT_TAGS) kept.delete(mine[0]);
  }
  return frames;
}

function keep(msg) {
  const frames = framesOf(msg.panel, msg.key, msg.tag);
  msg.steps.forEach((step, i) => msg.figs[i] && frames.set(step, msg.figs[i]));
  // a frame sent before comes as null: the one kept stands in (the server sends every frame to a browser once)
  msg.figs = msg.figs.map((fig, i) => fig || frames.get(msg.steps[i]) || null);
  while (frames.size > KEPT_FRAMES) frames.delete(frames.keys().next().value);
}

// Draw one frame into the box (a copy: Plotly writes into what it is given, and a kept frame may be drawn again).
function draw(Plotly, box, outer, fig, step) {
  const t0 = performance.now();
  const layout = Object.assign({}, structuredClone(fig.layout), box.clientWidth ? { width: box.clientWidth } : {},
    { height: box._height });
  return Plotly.react(box, structuredClone(fig.data), layout, box._config).then(() => {
    wireClicks(box);
    outer.dataset.ms = String(Math.round(performance.now() - t0)); // how long the last drawing took
    outer.dataset.step = String(step);
    outer.dataset.drawn = String(Number(outer.dataset.drawn || 0) + 1);
    // visible: a chart out of sight draws only the last frame of a batch, so its step is not the one on screen
    document.dispatchEvent(new CustomEvent("dnn-drawn",
      { detail: { panel: box._panel, step: step, visible: box._visible !== false } }));
  });
}

function wire(Plotly, box, outer) {
  if (box._wired) return;
  box._wired = true;
  let width = box.clientWidth;
  if (window.ResizeObserver) {
    box._observer = new ResizeObserver(() => {
      if (box.clientWidth && box.clientWidth !== width && box._fullLayout) {
        width = box.clientWidth;
        Plotly.relayout(box, { width: width });
      }
    });
    box._observer.observe(outer);
  }
  if (window.IntersectionObserver) {
    box._seen = new IntersectionObserver((entries) => {
      box._visible = entries[entries.length - 1].isIntersecting;
    });
    box._seen.observe(outer);
  }
  box._onScrub = (e) => {
    if (e.detail.panel !== box._panel) return;
    const fig = kept.get(box._panel + "|" + box._key + "|" + box._tag)?.get(e.detail.step);
    if (!fig) return; // not received yet: the server's answer draws it
    const token = (box._token || 0) + 1; // stops a batch that was playing
    box._token = token;
    clearTimeout(box._timer);
    // each chart in a task of its own: the browser may show the first one before the others are drawn
    box._timer = setTimeout(() => box._token === token && draw(Plotly, box, outer, fig, e.detail.step), 0);
  };
  document.addEventListener("dnn-scrub", box._onScrub);
}

// A chart that takes clicks (the optimizer race's map: a click is the start point) sends the clicked x and y once
// Plotly has drawn (its plotly_click event needs the plot); only finite numbers leave the browser.
function wireClicks(box) {
  if (!box._clicks || box._clickWired || typeof box.on !== "function") return;
  box._clickWired = true;
  box.on("plotly_click", (ev) => {
    const p = ev && ev.points && ev.points[0];
    if (p && Number.isFinite(p.x) && Number.isFinite(p.y) && box._send) box._send("click", { x: p.x, y: p.y });
  });
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const outer = parentElement.querySelector(".dnn-live");
  if (!outer || !data) return;
  const box = outer.firstElementChild;
  const msg = JSON.parse(new TextDecoder().decode(data));
  keep(msg);
  outer.style.height = msg.height + "px"; // the box keeps its size while it draws: nothing below it moves
  if (msg.alt) {
    outer.setAttribute("role", "figure");
    outer.setAttribute("aria-label", msg.alt);
  }
  outer.dataset.chart = msg.key;
  outer.dataset.panel = msg.panel;
  outer.dataset.frames = String(msg.figs.length);
  const same = msg.figs.length === 1 && box._tag === msg.tag && outer.dataset.step === String(msg.steps[0]);
  Object.assign(box, { _height: msg.height, _config: msg.config, _panel: msg.panel, _key: msg.key, _tag: msg.tag,
    _clicks: !!msg.clicks, _send: setTriggerValue });
  const token = (box._token || 0) + 1; // a newer message stops the playing of an older one
  box._token = token;
  clearTimeout(box._timer);
  if (same && box._fullLayout) return; // the picture shown already (a step the slider drew from what was kept)
  plotlyOf(msg.plotly).then((Plotly) => {
    wire(Plotly, box, outer);
    const started = performance.now();
    const last = msg.figs.length - 1;
    const show = (due) => {
      if (box._token !== token) return;
      // behind time (a slow drawing) or out of sight: the frame that is due now, or the last one
      const i = box._visible === false ? last
        : Math.max(due, Math.min(last, Math.floor((performance.now() - started) / msg.period)));
      if (msg.figs[i]) draw(Plotly, box, outer, msg.figs[i], msg.steps[i]);
      if (i < last) {
        const wait = started + (i + 1) * msg.period - performance.now();
        box._timer = setTimeout(() => show(i + 1), Math.max(0, wait));
      }
    };
    show(0);
  }).catch((err) => {
    outer.dataset.error = String(err);
  });
  // Streamlit calls this when the element leaves the page, and sometimes for a message that a newer one replaced:
  // only a box that is really gone is released
  return () => setTimeout(() => {
    if (outer.isConnected) return;
    box._token = -1;
    clearTimeout(box._timer);
    if (box._observer) box._observer.disconnect();
    if (box._seen) box._seen.disconnect();
    if (box._onScrub) document.removeEventListener("dnn-scrub", box._onScrub);
    if (window.Plotly) window.Plotly.purge(box);
  }, 0);
}
