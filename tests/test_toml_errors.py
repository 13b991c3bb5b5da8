"""TOML syntax mistakes said in plain words, at the line where the user has to look (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_reader.core.config import load_settings
from tui_reader.core.errors import ConfigError

pytestmark = pytest.mark.timeout(60)


# -- TOML syntax mistakes in words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ('refresh_minutes = 30\ntheme = "abc\n', 2,
         'the string that starts on line 2 is not closed (a " is missing)'),
        ('refresh_minutes = 30\r\ntheme = "abc\r\n', 2,
         'the string that starts on line 2 is not closed (a " is missing)'),
        ('refresh_minutes = 30\ntheme = "abc', 2,
         'the string that starts on line 2 is not closed (a " is missing)'),
        ("theme = 'abc\nrefresh_minutes = 30\n", 1,
         "the string that starts on line 1 is not closed (a ' is missing)"),
        ("theme = 'abc\nrefresh_minutes = 30\ntheme2 = 'x'\n", 1,
         "the string that starts on line 1 is not closed (a ' is missing)"),
        ('# settings\ntheme = """abc\n\nrefresh_minutes = 30\n', 2,
         'the string that starts on line 2 is not closed (a """ is missing)'),
        ("theme = '''abc\n\nrefresh_minutes = 30\n", 1,
         "the string that starts on line 1 is not closed (a ''' is missing)"),
        ("refresh_minutes = 30\nretention_days = = 4\n", 2, "invalid value = 4"),
        ("theme = nord\n", 1, 'invalid value nord (text goes in quotes: "nord")'),
        ("theme = True\n", 1, "invalid value True (true and false are lower case)"),
        ("theme =\nrefresh_minutes = 1\n", 1, 'a value is missing after "="'),
        ("refresh_minutes = 1\n\nrefresh_minutes = 2\n", 3,
         "refresh_minutes is set a second time (first on line 1)"),
        ('[keys]\nbookmark = "b"\n\nbookmark = "c"\n', 4,
         "keys.bookmark is set a second time (first on line 2)"),
        ('[[feed]]\nurl = "a"\n[[feed]]\nurl = "b"\nurl = "c"\n', 5,
         "feed.url is set a second time (first on line 4)"),
        ('theme "nord"\n', 1, 'expected "=" after the key (key = value)'),
        ("theme\n", 1, 'expected "=" after the key (key = value)'),
        ("a = 1\nb = 2\n\n[keys\n", 4, "the table header is not closed (a ] is missing)"),
        ('[[feed]\nurl = "x"\n', 1, "the [[…]] header is not closed (]] is missing)"),
        ("[keys]\n[keys]\n", 2, "the table [keys] is declared twice (first on line 1)"),
        ("refresh_minutes = 1\n[refresh_minutes]\n", 2,
         "the table [refresh_minutes] uses a name that already holds a value (line 1)"),
        ("a = [1, 2\nb = 3\n", 1,
         'the array that starts on line 1 is not closed (a "]", or a "," between items, '
         "is missing)"),
        ('[keys]\nx = { a = "b"\n', 2,
         'the inline table that starts on line 2 is not closed (a "}" is missing; '
         "{ … } must fit on one line)"),
        ('[keys]\nx = { a = "b", a = "c" }\n', 2, "a is set twice in the inline table"),
        ("when = 2024-02-30\n", 1,
         "invalid date or time (write 2024-05-27, 07:32:00 or 2024-05-27T07:32:00Z)"),
        ('path = "C:\\path"\n', 1,
         'a backslash in a "…" string starts an escape: write \\\\ for a backslash, '
         "or use '…' quotes"),
        ('path = "C:\\Users"\n', 1,
         "\\u must be followed by 4 hex digits and \\U by 8: write \\\\ for a backslash, "
         "or use '…' quotes"),
        ('c = "\\uD800"\n', 1, "the \\u escape is not a valid Unicode character"),
        ("= 3\n", 1,
         'a line cannot start with "=" (write key = value, a [table] header or a # comment)'),
        ("[ ]\n", 1,
         'a key cannot start with "]" (keys are letters, digits, _ and -, or text in quotes)'),
        ("a = 1\n\n[keys] bookmark = 'b'\n", 3,
         "unexpected bookmark = 'b' after the table header (one key = value per line; "
         "comments start with #)"),
        ("when = 2024-13-45\n", 1,
         "unexpected -13-45 after the value (one key = value per line; comments start with #)"),
        ("a = 1 b = 2\n", 1,
         "unexpected b = 2 after the value (one key = value per line; comments start with #)"),
        ('theme = "a\x01b"\n', 1, "control character U+0001 in a string (write it as \\u0001)"),
        ("# a \x01 comment\n", 1, "control character U+0001 is not allowed here"),
        ("a.b = 1\na.b.c = 2\n", 2, "a.b already holds a value (line 1), so a.b.c cannot be set"),
        ("[keys]\nx = { a = 1 }\nx.b = 2\n", 3,
         "keys.x is already defined above (first on line 2) and cannot be extended here"),
        ("a = [1]\n[[a]]\n", 2,
         "a is already defined above (first on line 1) and cannot be extended here"),
    ],
)
def test_toml_mistakes_in_plain_words(tmp_path: Path, text: str, line: int, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert message == f"{path}:{line}: {expected}", message


def test_tomllib_messages_are_all_mapped() -> None:
    """Every message the installed tomllib can raise has plain words (a new Python that adds
    one shows up here, not in front of a user)."""
    import inspect
    import re
    import tomllib

    from tui_reader.core.toml_errors import KNOWN_MESSAGES

    source = Path(inspect.getsourcefile(tomllib) or "").with_name("_parser.py").read_text()
    found = re.findall(r'suffixed_err\(\s*src,\s*\w+,\s*f?"([^"{]+)', source)
    raised = {m.encode().decode("unicode_escape") for m in found}
    missing = {
        m for m in raised if not any(m.startswith(k) or k.startswith(m) for k in KNOWN_MESSAGES)
    }
    assert raised and not missing, missing




def test_deep_nesting_is_a_config_error_not_a_traceback(tmp_path: Path) -> None:
    """tomllib recurses once per level: a few thousand brackets exhaust Python's stack."""
    path = tmp_path / "config.toml"
    path.write_text("refresh_minutes = 5\nx = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"{path}:2: arrays or tables are nested too deeply"


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("refresh_minutes = 5\nrefersh_minutes = 5\n", 2,
         "unknown setting refersh_minutes (did you mean refresh_minutes?)"),
        ('# theme = false\n\n"theme" = false\n', 3, "theme must be a theme name, got false"),
        ('[keys]\n# bookmark = "b"\nquit = "q"\n"bookmark" = 3\n', 4,
         'keys.bookmark must be a key name like "ctrl+b", got 3'),
        ("[keys]\nrefresh = 'r'\n\n[theme]\n", 4, "theme must be a theme name, got {}"),
        ("concurrency = 2.5\n", 1, "concurrency must be a whole number, got 2.5"),
        ("timeout_seconds = inf\n", 1, "timeout_seconds must be between 1 and 300, got inf"),
        ('refresh_minutes = "\\u001b[2J"\n', 1,
         'refresh_minutes must be a number, got "\\u001b[2J"'),
    ],
)
def test_bad_settings_name_their_line_with_toml_values(
    tmp_path: Path, text: str, line: int, expected: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"{path}:{line}: {expected}"
