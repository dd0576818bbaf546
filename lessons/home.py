"""Home: what the lab teaches, the guided routes, a map of every page, and how to use it in class."""
import streamlit as st

from ui import classroom, nav, routes, teacher
from ui.i18n import t
from ui.lesson import header, section

header("home")
classroom.join_box()  # a student types the code the teacher shows

section(t("common.routes_title"), anchor="routes")
cols = st.columns(2)
for i, route in enumerate(routes.all_routes().values()):
    routes.overview_one(route, cols[i % 2])

section(t("home.map"), anchor="map")
for group in nav.GROUPS:
    specs = [p for p in nav.PAGES if p.group == group and p.slug != "home"]
    if not specs:
        continue
    st.markdown(f"**{t(f'common.group_{group}')}**")
    cols = st.columns(min(3, len(specs)))
    for i, spec in enumerate(specs):
        with cols[i % len(cols)].container(border=True):
            st.page_link(spec.path, label=t(f"{spec.slug}.nav"), icon=spec.icon)
            st.caption(t(f"{spec.slug}.summary"))

section(t("home.class_title"), anchor="in-class")
st.markdown(t("home.class"))
with st.expander(t("home.about_title"), expanded=False):
    st.markdown(t("home.about"))
teacher.finish_page(st.sidebar)
