import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from liveblog import services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Publish scheduled posts whose time has come, through the same service as a "
        "reporter's publish (so readers get them live). --loop keeps checking."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="seconds between checks (--loop)"
        )

    def handle(self, *args: Any, loop: bool = False, interval: float = 5.0, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        if loop:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        while True:
            try:
                published = services.publish_scheduled_posts()
            except Exception:
                if not loop:
                    raise
                # A database hiccup must not end the scheduler; try again next round.
                logger.exception("publishing scheduled posts failed")
                published = []
            for post in published:
                self.stdout.write(f"Published scheduled post {post.pk}: {post}")
            if not loop or stopping:
                return
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
            if stopping:
                return
