"""A story's Markdown, made from its cleaned feed HTML the first time it is shown.

Refreshes store each body as cleaned HTML (:func:`tui_reader.core.html_to_md.prepare_html`)
because converting every item cost ten times the rest of a refresh, and a reader opens
only a few of them. Whoever shows or exports a story converts it here; the UI then keeps
the result with :meth:`tui_reader.core.store.Store.save_markdown`.
"""

from __future__ import annotations

from dataclasses import replace

from .html_to_md import html_to_markdown
from .models import Article, ParsedItem


def with_markdown(article: Article) -> Article:
    """*article* with ``content_md`` filled in; the same object when it already was, so
    ``with_markdown(a) is not a`` says there is a conversion worth saving.

    CPU-bound (markdownify) for a few milliseconds on a typical story: run it off the
    event loop.
    """
    if article.content_md is not None:
        return article
    markdown = html_to_markdown(article.body_html or "", article.url)
    return replace(article, content_md=markdown, body_html=None)



def item_markdown(item: ParsedItem) -> str:
    """What the article pane will show for a freshly parsed item."""
    if item.body_html is None:
        return item.content_text
    return html_to_markdown(item.body_html, item.url)
