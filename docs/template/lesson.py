"""lessons/<slug>.py of the template lesson (docs/PAGES.md): controls -> one call into lab -> figures -> captions."""
from figures import template as fig
from lab import template as lab
from ui import controls, lesson, live
from ui.i18n import t

PAGE = "template"
lesson.header(PAGE)  # title and the two sentences of what the student will see

side = lesson.sidebar_controls(PAGE)
lr, steps, seed = (controls.draw(s, where=side) for s in lab.SETTINGS)  # each control from its declaration


def view(frame):  # draws one frame of the shared run; every student of the class sees the same frames
    words = lesson.labels(PAGE, title="path_title", x="common.step_axis", y="w_axis")
    # the builder takes the frame: the frames a tick moved over are each drawn, and the browser plays them in turn
    lesson.chart(lambda f: fig.path_chart(f.data, words), key="path", caption=t("template.cap_path"), frame=frame,
                 numbers=True)  # the key chart: its numbers under "Show the numbers"


live.panel(PAGE, lab.descent_run(lr, steps, seed), view, total_steps=steps, start="last")
lesson.formula(r"w \leftarrow w - {lr}\cdot 2w", lr=lr)
lesson.quick_checks(PAGE, lab.quick_checks(lr))  # three questions answered by the lab at this setting
lesson.try_this(PAGE)
lesson.explanation(PAGE)
