"""Sphinx extension: collapsible "deep dive" blocks that can hold executed code cells.

A chapter's core path stays short when side analyses sit in blocks a reader opens on demand. A dropdown
admonition cannot hold a notebook's code cell: MyST-NB maps every cell to its own block, so a directive
opened in one markdown cell cannot enclose the next code cell (jupyter-book issue 1178). sphinx-exercise
solves this for solutions with "gated" start/end directives; no maintained extension offers the same for
other content, so this one does, in the same way::

    ```{deepdive-start} Is the split stable?
    ```
    ... markdown and code cells ...
    ```{deepdive-end}
    ```

Everything between the two markers becomes one admonition titled "Deep dive: <title>", with the classes
``deep-dive`` and ``dropdown`` (sphinx-togglebutton collapses it). With the ``:open:`` option the block
starts open (sphinx-togglebutton's ``toggle-shown`` class; the reader can still fold it), for side
content the page should show, such as an interactive chart. A start without its end, an end without
a start, a deep dive inside another, or one that spans a heading is a build error that names the line.
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective

TITLE_PREFIX = "Deep dive: "


class deepdive_start(nodes.Element):
    """Marker left by ``deepdive-start`` (its ``title``); replaced by the admonition."""


class deepdive_end(nodes.Element):
    """Marker left by ``deepdive-end``; removed when its block is built."""


class DeepDiveStart(SphinxDirective):
    """``deepdive-start <title>``: opens a deep dive; a ``deepdive-end`` later in the same section closes it.
    The ``:open:`` flag makes the block start unfolded."""

    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {"open": directives.flag}

    def run(self):
        node = deepdive_start(title=self.arguments[0].strip(), open="open" in self.options)
        self.set_source_info(node)
        return [node]


class DeepDiveEnd(SphinxDirective):
    """``deepdive-end``: closes the open deep dive."""

    def run(self):
        node = deepdive_end()
        self.set_source_info(node)
        return [node]


def _where(node) -> str:
    return f"{node.source or '?'}:{node.line or '?'}"


class MergeDeepDives(SphinxTransform):
    """Move the nodes between each start and end marker into a dropdown admonition."""

    default_priority = 200  # after parsing, before references are resolved

    def apply(self, **kwargs) -> None:
        for end in list(self.document.findall(deepdive_end)):
            siblings = end.parent.children
            if not any(isinstance(n, deepdive_start) for n in siblings[: siblings.index(end)]):
                raise ExtensionError(
                    f"{_where(end)}: deepdive-end without a deepdive-start before it in the same section "
                    "(a deep dive cannot span a heading)"
                )
        for start in list(self.document.findall(deepdive_start)):
            parent = start.parent
            i = parent.index(start)
            j = next((k for k in range(i + 1, len(parent)) if isinstance(parent[k], deepdive_end)), None)
            if j is None:
                raise ExtensionError(
                    f"{_where(start)}: deepdive-start {start['title']!r} has no deepdive-end after it in the "
                    "same section (close it before the next heading)"
                )
            body = parent.children[i + 1 : j]
            if any(isinstance(n, deepdive_start) for node in body for n in node.findall(deepdive_start)):
                raise ExtensionError(f"{_where(start)}: a deep dive cannot contain another deep dive")
            classes = ["deep-dive", "dropdown"] + (["toggle-shown"] if start.get("open") else [])
            block = nodes.admonition("", classes=classes)
            block.source, block.line = start.source, start.line
            block += nodes.title("", TITLE_PREFIX + start["title"])
            for node in body:
                parent.remove(node)
                block += node
            parent.replace(start, block)
            parent.remove(parent[parent.index(block) + 1])  # the end marker


def setup(app):
    app.add_directive("deepdive-start", DeepDiveStart)
    app.add_directive("deepdive-end", DeepDiveEnd)
    app.add_transform(MergeDeepDives)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
