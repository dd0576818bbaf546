"""Optimizers: race the eight update rules on 2-D surfaces, look inside one step, tune the learning rate."""

import streamlit as st

from core import surfaces  # the start sliders and the formula of the chosen surface
from lab import optimizers as views
from runs import shared
from figures import optimizers as fig
from ui import controls, lesson, live, livechart, teacher
from ui.i18n import current_lang, t

PAGE = "optimizers"
ss = st.session_state
S = views.SETTINGS
WORDS = ("start", "minimum", "arrow_grad", "arrow_momentum", "arrow_adaptive",
         "arrow_update", "lookahead", "path", "diverged_marker", "too_small", "good", "too_large", "diverged_at",
         "raw", "ema_label", "polyak")  # figure words, text keys l_<word>


def apply_preset():
    """Deep Learning from Scratch ch. 6: bowl, start (−7, 2), 30 steps, its four optimizers and rates."""
    ss.update(views.preset_controls())
    ss["_start_surface"] = ss["surface"]


def pick_start():
    """A click on the race map (a live chart: ui.livechart.clicked) becomes the start point, on the sliders' grid."""
    point = livechart.clicked("race")  # two finite numbers, or None
    if point is not None:
        for setting, value in zip(views.start_settings(ss.get("surface", "bowl")), point):
            ss[setting.key] = float(setting.snap(value))


def frozen(name):
    """Hashable hp of an optimizer: its race controls if it is in the race, else the page defaults."""
    return views.frozen_hp(name, ss if name in chosen else {})


def chart(build, key, caption, inputs, **selection):
    """A chart built and encoded once per setting, language and presenter mode, then shared by the whole class
    (``lesson.chart`` keeps the figures of a frame): ``inputs`` holds everything ``build`` reads but the words."""
    lesson.chart(build, key=key, caption=caption, cache=(PAGE, key, inputs),
                 **selection)


TABS = ("race", "step", "lr", "noise")  # ?tab=lr opens the learning-rate tab: a link a teacher can send


def open_tab() -> str:
    """The tab to show: the one this session opened last, else the link's (?tab=...), else the race."""
    if "_tab_id" not in ss:
        asked = st.query_params.get("tab")
        ss["_tab_id"] = asked if asked in TABS else TABS[0]
    return ss["_tab_id"]


def remember_tab():
    """Only the open tab is computed (a hidden tab costs nothing); the link names it."""
    label = ss.get(f"_tab_{current_lang()}")
    ss["_tab_id"] = next((tab for tab in TABS if t(f"optimizers.tab_{tab}") == label), TABS[0])
    if ss["_tab_id"] == TABS[0]:
        st.query_params.pop("tab", None)
    else:
        st.query_params["tab"] = ss["_tab_id"]


def sched_label(name):
    return t(f"optimizers.sch_{name}") if name in views.SCHEDULE_NAMES else name


def opt_name(name):
    return t(f"common.opt_{name}")


def labels(names=(), **axes):
    """A figure's labels: the page's figure words, its axis titles (text keys) and its series names."""
    return {**words, **lesson.labels(PAGE, **axes), "names": list(names)}


lesson.header(PAGE)
words = lesson.labels(PAGE, **{word: f"l_{word}" for word in WORDS})

side = lesson.sidebar_controls(PAGE)
preset_mode = teacher.inputs_mode(views.preset_controls())  # the preset sets these controls: locked with them
if preset_mode != "hidden":
    side.button(t("optimizers.preset"), on_click=apply_preset, help=t("optimizers.preset_help"), key="_preset",
                icon=":material/menu_book:", width="stretch", disabled=preset_mode == "locked")
surface = controls.draw(S["surface"], where=side)
surf = surfaces.get(surface)
if ss.get("_start_surface", surface) != surface:  # a new surface starts from its own start point
    ss["x0"], ss["y0"] = surf.default_start
ss["_start_surface"] = surface
start = tuple(controls.draw(s, where=side) for s in views.start_settings(surface))
steps, chosen = controls.draw(S["steps"], where=side), controls.draw(S["opts"], where=side)
for name in chosen:
    box = side.expander(t("optimizers.settings_of", name=opt_name(name)))
    for setting in views.hp_settings(name):
        controls.draw(setting, where=box)
schedule, show3d = controls.draw(S["schedule"], where=side), controls.draw(S["view3d"], where=side)
lesson.formula(f"f(x, y) = {surf.latex}")


def race_tab():
    if not chosen:
        st.info(t("optimizers.empty"))
        return
    names = [opt_name(n) for n in chosen]
    inputs = (tuple((n, frozen(n)) for n in chosen), surface, start, steps, schedule)
    race = views.race_of(*inputs)
    for k, d in enumerate(race.diverged_at):
        lesson.diverged(d, f" ({names[k]})")
    frames = views.frame_steps(steps)
    clicks = dict(on_click=pick_start) if teacher.inputs_mode(("x0", "y0")) is None else {}

    def view(frame):
        moved = (ss.get("x0"), ss.get("y0"))
        if moved != start and ss.get("_race_moved") != moved:  # a click on the map (a rerun of this view only)
            ss["_race_moved"] = moved  # moved the start: once, so a start the sliders cannot show never loops
            st.rerun()
        lesson.chart(lambda f: fig.race(race, views.map_of(surface), frames, labels(names), upto=f.step), "race",
                     t("optimizers.cap_race"), frame=frame, numbers=True, **clicks)

    race_col, ask_col = st.columns([5, 2], gap="medium")  # the question beside the map that answers it
    with ask_col:
        lesson.predict(PAGE, "q1", 4)
    with race_col:  # played, paused and stepped with the page's buttons: its frames are the race's steps
        spec = views.race_run(*inputs)
        shared.complete(spec)  # nothing to train: the race is computed, a frame is a step to show
        live.panel("race", spec, view, total_steps=steps, start="last", play_label=t("optimizers.play"))
    chart(lambda: fig.losses(race, labels(names, x="common.step_axis", y="common.loss_axis")), "race_loss",
          t("optimizers.cap_loss"), inputs)
    if show3d:
        chart(lambda: fig.surface3d(views.map_of(surface, 60), views.on_surface(race),
                                    labels(names, z="common.loss_axis", z_log="l_level_log")),
              "race_3d", t("optimizers.cap_3d"), inputs)


def step_tab():
    st.info(t("optimizers.convention"))
    left, right = st.columns(2)
    name = controls.draw(S["inspect"], where=left)
    hp = frozen(name)
    run = views.race_of(((name, hp),), surface, start, steps, schedule)
    last_ok = int(run.valid_len[0]) - 1  # the last step whose result is still finite
    if ss.get("at_step", 1) > steps:
        ss["at_step"] = steps
    at = min(controls.draw(S["at_step"].but(hi=steps), where=right), max(last_ok, 1))
    lesson.diverged(run.diverged_at[0], f" ({opt_name(name)})")
    if last_ok >= 1:
        info = views.inside_of(name, hp, surface, start, at, schedule, steps)
        chart(lambda: fig.inside_step(info, run.paths[0, :at + 1], labels()), "inside", t("optimizers.cap_step"),
              (name, hp, surface, start, at, schedule, steps))
        lesson.formula(fig.step_latex(info))


def lr_tab():
    st.markdown(t("optimizers.lr_intro"))
    lr_name = controls.draw(S["lr_opt"])
    inputs = (lr_name, frozen(lr_name), surface, start, steps)
    study = views.lr_study_of(*inputs)
    chart(lambda: fig.lr_sweep(study, labels(x="l_lr_axis", y="l_final_axis")), "lr_sweep", t("optimizers.cap_sweep"),
          inputs)
    too_large = study.picks[2]
    lesson.diverged(study.race.diverged_at[too_large], f" (lr = {study.lrs[too_large]:g})")
    chart(lambda: fig.lr_panels(study, views.map_of(surface, 50), labels()), "lr_panels", t("optimizers.cap_panels"),
          inputs)
    lesson.section(t("optimizers.sched_title"), anchor="schedules")
    shown = controls.draw(S["scheds"])
    curves = views.schedules_of(steps)
    names = [t("optimizers.l_in_race", name=sched_label(s)) if s == schedule else sched_label(s) for s in curves]
    chart(lambda: fig.schedule_curves(curves, shown, schedule, labels(names, x="common.step_axis",
                                                                      y="l_factor_axis")),
          "schedules", t("optimizers.cap_sched"), (steps, tuple(shown), schedule))


def noise_tab():
    st.markdown(t("optimizers.noise_intro"))
    c1, c2, c3, c4 = st.columns(4)
    noise, decay, noise_steps, seed = (controls.draw(S[k], where=col)
                                       for k, col in zip(("noise", "ema", "nsteps", "seed"), (c1, c2, c3, c4)))
    pair = views.NOISY_PAIR
    inputs = (tuple((n, frozen(n)) for n in pair), surface, start, noise_steps, noise, seed, decay)
    noisy = views.noisy_of(*inputs)
    for k, d in enumerate(noisy.race.diverged_at):
        lesson.diverged(d, f" ({opt_name(pair[k])})")
    names = [opt_name(n) for n in pair]
    chart(lambda: fig.noisy(noisy, views.map_of(surface, 60), labels(names)), "noisy", t("optimizers.cap_noise"),
          inputs)
    chart(lambda: fig.noisy_losses(noisy, labels(names, x="common.step_axis", y="common.loss_axis")), "noisy_loss",
          t("optimizers.cap_noise_loss"), inputs)


# Only the open tab runs (Streamlit's lazy tabs): a control of one tab never recomputes the other three.
tabs = st.tabs([t(f"optimizers.tab_{tab}") for tab in TABS], default=t(f"optimizers.tab_{open_tab()}"),
               key=f"_tab_{current_lang()}", on_change=remember_tab)
for tab, draw in zip(tabs, (race_tab, step_tab, lr_tab, noise_tab)):
    if tab.open is not False:
        with tab:
            draw()

lesson.quick_checks(PAGE, views.quick_checks(
    views.race_of(tuple((n, frozen(n)) for n in (chosen or views.DEFAULTS.opts)), surface, start, steps, schedule), steps))
lesson.try_this(PAGE)
lesson.explanation(PAGE)
