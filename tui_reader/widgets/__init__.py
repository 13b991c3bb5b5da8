"""The main screen's regions."""

from .article_view import ArticleView
from .headline_list import HeadlineList, HeadlinePager
from .key_bar import KeyBar
from .status_line import StatusLine
from .timeline import Timeline

__all__ = ["ArticleView", "HeadlineList", "HeadlinePager", "KeyBar", "StatusLine", "Timeline"]
