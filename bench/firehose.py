"""How fast the Bluesky bridge's firehose filter keeps up (issue 11: >= 5,000 posts/s of mixed
traffic on one core, < 1 % of them ours), against the same-run cost of decoding the frames alone.

Frames are recorded first from a real local PDS (tests/bridges/pds_support.py: Node 22 and
@atproto/dev-env, installed into ~/.cache/hashchat-test): posts by two accounts, some with the
chat's tag (a tag facet), most without. The recorded raw frames are then mixed to the stated
share (each recorded frame reused as many times as needed) and replayed in-process, so the figure
does not depend on the PDS's speed. Three passes over the same list, one core:

- decode: `Frame.from_bytes` + `parse_subscribe_repos_message` (the frame alone);
- decode + records: the above plus the CAR and every post record decoded (a naive filter);
- filter: `Frame.from_bytes` + `bridges.bluesky.TagFilter.read` (what the bridge runs).

    .venv/bin/python bench/firehose.py [--frames 50000] [--share 0.005]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from atproto import CAR, FirehoseSubscribeReposClient, models, parse_subscribe_repos_message
from atproto_subscription.frames import Frame

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "bridges"))

from pds_support import LocalPds, install  # noqa: E402

from hashchat.bridges.bluesky import BlueskyAccount, TagFilter  # noqa: E402

TAG = "EduChat"


class _Recorder(FirehoseSubscribeReposClient):  # type: ignore[misc]
    def __init__(self, base_uri: str, raw: list[bytes]) -> None:
        super().__init__(None, base_uri=base_uri)
        self.raw = raw

    def _decode_frame(self, raw_frame: Any) -> Any:
        self.raw.append(bytes(raw_frame))
        return super()._decode_frame(raw_frame)


def record(tagged: int, untagged: int) -> tuple[list[bytes], list[bytes]]:
    """Raw commit frames of posts with and without the tag, from a real local PDS."""
    problem = install()
    if problem is not None:
        raise SystemExit(f"cannot install the local PDS: {problem}")
    with tempfile.TemporaryDirectory() as tmp:
        pds = LocalPds.start(Path(tmp), ("alice.test", "bob.test"))
        try:
            raw: list[bytes] = []
            recorder = _Recorder(pds.firehose, raw)
            thread = threading.Thread(target=recorder.start, args=(lambda frame: None,))
            thread.start()
            time.sleep(1.5)
            with (
                BlueskyAccount(pds.service, "alice.test", pds.password) as alice,
                BlueskyAccount(pds.service, "bob.test", pds.password) as bob,
            ):
                alice.verify()
                bob.verify()
                for n in range(untagged):
                    # a post without our tag (another tag, so the text has a facet too)
                    bob.post(f"Post {n}: nothing to do with the chat, talking about lunch", "other")
                for n in range(tagged):
                    alice.post(f"A1 answer number {n} for the chat", TAG)
            deadline = time.monotonic() + 20
            while len(raw) < tagged + untagged and time.monotonic() < deadline:
                time.sleep(0.1)
            recorder.stop()
            thread.join(timeout=10)
        finally:
            pds.stop()
    flt = TagFilter(TAG)
    with_tag = [r for r in raw if flt.read(Frame.from_bytes(r)).posts]
    without = [r for r in raw if r not in with_tag and _is_post_commit(r)]
    return with_tag, without


def _is_post_commit(raw: bytes) -> bool:
    message = parse_subscribe_repos_message(Frame.from_bytes(raw))
    return isinstance(message, models.ComAtprotoSyncSubscribeRepos.Commit) and any(
        op.path.startswith("app.bsky.feed.post/") for op in message.ops
    )


def mix(with_tag: list[bytes], without: list[bytes], frames: int, share: float) -> list[bytes]:
    """`frames` frames, `share` of them with the tag, spread evenly."""
    ours = max(1, round(frames * share))
    every = frames // ours
    return [
        with_tag[(i // every) % len(with_tag)] if i % every == 0 else without[i % len(without)]
        for i in range(frames)
    ]


def decode_only(stream: list[bytes]) -> int:
    kept = 0
    for raw in stream:
        message = parse_subscribe_repos_message(Frame.from_bytes(raw))
        kept += message is not None
    return kept


def decode_records(stream: list[bytes]) -> int:
    kept = 0
    for raw in stream:
        message = parse_subscribe_repos_message(Frame.from_bytes(raw))
        car = CAR.from_bytes(message.blocks)
        for op in message.ops:
            if op.cid is not None and car.blocks.get(op.cid) is not None:
                record = models.get_or_create(car.blocks.get(op.cid), strict=False)
                kept += record is not None
    return kept


def run_filter(stream: list[bytes]) -> int:
    flt = TagFilter(TAG)
    return sum(len(flt.read(Frame.from_bytes(raw)).posts) for raw in stream)


def timed(name: str, work: Any, stream: list[bytes]) -> float:
    start = time.process_time()
    result = work(stream)
    seconds = time.process_time() - start
    rate = len(stream) / seconds
    figures = f"{len(stream):>7} frames  {seconds:7.3f} s CPU  {rate:>10,.0f} posts/s"
    print(f"{name:<18} {figures}  ({result})")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=50_000)
    parser.add_argument("--share", type=float, default=0.005)
    args = parser.parse_args()
    with_tag, without = record(tagged=10, untagged=40)
    print(f"recorded {len(with_tag)} tagged and {len(without)} untagged post commits")
    stream = mix(with_tag, without, args.frames, args.share)
    expected = sum(1 for raw in stream if raw in set(with_tag))
    base = timed("decode", decode_only, stream)
    timed("decode + records", decode_records, stream)
    rate = timed("filter", run_filter, stream)
    found = run_filter(stream)
    assert found == expected, f"the filter kept {found} posts, {expected} carry the tag"
    print(f"filter / decode-alone speed: {rate / base:.2f}x; kept {found} of {len(stream)}")


if __name__ == "__main__":
    main()
