"""The private channel's frames, as Lamina's end reads them from a real socket pair: split
across reads, several in one read, and a runtime that breaks the framing or goes away."""

from __future__ import annotations

import asyncio
import socket

import pytest

from lamina.execution import channel


async def _pair() -> tuple[channel.FrameProtocol, socket.socket]:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_unix_connection(channel.FrameProtocol, sock=ours)
    theirs.setblocking(True)
    return protocol, theirs


def test_frames_split_across_reads_and_packed_into_one_arrive_whole_and_in_order() -> None:
    async def main() -> None:
        protocol, theirs = await _pair()
        first = channel.encode(channel.RESULT, {"n": 1}, b"x" * 200_000)
        second = channel.encode(channel.CHUNK, {}, b"piece")
        third = channel.encode(channel.RESULT, {"n": 3})
        data = first + second + third
        for start in range(0, len(data), 65_531):  # odd sizes: lengths split mid-way too
            theirs.sendall(data[start : start + 65_531])
            await asyncio.sleep(0)
        frames = [await protocol.next_frame() for _ in range(3)]
        assert [(f.kind, f.header, len(f.body)) for f in frames] == [
            (channel.RESULT, {"n": 1}, 200_000), (channel.CHUNK, {}, 5),
            (channel.RESULT, {"n": 3}, 0),
        ]  # fmt: skip
        protocol.write(channel.encode(channel.INVOKE, {"id": "a"}, b"{}"))
        assert channel.decode(theirs.recv(1024)[4:]) == channel.Frame(
            channel.INVOKE, {"id": "a"}, b"{}"
        )
        protocol.close()
        theirs.close()

    asyncio.run(main())


def test_a_closed_runtime_end_and_a_broken_frame_end_the_channel() -> None:
    async def main() -> None:
        protocol, theirs = await _pair()
        theirs.sendall(channel.encode(channel.READY, {}))
        theirs.close()
        assert (await protocol.next_frame()).kind == channel.READY  # what came before: kept
        with pytest.raises(channel.ChannelClosed):
            await protocol.next_frame()
        with pytest.raises(channel.ChannelClosed):
            protocol.write(b"late")

        protocol, theirs = await _pair()
        body = b"V" + (3).to_bytes(4, "big") + b"{{{"
        theirs.sendall(len(body).to_bytes(4, "big") + body)
        with pytest.raises(channel.ChannelClosed, match="unreadable frame"):
            await protocol.next_frame()
        theirs.close()

        protocol, theirs = await _pair()
        theirs.sendall((channel.MAX_FRAME + 1).to_bytes(4, "big"))
        with pytest.raises(channel.ChannelClosed, match="over the limit"):
            await protocol.next_frame()
        theirs.close()

    asyncio.run(main())
