"""Optimizers: race the eight update rules on 2-D surfaces, look inside one step, tune the learning rate."""
import math

import streamlit as st

from core import optim, surfaces  # registries for the menus and the start sliders
from lab import optimizers as views
from figures import optimizers as fig
from ui import controls, lesson
from ui.i18n import t

PAGE = "optimizers"
ss = st.session_state
WORDS = ("start", "minimum", "play", "pause", "resume", "step", "arrow_grad", "arrow_momentum", "arrow_adaptive",
         "arrow_update", "lookahead", "path", "diverged_marker", "too_small", "good", "too_large", "diverged_at",
         "raw", "ema_label", "polyak")  # figure words, text keys l_<word>


def apply_preset():
    """Deep Learning from Scratch ch. 6: bowl, start (−7, 2), 30 steps, its four optimizers and rates."""
    ss.update(views.preset_controls())
    ss["_start_surface"] = ss["surface"]


def slider_step(lo, hi):
    return 10.0 ** math.floor(math.log10((hi - lo) / 200.0))


def pick_start():
    """A click on the race map (a points selection) becomes the start point."""
    points = (ss.get("race") or {}).get("selection", {}).get("points", [])
    points = [p for p in points if isinstance(p.get("x"), (int, float)) and isinstance(p.get("y"), (int, float))]
    if points:
        surf = surfaces.get(ss.get("surface", "bowl"))
        for key, value, (lo, hi) in (("x0", points[0]["x"], surf.xlim), ("y0", points[0]["y"], surf.ylim)):
            step = slider_step(lo, hi)
            ss[key] = float(min(hi, max(lo, round(value / step) * step)))


@st.cache_data(max_entries=64, show_spinner=False)
def run_race(entries, surface, start, steps, schedule):
    return views.race([(n, dict(hp)) for n, hp in entries], surface, start, steps, schedule)


@st.cache_data(max_entries=64, show_spinner=False)
def look_inside(name, hp, surface, start, step, schedule, steps):
    return views.inside_step(name, dict(hp), surface, start, step, views.schedule_for(schedule, steps))


@st.cache_data(max_entries=32, show_spinner=False)
def study_lr(name, hp, surface, start, steps):
    return views.lr_study(name, dict(hp), surface, start, steps)


@st.cache_data(max_entries=32, show_spinner=False)
def run_noisy(entries, surface, start, steps, noise, seed, decay):
    return views.noisy_pair([(n, dict(hp)) for n, hp in entries], surface, start, steps, noise, seed, decay)


def frozen(name):
    """Hashable hp of an optimizer: its race controls if it is in the race, else the page defaults."""
    return tuple(sorted(views.hp_for(name, ss if name in chosen else {}).items()))


def opt_name(name):
    return t(f"common.opt_{name}")


def labels(names=(), **axes):
    """A figure's labels: the page's figure words, its axis titles (text keys) and its series names."""
    return {**words, **lesson.labels(PAGE, **axes), "names": list(names)}


lesson.header(PAGE)
words = lesson.labels(PAGE, **{word: f"l_{word}" for word in WORDS})

side = lesson.sidebar_controls(PAGE)
side.button(t("optimizers.preset"), on_click=apply_preset, help=t("optimizers.preset_help"), key="_preset",
            icon=":material/menu_book:", width="stretch")
surface = controls.select("surface", t("optimizers.surface"), surfaces.NAMES, "bowl", where=side,
                          format_func=lambda s: t(f"optimizers.s_{s}") if s in surfaces.NAMES else s)
surf = surfaces.get(surface)
if ss.get("_start_surface", surface) != surface:  # a new surface starts from its own start point
    ss["x0"], ss["y0"] = surf.default_start
ss["_start_surface"] = surface
start = []
for key, (lo, hi), default in (("x0", surf.xlim, surf.default_start[0]), ("y0", surf.ylim, surf.default_start[1])):
    step = slider_step(lo, hi)
    start.append(controls.slider(key, t(f"optimizers.{key}"), float(lo), float(hi), float(default), step, where=side,
                                 format="%.3f" if step < 0.1 else "%.1f"))
start = tuple(start)
steps = controls.slider("steps", t("optimizers.steps"), 5, 300, 30, where=side)
chosen = controls.multiselect("opts", t("optimizers.opts"), optim.NAMES, ["sgd", "momentum", "adagrad", "adam"],
                              where=side)
for name in chosen:
    box = side.expander(t("optimizers.settings_of", name=opt_name(name)))
    for key, default in views.page_defaults(name).items():
        controls.log_slider(f"{key}_{name}", t(f"optimizers.hp_{key}"), views.slider_values(name, key), default,
                            where=box)
schedule = controls.select("schedule", t("optimizers.schedule"), views.SCHEDULE_NAMES, "constant", where=side,
                           format_func=lambda s: t(f"optimizers.sch_{s}") if s in views.SCHEDULE_NAMES else s)
show3d = controls.toggle("view3d", t("optimizers.view3d"), False, where=side)
st.latex(f"f(x, y) = {surf.latex}")

tab_race, tab_step, tab_lr, tab_noise = st.tabs([t("optimizers.tab_race"), t("optimizers.tab_step"),
                                                 t("optimizers.tab_lr"), t("optimizers.tab_noise")])
with tab_race:
    lesson.predict(PAGE, "q1", 4)
    if not chosen:
        st.info(t("optimizers.empty"))
    else:
        names = [opt_name(n) for n in chosen]
        race = run_race(tuple((n, frozen(n)) for n in chosen), surface, start, steps, schedule)
        for k, d in enumerate(race.diverged_at):
            lesson.diverged(d, f" ({names[k]})")
        lesson.chart(fig.race(race, views.surface_map(surface), views.frame_steps(steps), labels(names)), key="race",
                     caption=t("optimizers.cap_race"), on_select=pick_start, selection_mode="points")
        lesson.chart(fig.losses(race, labels(names, x="common.step_axis", y="common.loss_axis")), key="race_loss",
                     caption=t("optimizers.cap_loss"))
        if show3d:
            lesson.chart(fig.surface3d(views.surface_map(surface, 60), views.on_surface(race),
                                       labels(names, z="common.loss_axis", z_log="l_level_log")),
                         key="race_3d", caption=t("optimizers.cap_3d"))

with tab_step:
    st.info(t("optimizers.convention"))
    left, right = st.columns(2)
    name = controls.select("inspect", t("optimizers.inspect"), optim.NAMES, "momentum", where=left)
    hp = frozen(name)
    run = run_race(((name, hp),), surface, start, steps, schedule)
    last_ok = int(run.valid_len[0]) - 1  # the last step whose result is still finite
    if ss.get("at_step", 1) > steps:
        ss["at_step"] = steps
    at = min(controls.slider("at_step", t("optimizers.at_step"), 1, steps, 3, where=right), max(last_ok, 1))
    lesson.diverged(run.diverged_at[0], f" ({opt_name(name)})")
    if last_ok >= 1:
        info = look_inside(name, hp, surface, start, at, schedule, steps)
        lesson.chart(fig.inside_step(info, run.paths[0, :at + 1], labels()), key="inside",
                     caption=t("optimizers.cap_step"))
        lesson.formula(fig.step_latex(info))

with tab_lr:
    st.markdown(t("optimizers.lr_intro"))
    lr_name = controls.select("lr_opt", t("optimizers.lr_opt"), optim.NAMES, "sgd")
    study = study_lr(lr_name, frozen(lr_name), surface, start, steps)
    lesson.chart(fig.lr_sweep(study, labels(x="l_lr_axis", y="l_final_axis")), key="lr_sweep",
                 caption=t("optimizers.cap_sweep"))
    too_large = study.picks[2]
    lesson.diverged(study.race.diverged_at[too_large], f" (lr = {study.lrs[too_large]:g})")
    lesson.chart(fig.lr_panels(study, views.surface_map(surface, 50), labels()), key="lr_panels",
                 caption=t("optimizers.cap_panels"))
    st.subheader(t("optimizers.sched_title"))
    curves = views.schedule_curves(steps)
    lesson.chart(fig.schedule_curves(curves, schedule, labels([t(f"optimizers.sch_{s}") for s in curves],
                                                              x="common.step_axis", y="l_factor_axis")),
                 key="schedules", caption=t("optimizers.cap_sched"))

with tab_noise:
    st.markdown(t("optimizers.noise_intro"))
    c1, c2, c3, c4 = st.columns(4)
    noise = controls.slider("noise", t("optimizers.noise"), 0.0, 5.0, 1.0, 0.1, where=c1)
    decay = controls.log_slider("ema", t("optimizers.ema"), (0.5, 0.8, 0.9, 0.95, 0.98, 0.99), 0.9, where=c2)
    noise_steps = controls.slider("nsteps", t("optimizers.nsteps"), 10, 500, 150, where=c3)
    seed = controls.integer("seed", t("common.seed"), 0, 9999, 0, where=c4)
    pair = ("sgd", "adam")
    noisy = run_noisy(tuple((n, frozen(n)) for n in pair), surface, start, noise_steps, noise, seed, decay)
    for k, d in enumerate(noisy.race.diverged_at):
        lesson.diverged(d, f" ({opt_name(pair[k])})")
    names = [opt_name(n) for n in pair]
    lesson.chart(fig.noisy(noisy, views.surface_map(surface, 60), labels(names)), key="noisy",
                 caption=t("optimizers.cap_noise"))
    lesson.chart(fig.noisy_losses(noisy, labels(names, x="common.step_axis", y="common.loss_axis")),
                 key="noisy_loss", caption=t("optimizers.cap_noise_loss"))

lesson.try_this(PAGE)
lesson.explanation(PAGE)
