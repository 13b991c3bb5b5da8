"""``tui-reader show ID``: one story from the cache, read or piped from the shell.

It prints what the article pane shows: the title, the feed, author and date, the link,
the categories, and the body as the same Markdown (the full-text snapshot when there is
one, else the feed's body, else its summary). The ids are those of ``headlines --json``.
Feed text is cleaned again on its way to the terminal, as in every other command.
"""

from __future__ import annotations

from typing import Any

from .cli_format import _iso, _local, _print_json
from .core.errors import UserError
from .core.models import Article
from .core.sanitize import clean_block, clean_text
from .core.session import Session


def story(session: Session, article_id: int) -> Article:
    """The story with its Markdown made (as the app makes it when it first shows it)."""
    from .core.article_body import with_markdown  # markdownify: only when a story is shown

    found = session.store.article(article_id)
    if found is None:
        raise UserError(f"no story with id {article_id} "
                        "(the ids are in `tui-reader headlines --json`)")
    return with_markdown(found)


def _line(text: str | None) -> str | None:
    return None if text is None else clean_text(text)


def story_record(article: Article) -> dict[str, Any]:
    """What ``show --json`` prints: the story's fields and its body as Markdown (JSON
    escapes control characters, but not bidi overrides: the text is cleaned too)."""
    return {
        "id": article.id,
        "title": _line(article.title),
        "feed": _line(article.feed_title),
        "author": _line(article.author),
        "time": _iso(article.timestamp),
        "published": _iso(article.published),
        "updated": _iso(article.updated),
        "url": _line(article.url),
        "categories": [clean_text(c) for c in article.categories],
        "summary": _line(article.summary),
        "comments_url": _line(article.comments_url),
        "read": article.read,
        "bookmarked": article.bookmarked,
        "full_text": bool(article.fulltext_md),
        "body": clean_block(article.body_md),
    }


def story_text(article: Article) -> str:
    """The story as Markdown for people: a heading, a line of who and when, the link,
    the categories, then the body."""
    when = _local(article.published or article.updated or article.timestamp)
    byline = " · ".join(
        part for part in (clean_text(article.feed_title, 200), clean_text(article.author, 200),
                          when) if part
    )
    lines = [f"# {clean_text(article.title)}", "", byline]
    if article.url:
        lines.append(clean_text(article.url))
    if article.categories:
        lines.append("Categories: " + ", ".join(clean_text(c, 60) for c in article.categories))
    body = clean_block(article.body_md)
    return "\n".join(lines) + ("\n\n" + body if body else "")


def show(session: Session, article_id: int, *, as_json: bool) -> None:
    """Print one story, as text or as JSON."""
    article = story(session, article_id)
    if as_json:
        _print_json(story_record(article))
    else:
        print(story_text(article))
