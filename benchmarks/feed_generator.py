"""``python -m benchmarks.feed_generator --aircraft N``: serve N synthetic aircraft live as Beast on a free port.

Prints ``serving N aircraft on 127.0.0.1:PORT``, serves until its standard input is closed, then prints
``late max S s`` (the most any slice of frames went out behind its schedule while a client was reading) and
``started T`` (when the latest client's first frame was due, UTC epoch s), and ends.
"""

from __future__ import annotations

import argparse
import sys
import threading

from commonsky.surveillance.feeds.synthetic import synthetic_fleet
from commonsky.surveillance.feeds.synthetic_live import SyntheticFeedServer

CENTRE = (50.0, 8.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--aircraft", type=int, default=5000)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    late = [0.0]
    with SyntheticFeedServer(synthetic_fleet(args.aircraft, CENTRE), port=args.port) as server:
        print(f"serving {args.aircraft} aircraft on 127.0.0.1:{server.port}", flush=True)
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.5):
                late[0] = max(late[0], server.late_s)

        threading.Thread(target=watch, daemon=True).start()
        sys.stdin.read()
        done.set()
        late[0] = max(late[0], server.late_s)
    print(f"late max {late[0]:.3f} s", flush=True)
    print(f"started {server.started_s:.6f}", flush=True)


if __name__ == "__main__":
    main()
