"""The Bluesky repository reader on a real CAR: posts, a reply and a repost written to the local
PDS, the repository fetched with com.atproto.sync.getRepo, read back by formats.bluesky_car."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pds_support import LocalPds

from hashchat.bridges.bluesky import BlueskyAccount
from hashchat.formats.bluesky_car import open_bluesky_car


def test_a_real_repository_car_reads_back(pds: LocalPds, tmp_path: Path) -> None:
    with BlueskyAccount(pds.service, "bob.test", pds.password) as bob:
        bob.verify()
        did = pds.accounts["bob.test"]
        question = bob.post("Q1 What do you teach? 📚", "CarChat")
        answer = bob.post("A1 数学です, and a little physics ⚛️", "CarChat", (question, question))
        bob.client.com.atproto.repo.create_record(
            {
                "repo": did,
                "collection": "app.bsky.feed.repost",
                "record": {
                    "$type": "app.bsky.feed.repost",
                    "subject": {"uri": question.external_id, "cid": question.cid},
                    "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                },
            }
        )
        car = bob.client.com.atproto.sync.get_repo({"did": did})
    path = tmp_path / "repo.car"
    path.write_bytes(car)
    archive = open_bluesky_car(path)
    assert archive.owner == did
    posts = {p.external_id: p for p in archive.posts()}
    assert posts[question.external_id].text.startswith("Q1 What do you teach? 📚")
    assert posts[answer.external_id].reply_to == question.external_id
    assert "数学です" in posts[answer.external_id].text
    reposts = [p for p in posts.values() if p.repost_of == question.external_id]
    assert len(reposts) == 1
    assert reposts[0].external_id.startswith(f"at://{did}/app.bsky.feed.repost/")
