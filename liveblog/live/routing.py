"""WebSocket routing: one path, `/ws/live/<slug>/`, served by liveblog.live.consumers.

The reader application matches the path itself: no router keeps a copy of the scope per
connection (about 1.5 KB each, 15 MB at 10,000 readers), and the server's scope is
never changed.
"""

from liveblog.live.consumers import live_reader

websocket_application = live_reader
