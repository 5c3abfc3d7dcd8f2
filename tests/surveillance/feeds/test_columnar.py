"""Column-wise decoding against message-by-message decoding and against oracles written here: the CRC-24 residual
by bitwise polynomial division, the parity verdicts by the rules of the Mode S standard, the address policy by a
plain loop (`verified_count`), and whole batches of real, coded, corrupted and hostile frames, where a batch
decoded at once must give the same observations and counters as the same frames decoded one by one."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonsky.surveillance.feeds.columnar import Verdict, classify, pack, residuals
from commonsky.surveillance.feeds.decode import COLUMNAR_FROM, ModeSDecoder
from commonsky.surveillance.feeds.modes import MLAT_HZ, RawFrame
from commonsky.surveillance.feeds.records import Observation

ADDRESS_PARITY = (0, 4, 5, 16, 20, 21)


def _one_by_one(frames: list[RawFrame], **options: object) -> tuple[list[Observation], dict[str, int]]:
    decoder = ModeSDecoder(start_s=1.0e9, **options)  # type: ignore[arg-type]
    found = [decoder.decode(f, 2.0e9) for f in frames]
    return [o for o in found if o is not None], decoder.counters.snapshot()


def _batch(frames: list[RawFrame], size: int = 10**9, **options: object) -> tuple[list[Observation], dict[str, int]]:
    decoder = ModeSDecoder(start_s=1.0e9, **options)  # type: ignore[arg-type]
    found = []
    for i in range(0, len(frames), size):
        found += decoder.decode_many(frames[i : i + size], 2.0e9)
    return found, decoder.counters.snapshot()


def _corrupted(msgs: list[bytes], seed: int) -> list[bytes]:
    """The messages with some bits flipped, some cut short or padded, and some Mode A/C frames among them."""
    rng = random.Random(seed)
    out = []
    for msg in msgs:
        roll = rng.random()
        if roll < 0.1:
            bit = rng.randrange(len(msg) * 8)
            msg = (int.from_bytes(msg, "big") ^ 1 << bit).to_bytes(len(msg), "big")
        elif roll < 0.13:
            msg = msg[: rng.randrange(len(msg))]
        elif roll < 0.15:
            msg = msg + bytes([rng.randrange(256)])
        elif roll < 0.17:
            out.append(bytes([rng.randrange(256), rng.randrange(256)]))
        out.append(msg)
    return out


def test_residuals_are_the_polynomial_remainder(
    real_messages: list[bytes], crc24_remainder: Callable[[bytes], int]
) -> None:
    msgs = _corrupted(real_messages, 1)
    rows, sizes = pack(msgs)
    assert [bytes(r[:s]) for r, s in zip(rows, sizes.tolist(), strict=True)] == [m[:14] for m in msgs]
    expected = [crc24_remainder(m) if len(m) in (7, 14) else -1 for m in msgs]
    assert residuals(rows, sizes).tolist() == expected


def test_verdicts_follow_the_standard(real_messages: list[bytes], crc24_remainder: Callable[[bytes], int]) -> None:
    msgs = _corrupted(real_messages, 2) + [bytes([df << 3]) + bytes(6) for df in range(32)]
    msgs += [bytes([df << 3]) + bytes(13) for df in range(32)]
    verdict, df, address = classify(*pack(msgs), residuals(*pack(msgs)))
    for msg, v, d, a in zip(msgs, verdict.tolist(), df.tolist(), address.tolist(), strict=True):
        if len(msg) == 2:
            assert v == Verdict.MODE_AC
            continue
        fmt = min(msg[0] >> 3, 24) if msg else 0
        assert d == fmt
        if len(msg) != (7 if fmt < 16 else 14):
            assert (v, a) == (Verdict.FAILED, -1)
        elif fmt in (17, 18) or fmt == 11:
            clean = crc24_remainder(msg) < (128 if fmt == 11 else 1)
            assert v == (Verdict.OK if clean else Verdict.FAILED)
            assert a == (int.from_bytes(msg[1:4], "big") if clean else -1)
        elif fmt in ADDRESS_PARITY:
            assert (v, a) == (Verdict.ADDRESS, crc24_remainder(msg))
        else:
            assert (v, a) == (Verdict.UNSUPPORTED, -1)


@pytest.mark.parametrize("size", [COLUMNAR_FROM, 500, 10**9])
def test_real_frames_decode_as_one_by_one(
    real_messages: list[bytes], verified_count: Callable[[list[bytes]], int], size: int
) -> None:
    msgs = _corrupted(real_messages, 3)
    frames = [RawFrame(m, mlat_ticks=1 + i * 1200) for i, m in enumerate(msgs)]
    batch = _batch(frames, size)
    assert batch == _one_by_one(frames)
    assert len(batch[0]) == verified_count(msgs) - batch[1]["undecoded"]
    assert batch[0][0].timestamp_s == 1.0e9 and batch[0][-1].timestamp_s > 1.0e9


def test_every_code_decodes_as_one_by_one(coded_messages: list[bytes]) -> None:
    frames = [RawFrame(m, timestamp_s=float(i)) for i, m in enumerate(coded_messages)]
    batch = _batch(frames, trust_address_parity=True)
    assert batch == _one_by_one(frames, trust_address_parity=True)
    assert len(batch[0]) == len(coded_messages)  # each decoded: natively or by rs1090


def test_listed_addresses_verify_or_contradict(real_messages: list[bytes]) -> None:
    """hexcsv lists an address beside each frame: equal, it verifies a reply; different, it is a CRC failure."""
    rng = random.Random(4)
    frames = []
    for i, msg in enumerate(real_messages[:3000]):
        listed = ModeSDecoder(trust_address_parity=True).decode(RawFrame(msg), 0.0)
        name = None if listed is None or rng.random() < 0.3 else listed.icao24
        if name is not None and rng.random() < 0.1:
            name = f"{rng.getrandbits(24):06x}"
        frames.append(RawFrame(msg, timestamp_s=float(i), expected_icao24=name))
    batch = _batch(frames)
    assert batch == _one_by_one(frames)
    assert batch[1]["crc_failures"] > 100


def test_a_reply_before_its_verifying_squitter_is_dropped(
    df17: Callable[..., bytes], crc24_remainder: Callable[[bytes], int]
) -> None:
    squitter = df17(4 << 51, 0x3C6586)
    head = bytes([4 << 3, 0, 0x10, 0x30])  # a DF4 whose parity overlays 3c6586 on the CRC of its first 4 bytes
    df4 = head + (crc24_remainder(head + bytes(3)) ^ 0x3C6586).to_bytes(3, "big")
    frames = [RawFrame(df4, timestamp_s=0.0)] * 20 + [RawFrame(squitter, timestamp_s=1.0)]
    frames += [RawFrame(df4, timestamp_s=2.0)] * 20
    found, counters = _batch(frames)
    assert (counters["unverified"], counters["decoded"]) == (20, 21)
    assert [o.icao24 for o in found] == ["3c6586"] * 21


def test_the_verified_addresses_carry_over_from_batch_to_batch(real_messages: list[bytes]) -> None:
    frames = [RawFrame(m, timestamp_s=float(i)) for i, m in enumerate(real_messages)]
    assert _batch(frames, 64) == _one_by_one(frames)


def test_mixed_clocks_time_frames_as_one_by_one(real_messages: list[bytes]) -> None:
    """Frames with wall-clock stamps, with a 12 MHz counter, with none (timed on reception), and a counter that
    restarts: each is timed as `decode` times it."""
    rng = random.Random(5)
    frames, ticks = [], 10 * MLAT_HZ
    for msg in real_messages[:5000]:
        ticks = rng.randrange(MLAT_HZ) if rng.random() < 0.002 else ticks + rng.randrange(MLAT_HZ // 100)
        roll = rng.random()
        stamp = float(rng.randrange(10**9)) if roll < 0.1 else None
        frames.append(RawFrame(msg, mlat_ticks=0 if roll > 0.95 else ticks, timestamp_s=stamp))
    batch = _batch(frames, 700)
    assert batch == _one_by_one(frames)
    assert len({o.timestamp_s for o in batch[0]}) > 1000


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(st.integers(0, 10**6), min_size=COLUMNAR_FROM, max_size=300),
    noise=st.lists(st.binary(min_size=0, max_size=16), max_size=40),
    trust=st.booleans(),
    picture=st.booleans(),
)
def test_any_batch_decodes_as_one_by_one(
    real_messages: list[bytes], picks: list[int], noise: list[bytes], trust: bool, picture: bool
) -> None:
    msgs = [real_messages[p % len(real_messages)] for p in picks] + noise
    random.Random(len(picks)).shuffle(msgs)
    frames = [RawFrame(m, mlat_ticks=1 + i * 600) for i, m in enumerate(msgs)]
    decoder = ModeSDecoder(start_s=1.0e9, trust_address_parity=trust, picture_only=picture)
    reference = ModeSDecoder(start_s=1.0e9, trust_address_parity=trust, picture_only=picture)
    kept = frames if not picture else [f for f in frames if len(f.msg) > 2 and f.msg[0] >> 3 in (5, 17, 18, 21)]
    reference.counters.skipped = len(frames) - len(kept)
    expected = [o for o in (reference.decode(f, 2.0e9) for f in kept) if o is not None]
    assert decoder.decode_many(frames, 2.0e9) == expected
    assert decoder.counters == reference.counters
