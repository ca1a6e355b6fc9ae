"""Sidebar settings generated from the registry and the config dataclasses, bound to the URL.

Every widget's key is ``<page>.<section>.<field>`` (section = task, model or train) and is bound to
the query parameter of the same name, so the address bar always holds the page's whole
configuration (values equal to their defaults are left out to keep links short). Opening such a
link on a fresh server restores the same settings.

Ranges, defaults, choices and help come from :func:`core.config.describe`; the task's own
defaults per architecture (``Task.defaults``) and the architecture's presets decide the starting
values. Changing the architecture or the preset resets the model and training knobs to the new
defaults (the data settings, the seed and the device stay).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import streamlit as st

from core.config import ConfigError, FieldInfo, describe
from core.registry import compatible, get_arch, get_task, make_config
from core.tasks.base import Task
from core.train import TrainConfig, available_devices
from playground.hosted import Limits, limits
from playground.i18n import arch_summary, arch_title, field_help, field_label, t

BIND = "query-params"
TRAIN_MAIN = ("epochs", "batch_size", "lr", "optimizer")
TRAIN_SPECIAL = ("seed", "device", "amp", "max_params", "max_seconds", "snapshots")


@dataclass(frozen=True)
class PageConfig:
    """What a task page shows in its sidebar (the page file passes one of these)."""

    page: str  # widget key prefix and URL path, e.g. "stock"
    task: str  # task name in the registry
    default_arch: str | None = None
    hide: frozenset[str] = frozenset()  # "model.explicit", "task.val_frac", ...
    # "task.date_column" -> ("task.source", {"upload"}): show a field only for some values of another
    show_if: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    upload_types: tuple[str, ...] = ("csv", "txt")
    # the page in the navigation: its icon and its place among the task pages (ascending). The app
    # reads the view's CONFIG from its source without importing it (no torch for the home page),
    # so these two, page and task are literals (or names of module-level string constants)
    icon: str = field(kw_only=True)  # e.g. ":material/show_chart:"
    order: int = field(kw_only=True)


@dataclass
class Chosen:
    """The page's settings as read from the widgets, and the planned run (or why there is none)."""

    page: str
    task: type[Task]
    arch: str
    preset: str | None
    settings: dict[str, Any]
    upload: bytes | None = None
    upload_name: str | None = None
    waiting_for_upload: bool = False
    query: dict[str, str] = field(default_factory=dict)  # non-default values, for the share link
    params_slot: Any = None  # placeholder in the Model section for the live parameter count

    def key(self, section: str, name: str) -> str:
        return f"{self.page}.{section}.{name}"


# ---------------------------------------------------------------------------------------------
# Defaults
# ---------------------------------------------------------------------------------------------


def model_defaults(task: type[Task], arch: str, preset: str | None = None) -> dict[str, Any]:
    """Starting values of the model knobs: the preset, else the task's defaults for the architecture."""
    a = get_arch(arch)
    try:
        if preset:
            cfg = make_config(arch, preset=preset)
        else:
            overrides, _ = task.defaults(arch)
            cfg = make_config(arch, {k: v for k, v in overrides.items() if k not in a.pinned})
    except ConfigError:
        cfg = a.default_config()
    return dataclasses.asdict(cfg)


def train_defaults(task: type[Task], arch: str) -> dict[str, Any]:
    _, overrides = task.defaults(arch)
    values = {**dataclasses.asdict(TrainConfig()), **overrides}
    # a page's run ends once it has shown what it can do (the command line trains all epochs)
    values["stop_at_target"] = task.primary.target is not None
    lim = limits()
    if lim.max_epochs:
        values["epochs"] = min(int(values["epochs"]), lim.max_epochs)
    return values


def task_defaults(task: type[Task]) -> dict[str, Any]:
    return dataclasses.asdict(task.options())


# ---------------------------------------------------------------------------------------------
# One widget per field
# ---------------------------------------------------------------------------------------------


def _clean(x: float) -> float:
    return float(f"{x:.6g}")


def log_options(lo: float, hi: float, default: Any, integer: bool) -> list:
    """Roughly geometric choices between lo and hi (1-2-3-5 per decade; 1-1.5 per octave for
    integers, plus every integer up to 10), always including lo, hi and the default."""
    values: set = set()
    if integer:
        lo_i, hi_i = int(lo), int(hi)
        k = 0
        while 2**k <= hi_i:
            for m in (1.0, 1.5):
                v = int(round(m * 2**k))
                if lo_i <= v <= hi_i:
                    values.add(v)
            k += 1
        values.update(range(lo_i, min(hi_i, 10) + 1))  # every small count is a choice
        values.update({lo_i, hi_i, int(default)})
        return sorted(values)
    lo_f = max(float(lo), 1e-12)
    for e in range(math.floor(math.log10(lo_f)), math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 3, 5):
            v = _clean(m * 10.0**e)
            if lo_f <= v <= hi:
                values.add(v)
    values.update({_clean(lo_f), _clean(float(hi)), _clean(float(default))})
    return sorted(values)


def ui_range(section: str, info: FieldInfo, lim: Limits) -> tuple[float | None, float | None]:
    lo, hi = info.lo, info.hi
    if section == "train" and info.name == "lr" and hi is not None:
        hi = min(hi, 1.0)
    if section == "train" and info.name == "epochs" and lim.max_epochs and hi is not None:
        hi = min(hi, lim.max_epochs)
    return lo, hi


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _in_range(v: Any, lo: float | None, hi: float | None) -> Any:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return v
    if lo is not None and v < lo:
        v = type(v)(lo)
    if hi is not None and v > hi:
        v = type(v)(hi)
    return v


def url_value(
    raw: str, options: list | None, info: FieldInfo, lo: Any, hi: Any, default: Any
) -> tuple[Any, bool]:
    """What a share link's ``raw`` value means for a field whose widget offers ``options`` (None for
    free inputs within lo..hi): (value, replaced). An equivalent spelling ("1.0" for the option 1,
    "TRUE", "Adam") gives that value with replaced False; a value the widget cannot take gives the
    nearest value it can (a number) or the default, with replaced True."""
    text = str(raw).strip()
    if info.type is bool:
        words = {
            "true": True,
            "1": True,
            "yes": True,
            "on": True,
            "false": False,
            "0": False,
            "no": False,
            "off": False,
        }
        if text.lower() in words:
            return words[text.lower()], False
        return bool(default), True
    if options is not None and not all(
        isinstance(o, int | float) and not isinstance(o, bool) for o in options
    ):
        for o in options:
            if text == str(o):
                return o, False
        for o in options:
            if text.lower() == str(o).lower():
                return o, False
        return default, True
    if info.type not in (int, float):
        return text, False
    try:
        number = float(text)
    except ValueError:
        return default, True
    if not math.isfinite(number):
        return default, True
    if options:
        for o in options:
            if math.isclose(number, o, rel_tol=1e-9, abs_tol=1e-12):
                return o, False
        positive = number > 0 and all(o > 0 for o in options)
        if positive:  # the nearest choice on the slider's (roughly geometric) scale
            near = min(options, key=lambda o: abs(math.log(o) - math.log(number)))
        else:
            near = min(options, key=lambda o: abs(o - number))
        return near, True
    value = _in_range(number, lo, hi)
    if info.type is int:
        whole = int(round(value))
        return whole, whole != number
    return float(value), value != number


def check_url(
    key: str, options: list | None, info: Any, lo: Any, hi: Any, default: Any, label: str | None = None
) -> None:
    """Before a URL-bound widget is first drawn: read its value in the address the way a person
    means it. Streamlit itself drops a value that is not exactly one of the widget's (``lr=1.0``
    for the choice ``1``, a batch size between two choices) and shows the default without a word;
    here an equivalent spelling is taken as that value, and anything else is replaced by the
    nearest allowed value (or the default) and noted, for :func:`show_url_notes` to say so."""
    ss = st.session_state
    if key in ss:
        return  # not the first run of this widget: the address holds what the widget shows
    try:
        raw = st.query_params.get(key)
    except Exception:  # noqa: BLE001 - no query parameters here (bare mode)
        return
    if raw is None:
        return
    value, replaced = url_value(raw, options, info, lo, hi, default)
    ss[key] = value
    if replaced:
        page = key.split(".", 1)[0]
        notes = ss.setdefault(f"{page}._url_notes", {})
        notes[key] = (str(raw), value, label or field_label(info.name))


def show_url_notes(page: str) -> None:
    """Say which values of the address were replaced, and by what (until the setting is changed)."""
    ss = st.session_state
    notes = ss.get(f"{page}._url_notes") or {}
    for key, (raw, value, label) in list(notes.items()):
        if key in ss and ss[key] != value:
            notes.pop(key)  # changed since: nothing to explain any more
            continue
        st.warning(
            t("settings.url_replaced", label=label, param=key, value=raw, now=_fmt(value)),
            icon=":material/link_off:",
        )


def field_widget(
    container: Any,
    page: str,
    section: str,
    info: FieldInfo,
    default: Any,
    lim: Limits,
    *,
    on_change: Callable[[], None] | None = None,
) -> Any:
    """Draw the widget for one config field and return its value.

    bool -> toggle; choices -> selectbox; log-scaled numbers and wide integer ranges -> a select
    slider over roughly geometric values; other bounded numbers -> slider; unbounded or very wide
    ranges -> number input; strings -> text input.
    """
    key = f"{page}.{section}.{info.name}"
    label = field_label(info.name)
    help_text = field_help(section, info.name, info.help, page) or None
    common: dict[str, Any] = {"key": key, "help": help_text, "bind": BIND}
    if on_change is not None:
        common["on_change"] = on_change
    if info.type is bool:
        check_url(key, None, info, None, None, bool(default))
        return container.toggle(label, value=bool(default), **common)
    if info.choices:
        options = list(info.choices)
        index = options.index(default) if default in options else 0
        check_url(key, options, info, None, None, options[index])
        return container.selectbox(label, options, index=index, **common)
    if info.type in (int, float):
        integer = info.type is int
        lo, hi = ui_range(section, info, lim)
        default = _in_range(int(default) if integer else float(default), lo, hi)
        bounded = lo is not None and hi is not None
        wide_int = integer and bounded and (hi - lo) > 512 and lo >= 1
        choices = bounded and (info.log or wide_int) and (lo > 0 or integer)
        offered = widget_values(section, info, default, lim) if choices or integer else None
        check_url(key, offered, info, lo, hi, default)  # a float slider takes any value in range
        if bounded and (info.log or wide_int) and (lo > 0 or integer):
            options = log_options(lo, hi, default, integer)
            return container.select_slider(
                label, options=options, value=default, format_func=_fmt if not integer else str, **common
            )
        if bounded and ((integer and hi - lo <= 512) or (not integer and hi - lo <= 100)):
            if integer:
                step = int(info.step or 1)
                return container.slider(label, int(lo), int(hi), int(default), step=step, **common)
            step = float(info.step or _nice_step(float(hi) - float(lo)))
            return container.slider(
                label, float(lo), float(hi), float(default), step=step, format="%g", **common
            )
        if integer:
            return container.number_input(
                label,
                min_value=int(lo) if lo is not None else None,
                max_value=int(hi) if hi is not None else None,
                value=int(default),
                step=int(info.step or 1),
                **common,
            )
        return container.number_input(
            label,
            min_value=float(lo) if lo is not None else None,
            max_value=float(hi) if hi is not None else None,
            value=float(default),
            step=float(info.step or 1.0),
            format="%g",
            **common,
        )
    return container.text_input(label, value=str(default), **common)


def widget_values(section: str, info: FieldInfo, default: Any, lim: Limits) -> list | None:
    """The values the task page's widget for this numeric field offers (what a share link can set),
    or None for free inputs. Mirrors :func:`field_widget`."""
    if info.type not in (int, float) or info.choices or isinstance(default, bool):
        return None
    integer = info.type is int
    lo, hi = ui_range(section, info, lim)
    if lo is None or hi is None:
        return None
    default = _in_range(int(default) if integer else float(default), lo, hi)
    wide_int = integer and (hi - lo) > 512 and lo >= 1
    if (info.log or wide_int) and (lo > 0 or integer):
        return log_options(lo, hi, default, integer)
    if integer and hi - lo <= 512:
        step = int(info.step or 1)
        return list(range(int(lo), int(hi) + 1, step))
    if not integer and hi - lo <= 100:
        step = float(info.step or _nice_step(float(hi) - float(lo)))
        n = int(round((float(hi) - float(lo)) / step))
        return [_clean(float(lo) + i * step) for i in range(n + 1)]
    return None


def _nice_step(span: float) -> float:
    raw = span / 100
    p = 10 ** math.floor(math.log10(raw)) if raw > 0 else 0.01
    for m in (1, 2, 5, 10):
        if m * p >= raw:
            return _clean(m * p)
    return _clean(10 * p)


# ---------------------------------------------------------------------------------------------
# Callbacks: switching architecture or preset resets the model and training knobs
# ---------------------------------------------------------------------------------------------


def _reset_knobs(page: str, task_name: str) -> None:
    task = get_task(task_name)
    arch = st.session_state.get(f"{page}.arch")
    if not arch:
        return
    preset = st.session_state.get(f"{page}.preset") or None
    if preset and preset not in get_arch(arch).presets:
        preset = None
        st.session_state[f"{page}.preset"] = ""
    md = model_defaults(task, arch, preset)
    for info in get_arch(arch).knobs():
        st.session_state[f"{page}.model.{info.name}"] = md[info.name]


def _on_arch_change(page: str, task_name: str) -> None:
    st.session_state[f"{page}.preset"] = ""
    _reset_knobs(page, task_name)
    arch = st.session_state.get(f"{page}.arch")
    if arch:
        td = train_defaults(get_task(task_name), arch)
        for info in describe(TrainConfig):
            if info.name not in ("seed", "device"):
                st.session_state[f"{page}.train.{info.name}"] = td[info.name]


def reset_page(pc: PageConfig) -> None:
    """Put every setting of a page back to its default (which also takes it out of the URL).

    Values are written rather than deleted: a deleted key of a URL-bound widget would be read
    back from the query parameter that is still in the address bar.
    """
    task = get_task(pc.task)
    archs = compatible(pc.task)
    arch = pc.default_arch if pc.default_arch in archs else archs[0]
    ss = st.session_state
    ss[f"{pc.page}.arch"] = arch
    if f"{pc.page}.preset" in ss:
        ss[f"{pc.page}.preset"] = ""
    lim = limits()
    values: dict[str, Any] = {}
    for info in describe(task.options):
        values[f"task.{info.name}"] = (info, task_defaults(task)[info.name])
    md = model_defaults(task, arch)
    for info in get_arch(arch).knobs():
        values[f"model.{info.name}"] = (info, md[info.name])
    td = train_defaults(task, arch)
    for info in describe(TrainConfig):
        values[f"train.{info.name}"] = (info, td[info.name])
    for name, (info, default) in values.items():
        section = name.split(".", 1)[0]
        v = _in_range(default, *ui_range(section, info, lim))
        if info.type is float and not isinstance(v, bool):
            v = float(v)
        ss[f"{pc.page}.{name}"] = v


# ---------------------------------------------------------------------------------------------
# The sidebar
# ---------------------------------------------------------------------------------------------


def _visible(pc: PageConfig, section: str, name: str, values: dict[str, Any]) -> bool:
    k = f"{section}.{name}"
    if k in pc.hide:
        return False
    cond = pc.show_if.get(k)
    if cond is None:
        return True
    other, allowed = cond
    return str(values.get(other)) in allowed


def shown_settings(pc: PageConfig, settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` without those the sidebar hides for these values (``pc.show_if``): what the
    page would train with them, e.g. a race's variant that changes the value another field
    depends on (no embedding learning rate for a word embedding that starts random)."""
    out = {}
    for key, value in settings.items():
        section, _, name = key.partition(".")
        if _visible(pc, section, name, settings):
            out[key] = value
    return out


def _all_knob_names(task_name: str) -> list[str]:
    """Model knobs of every architecture that serves the task, in a fixed order."""
    names: list[str] = []
    for arch in compatible(task_name):
        for info in get_arch(arch).knobs():
            if info.name not in names:
                names.append(info.name)
    return names


def sidebar(pc: PageConfig) -> Chosen:
    """Draw the settings in the sidebar and return what they say.

    Every widget sits in a placeholder of its own that is drawn on every run, used or not, so a
    widget keeps its place when others appear or disappear (another architecture's knobs, an
    upload box, the preset box). Streamlit's frontend loses a URL-bound widget's binding when the
    widget moves to a new place, and later changes would then no longer reach the address bar.
    """
    lim = limits()
    task = get_task(pc.task)
    sb = st.sidebar
    archs = compatible(pc.task)
    default_arch = pc.default_arch if pc.default_arch in archs else archs[0]
    sb.header(t("settings.header"))
    arch_field = dataclasses.replace(describe(TrainConfig)[0], name="arch", type=str, choices=tuple(archs))
    check_url(f"{pc.page}.arch", archs, arch_field, None, None, default_arch, t("settings.arch"))
    arch = sb.selectbox(
        t("settings.arch"),
        archs,
        index=archs.index(default_arch),
        key=f"{pc.page}.arch",
        bind=BIND,
        help=t("settings.arch_help"),
        on_change=_on_arch_change,
        args=(pc.page, pc.task),
    )
    a = get_arch(arch)
    sb.caption(f"**{arch_title(a)}** · {arch_summary(a)}")
    preset: str | None = None
    query: dict[str, str] = {}
    if arch != default_arch:
        query[f"{pc.page}.arch"] = arch
    preset_slot = sb.empty()  # always there, so that the widgets below keep their places
    if a.presets:
        options = ["", *a.presets]
        preset = (
            preset_slot.selectbox(
                t("settings.preset"),
                options,
                key=f"{pc.page}.preset",
                bind=BIND,
                format_func=lambda p: p or t("settings.no_preset"),
                help=t("settings.preset_help"),
                on_change=_reset_knobs,
                args=(pc.page, pc.task),
            )
            or None
        )
        if preset:
            query[f"{pc.page}.preset"] = preset

    settings: dict[str, Any] = {}
    values: dict[str, Any] = {}

    def put(section: str, info: FieldInfo, default: Any, container: Any) -> None:
        v = field_widget(container, pc.page, section, info, default, lim)
        settings[f"{section}.{info.name}"] = v
        values[f"{section}.{info.name}"] = v
        if _fmt(v) != _fmt(_in_range(default, *ui_range(section, info, lim))):
            query[f"{pc.page}.{section}.{info.name}"] = _fmt(v)

    # -- data
    upload = upload_name = None
    waiting = False
    tdef = task_defaults(task)
    with sb.expander(t("settings.data"), expanded=True):
        upload_slot = None
        for info in describe(task.options):
            slot = st.empty()
            if _visible(pc, "task", info.name, values):
                put("task", info, tdef[info.name], slot)
            if info.name == "source":
                upload_slot = st.empty()  # the file box right under the source it belongs to
        if upload_slot is None:
            upload_slot = st.empty()
        if values.get("task.source") == "upload":
            f = upload_slot.file_uploader(
                t("settings.upload"), type=list(pc.upload_types), key=f"{pc.page}.upload"
            )
            if f is None:
                waiting = True
            else:
                upload, upload_name = f.getvalue(), f.name

    # -- model
    mdef = model_defaults(task, arch, preset)
    knobs = {info.name: info for info in a.knobs()}
    with sb.expander(t("settings.model"), expanded=True):
        for name in _all_knob_names(pc.task):
            slot = st.empty()
            if name in knobs and _visible(pc, "model", name, values):
                put("model", knobs[name], mdef[name], slot)
        params_slot = st.empty()

    # -- training
    tdefs = train_defaults(task, arch)
    train_fields = {i.name: i for i in describe(TrainConfig)}
    with sb.expander(t("settings.training"), expanded=True):
        for name in TRAIN_MAIN:
            put("train", train_fields[name], tdefs[name], st)
        put("train", train_fields["seed"], tdefs["seed"], st)
        devices = ["auto", *available_devices()]
        dev_info = dataclasses.replace(train_fields["device"], choices=tuple(devices))
        put("train", dev_info, tdefs["device"] if tdefs["device"] in devices else "auto", st)
    with sb.expander(t("settings.advanced"), expanded=False):
        for name, info in train_fields.items():
            if name in TRAIN_MAIN or name in ("seed", "device"):
                continue
            slot = st.empty()
            if not info.serves(task.objective):  # e.g. teacher forcing: only models with a decoder
                continue
            if name == "amp" and "cuda" not in devices:
                continue
            if name == "stop_at_target" and task.primary.target is None:
                continue
            if name == "bucket_by_length" and not task.variable_length:
                continue
            if name in ("max_params", "max_seconds") and lim.hosted:
                continue
            if not _visible(pc, "train", name, values):
                continue
            put("train", info, tdefs[name], slot)
        if lim.hosted:
            st.caption(
                t(
                    "settings.hosted_caps",
                    epochs=lim.max_epochs,
                    params=f"{lim.max_params:,}",
                    seconds=f"{lim.max_seconds:g}",
                )
            )
    lang = st.session_state.get("lang", "en")
    if lang != "en":
        query["lang"] = lang
    show_url_notes(pc.page)  # on the page, under its title: the link's values that were replaced
    return Chosen(pc.page, task, arch, preset, settings, upload, upload_name, waiting, query, params_slot)


def apply_limits(settings: dict[str, Any]) -> dict[str, Any]:
    """Hosted mode: force the parameter and time budgets into the training settings."""
    lim = limits()
    out = dict(settings)
    if lim.hosted:
        out["train.max_params"] = lim.max_params
        out["train.max_seconds"] = lim.max_seconds
        if lim.max_epochs:
            out["train.epochs"] = min(int(out.get("train.epochs", lim.max_epochs)), lim.max_epochs)
    return out


# ---------------------------------------------------------------------------------------------
# Share links
# ---------------------------------------------------------------------------------------------


def share_url(url_path: str, query: dict[str, str], current_url: str | None = None) -> str:
    """The address that opens ``url_path`` with these settings, on the server that served this page."""
    if current_url is None:
        try:
            current_url = st.context.url
        except Exception:  # noqa: BLE001 - no browser context (tests, bare mode)
            current_url = None
    base = "http://localhost:8501/"
    if current_url:
        parts = urlsplit(current_url)
        path = parts.path or "/"
        segments = [s for s in path.split("/") if s]
        if segments and segments[-1] == url_path:
            segments = segments[:-1]
        prefix = "/" + "/".join(segments) + "/" if segments else "/"
        base = f"{parts.scheme}://{parts.netloc}{prefix}"
    qs = urlencode(sorted(query.items()))
    return base + url_path + (f"?{qs}" if qs else "")
