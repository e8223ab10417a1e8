"""Helpers that make text from a file or a form show as plain text.

Streamlit parses Markdown (and a little HTML) in ``st.write``, ``st.markdown``, ``st.title``,
``st.header``, ``st.subheader``, ``st.caption``, ``st.info/warning/error/success``, page-link
and status labels. Plotly renders a subset of HTML (``<a href>``, ``<b>``, ``<br>``) in titles,
axis titles, trace names, text labels, hover text and annotations. Data text passes through
these helpers before it reaches either.
"""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:@])")


def plain_markdown(text: object) -> str:
    """Returns ``text`` with every Markdown/HTML special character backslash-escaped.

    Parameters
    ----------
    text : object
        Any value; ``None`` becomes an empty string, others are passed through ``str``.

    Returns
    -------
    str
        A string that Streamlit's Markdown renderer shows literally, character for character.
    """
    if text is None:
        return ""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def plotly_text(text: object, limit: int | None = None) -> str:
    """Returns ``text`` (cut to ``limit`` characters first) HTML-escaped for a Plotly label.

    Parameters
    ----------
    text : object
        Any value; ``None`` becomes an empty string.
    limit : int, optional
        Longest length kept, with an ellipsis when cut. Cutting happens BEFORE escaping, so an
        entity such as ``&lt;`` is never cut in half.

    Returns
    -------
    str
        A string Plotly shows literally (no links, no bold, no line breaks from the data).
    """
    value = "" if text is None else str(text)
    if limit is not None and len(value) > limit:
        value = value[: max(limit - 1, 0)] + "…"
    return html.escape(value, quote=True)
