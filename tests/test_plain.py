"""Data text is escaped so Markdown and Plotly show it literally."""

from __future__ import annotations

from dashboard.plain import plain_markdown, plotly_text


def test_markdown_image_and_link_are_escaped():
    assert plain_markdown("![x](http://evil/img.png)") == r"\!\[x\]\(http\://evil/img\.png\)"
    assert plain_markdown("[click](http://evil)") == r"\[click\]\(http\://evil\)"


def test_markdown_html_bold_and_maths_are_escaped():
    assert plain_markdown("<img src=x onerror=alert(1)>") == r"\<img src=x onerror=alert\(1\)\>"
    assert plain_markdown("**bold**") == r"\*\*bold\*\*"
    assert plain_markdown("$x$") == r"\$x\$"
    assert plain_markdown(None) == ""
    assert plain_markdown("Leeds") == "Leeds"
    assert plain_markdown("a@b") == r"a\@b"


def test_plotly_text_escapes_html_after_cutting():
    assert (
        plotly_text('<a href="http://evil">a</a>')
        == "&lt;a href=&quot;http://evil&quot;&gt;a&lt;/a&gt;"
    )
    assert plotly_text("<b>bold</b>") == "&lt;b&gt;bold&lt;/b&gt;"
    # Cut to 4 characters ("ab<" + ellipsis) and only then escape: the entity stays whole.
    assert plotly_text("ab<cd", limit=4) == "ab&lt;…"
    assert plotly_text(None) == ""
