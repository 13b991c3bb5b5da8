"""Sync with a feed server the user already runs (issue 11): tui-reader as one more client.

``account`` reads ``[sync]`` and finds the password, ``protocol`` is what a server's client
offers (``fever`` is the one so far), ``engine`` runs one sync. The cache's side is
``core/store/sync_state.py``. Nothing here is imported until a sync runs.
"""
