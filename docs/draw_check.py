#!/usr/bin/env python3
"""Recomputes a Guichet draw from docs/draw.md alone: draw_check.py TRANSCRIPT REGISTRATIONS.csv.
Standard library only, so BLS (§9 step 5) is skipped and said so; Rust's `draw verify` does it."""
import hashlib, hmac, json, sys

def h(b): return hashlib.sha256(b).digest()

def check(t, rows):
    s = t["settings"]
    reveal = bytes.fromhex(t["reveal"])
    yield "commitment", t["commitment"], h(reveal).hex()
    yield "count", t["count"], len(rows)
    rows.sort(key=lambda r: r[0])
    text = "registration_id,account_id,club\n" + "".join(f"{i},{a},{c}\n" for i, a, c in rows)
    fp = h(text.encode())
    yield "fingerprint", t["fingerprint"], fp.hex()
    rnd = h(bytes.fromhex(t["beacon"]["signature"]))
    yield "beacon.randomness", t["beacon"]["randomness"], rnd.hex()
    n, skip = len(rows), s["skip"]
    winners = min(s["inventory"] // s["expected_tickets_per_winner"], max(n - skip, 0))
    yield "settings.winners", s["winners"], winners
    seed = h(reveal + fp + rnd)
    key = lambda r: (hmac.new(seed, t["draw"].encode() + r[0].to_bytes(8, "big"), "sha256").digest(), r[0])
    top = sorted(rows, key=key)[skip:skip + winners]
    club_days = s["club_from"] < s["club_until"]
    cur = {True: [s["club_from"], 0], False: [s["others_from"], 0]}
    results = []
    for pos, (i, _, c) in enumerate(top, start=skip + 1):
        on_club = c == 1 and club_days
        k = cur[on_club]
        start = k[0]
        k[1] += 1
        if k[1] == s["hour_capacity"]: k[0], k[1] = k[0] + 3600, 0
        if (on_club and start >= s["club_until"]) or start + s["slot_seconds"] > s["sale_closes"]:
            yield "results", "slots that fit", f"SLOTS_FULL at position {pos}"
        results.append([pos, i, start])
    for n, mine in enumerate(results):
        theirs = t["results"][n] if n < len(t["results"]) else None
        yield f"results[{n}]", theirs, mine
    yield "results", f"{len(t['results'])} entries", f"{len(results)} entries"
    text = "".join(f"{p},{i},{st}\n" for p, i, st in results)
    yield "results_hash", t["results_hash"], h(text.encode()).hex()

def main(transcript, csv_path):
    t = json.load(open(transcript))
    lines = open(csv_path).read().splitlines()
    assert lines[0].strip() == "registration_id,account_id,club", "bad header"
    rows = [(int(i), a, int(c)) for i, a, c in (l.strip().split(",") for l in lines[1:] if l.strip())]
    for field, theirs, mine in check(t, rows):
        if theirs != mine:
            print(f"DIFFERS at {field}: transcript has {theirs}, recomputed {mine}")
            return 1
    print("MATCH (BLS signature of the beacon not checked: use `guichet-server draw verify`)")
    return 0

if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
