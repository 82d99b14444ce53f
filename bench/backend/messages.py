"""Deterministic test messages for the backend benchmark.

Every message is a plain RFC 5322 text message with CRLF line ends. Sizes are exact, so both
servers store and send the same number of bytes. The word list never contains the search
needle; `small_message` puts it in chosen messages only.
"""

import random

WORDS = (
    "the of and to in is that for it as was with be by on not he this are or his from at which "
    "but have an they you were her she there been one all we their has would when if so no will "
    "can more other about many then them these some could into only time two may first like "
    "over such our even most after also made did well where through back years much before "
    "must right people mail server message folder account report meeting budget quarter invoice "
    "schedule project review draft attached please thanks regards tomorrow monday friday update "
    "release network storage backup archive customer support ticket question answer office team"
).split()

NEEDLE = "needle"


def _lines(rng, count):
    out = []
    for _ in range(count):
        n = rng.randint(8, 13)
        out.append(" ".join(rng.choice(WORDS) for _ in range(n)))
    return out


_FILLER_RNG = random.Random(1)
# 64 KiB-ish of text lines, reused to fill large messages (line structure matters, not variety).
_FILLER = ("\r\n".join(_lines(_FILLER_RNG, 1100)) + "\r\n").encode()


def headers(index, subject, size_hint=""):
    return (
        f"From: Sender {index % 97} <sender{index % 97}@example.org>\r\n"
        f"To: Bench User <user@example.com>\r\n"
        f"Subject: {subject}\r\n"
        f"Date: Mon, 3 Nov 2025 {index % 24:02d}:{index % 60:02d}:{(index * 7) % 60:02d} +0000\r\n"
        f"Message-ID: <{index}.{size_hint}bench@example.org>\r\n"
        f"MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=us-ascii\r\n"
        f"\r\n"
    ).encode()


def sized_message(size, index):
    """A message of exactly `size` bytes (size >= 512)."""
    head = headers(index, f"sized message {index} of {size} bytes", f"s{size}.")
    need = size - len(head) - 2
    reps = need // len(_FILLER) + 1
    body = (_FILLER * reps)[:need]
    # The cut may fall inside a line: the final CRLF ends it.
    return head + body + b"\r\n"


def small_message(index, needle_indices, rng):
    """A small realistic message (roughly 0.8-3 KB); contains NEEDLE when index is listed."""
    lines = _lines(rng, rng.randint(8, 35))
    if index in needle_indices:
        at = rng.randrange(len(lines))
        lines[at] = lines[at] + " " + NEEDLE
    subject = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8)))
    return headers(index, subject) + ("\r\n".join(lines) + "\r\n").encode()


def needle_indices(count):
    """Which of `count` messages carry the needle: five, spread out."""
    return {count // 7, count // 3, count // 2 + 1, (count * 4) // 5, count - 2}
