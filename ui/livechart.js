// A live chart that redraws in place (ui/livechart.py). Streamlit's own st.plotly_chart names its element after the
// figure, so every new frame of a live run mounted a new chart (an empty, hidden box until Plotly had drawn it: the
// blink of issue 23). This element keeps its key, and each new message redraws the same plot with Plotly.react.
//
// A message holds one or more frames of the chart ("figs", oldest first, "steps" their training steps): the first
// is drawn at once, the next ones every "period" ms (frames computed ahead, played in the browser), so a live run
// shows ten pictures a second whatever the server's tick. Plotly is the copy Streamlit itself loads for its charts
// (window.Plotly, set by its PlotlyChart module; "plotly" names that module when no chart has loaded it yet).
const loading = {};

function plotlyOf(module) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!module) return Promise.reject(new Error("no Plotly module"));
  if (!loading.p) {
    const own = Array.from(document.querySelectorAll("script[src*='/static/js/'], link[href*='/static/js/']"))
      .map((e) => e.src || e.href)[0];
    const base = own ? new URL(".", own).href : new URL("static/js/", document.baseURI).href;
    loading.p = import(new URL(module, base).href).then(() => window.Plotly);
  }
  return loading.p;
}

function sized(box, layout, height) {
  const width = box.clientWidth;
  return Object.assign({}, layout, width ? { width: width } : {}, { height: height });
}

export default function (component) {
  const { data, parentElement } = component;
  const outer = parentElement.querySelector(".dnn-live");
  if (!outer || !data) return;
  const box = outer.firstElementChild;
  const msg = JSON.parse(new TextDecoder().decode(data));
  outer.style.height = msg.height + "px"; // the box keeps its size while it draws: nothing below it moves
  if (msg.alt) {
    outer.setAttribute("role", "figure");
    outer.setAttribute("aria-label", msg.alt);
  }
  outer.dataset.chart = msg.key;
  outer.dataset.frames = String(msg.figs.length);
  const token = (box._token || 0) + 1; // a newer message stops the playing of an older one
  box._token = token;
  clearTimeout(box._timer);
  plotlyOf(msg.plotly).then((Plotly) => {
    if (!box._observer && window.ResizeObserver) {
      let last = box.clientWidth;
      box._observer = new ResizeObserver(() => {
        if (box.clientWidth && box.clientWidth !== last && box._fullLayout) {
          last = box.clientWidth;
          Plotly.relayout(box, { width: last });
        }
      });
      box._observer.observe(outer);
    }
    const started = performance.now();
    const show = (i) => {
      if (box._token !== token) return;
      const fig = msg.figs[i];
      Plotly.react(box, fig.data, sized(box, fig.layout, msg.height), msg.config).then(() => {
        if (box._token !== token) return;
        outer.dataset.step = String(msg.steps[i]);
        outer.dataset.drawn = String(Number(outer.dataset.drawn || 0) + 1);
      });
      if (i + 1 < msg.figs.length) {
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
    if (window.Plotly) window.Plotly.purge(box);
  }, 0);
}
