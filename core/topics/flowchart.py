"""Draws a topic's steps as an SVG flowchart with Graphviz; the only module that knows Graphviz.

The SVG is inlined in portal pages, so it carries no XML prolog or DOCTYPE. Rendering runs the ``dot``
program (Debian package ``graphviz``); the same drawing is answered from a cache afterwards.
"""

import re
import subprocess
from collections.abc import Mapping, Sequence
from functools import lru_cache
from html import escape

import graphviz

from core.errors import AppError
from core.topics.schemas import StepKind, TopicIn, TopicStep

FONT = "WenQuanYi Micro Hei"
_SHAPES: dict[StepKind, dict[str, str]] = {
    StepKind.START: {"shape": "box", "style": "rounded,filled", "fillcolor": "#e3f1e6", "color": "#3b8a4f"},
    StepKind.END: {"shape": "box", "style": "rounded,filled", "fillcolor": "#e3f1e6", "color": "#3b8a4f"},
    StepKind.STEP: {"shape": "box", "style": "filled", "fillcolor": "#eef4fb", "color": "#4a79a8"},
    StepKind.DECISION: {"shape": "diamond", "style": "filled", "fillcolor": "#fff5dc", "color": "#b78a1d"},
}
_LINK_COLOUR = "#1d5fa8"
# Graphviz titles every node and edge with its id ("s1", "s1->s2"), which browsers would show on hover.
_NOISE = re.compile(r"<title>[^<]*</title>\n?|<!--.*?-->\n?", re.S)


class FlowchartUnavailable(AppError):
    """Graphviz could not draw the chart (not installed, or it failed)."""

    status_code = 503
    code = "flowchart_unavailable"


def _label(step: TopicStep, department: str, linked: bool) -> str:
    # An HTML-like label: every text is escaped, so nothing an admin types can become markup.
    lines = [f"<B>{escape(step.name)}</B>"]
    if department:
        lines.append(f'<FONT POINT-SIZE="10" COLOR="#555555">{escape(department)}</FONT>')
    if step.duration:
        lines.append(f'<FONT POINT-SIZE="9" COLOR="#777777">{escape(step.duration)}</FONT>')
    if linked:
        lines.append(f'<FONT POINT-SIZE="9" COLOR="{_LINK_COLOUR}">查看办事指南 ›</FONT>')
    return "<" + "<BR/>".join(lines) + ">"


def dot_source(steps: Sequence[TopicStep], department_names: Mapping[str, str], item_links: Mapping[str, str]) -> str:
    """The Graphviz description of the flowchart: one node per step, an arrow to each of its next steps."""
    chart = graphviz.Digraph(name="topic")
    chart.attr(rankdir="TB", nodesep="0.35", ranksep="0.4", bgcolor="transparent")
    chart.attr("node", fontname=FONT, fontsize="12", margin="0.18,0.08", penwidth="1.2")
    chart.attr("edge", fontname=FONT, color="#6b7785", arrowsize="0.8")
    for step in steps:
        link = item_links.get(step.service_item_code or "")
        attributes = dict(_SHAPES[step.kind])
        if link:
            attributes |= {"URL": link, "target": "_top", "tooltip": f"{step.name}：查看办事指南", "penwidth": "2"}
        chart.node(step.key, _label(step, department_names.get(step.department_code, ""), bool(link)), **attributes)
    for step in steps:
        for target in step.next:
            chart.edge(step.key, target)
    return str(chart.source)


@lru_cache(maxsize=64)
def _render(source: str, title: str) -> str:
    # Keyed by the Graphviz description, which holds every input that changes the drawing.
    try:
        svg = graphviz.pipe("dot", "svg", source.encode("utf-8")).decode("utf-8")
    except graphviz.ExecutableNotFound as exc:
        raise FlowchartUnavailable("流程图暂时无法生成：服务器未安装 Graphviz，请联系管理员") from exc
    except subprocess.SubprocessError as exc:  # graphviz.CalledProcessError among them
        raise FlowchartUnavailable("流程图暂时无法生成，请稍后再试") from exc
    svg = _NOISE.sub("", svg[svg.index("<svg") :])
    return svg.replace("<svg ", f'<svg class="flowchart" role="img" aria-label="{escape(title)}流程图" ', 1)


def topic_svg(topic: TopicIn, department_names: Mapping[str, str], item_links: Mapping[str, str]) -> str:
    """The flowchart as an ``<svg>`` element to inline in HTML; steps with a service item link to its guide.

    ``department_names`` maps department codes to the names shown, ``item_links`` service item codes to URLs.
    """
    return _render(dot_source(topic.steps, department_names, item_links), topic.title)
