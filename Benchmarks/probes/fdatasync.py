#!/usr/bin/env python3
"""Latency of one 300-byte write plus fdatasync on the filesystem of a directory: what a
journal commit under --durability fsync waits for, with nothing of ours in the path.

    python3 fdatasync.py [directory, default $TMPDIR] [seconds, default 10] [syncs per second, default: back to back] [append|zero-filled|direct]

`append` (the default) grows the file with each write, as journal segments did before
2026-12-01; `zero-filled` writes into a file zero-filled and fsynced first (64 MiB), as
JournalWriter's segments are now, so that fdatasync has no size to write; `direct` writes into
such a file with O_DIRECT | O_DSYNC instead, rewriting the page-aligned 4 KiB block that holds
the record (an alternative tried and not taken, 2026-12-01). Also prints the process's system
CPU time per sync (os.times, 10 ms ticks: use runs of seconds).
"""
import mmap, os, sys, time, tempfile
directory = sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir()
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10
rate = float(sys.argv[3]) if len(sys.argv) > 3 else 0  # syncs per second; 0: back to back
path = os.path.join(directory, "fdatasync-probe")
mode = sys.argv[4] if len(sys.argv) > 4 else "append"
if mode in ("zero-filled", "direct"):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    for _ in range(64):
        os.write(fd, bytes(1 << 20))
    os.fsync(fd)
    os.lseek(fd, 0, os.SEEK_SET)
    if mode == "direct":
        os.close(fd)
        fd = os.open(path, os.O_WRONLY | os.O_DIRECT | os.O_DSYNC)
else:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
record = b"x" * 300
block = mmap.mmap(-1, 4096)  # page-aligned, as O_DIRECT needs
offset = 0
samples = []
cpu_before = os.times().system
end = time.perf_counter() + seconds
next_at = time.perf_counter()
while time.perf_counter() < end:
    if rate:
        now = time.perf_counter()
        if now < next_at:
            time.sleep(next_at - now)
        next_at += 1 / rate
    start = time.perf_counter()
    if mode == "direct":
        if offset % 4096 + len(record) > 4096:
            offset += 4096 - offset % 4096
            block[:] = bytes(4096)
        block[offset % 4096:offset % 4096 + len(record)] = record
        os.pwrite(fd, block, offset - offset % 4096)
        offset += len(record)
    else:
        os.write(fd, record)
        os.fdatasync(fd)
    samples.append((time.perf_counter() - start) * 1000)
system_per_sync = (os.times().system - cpu_before) / len(samples) * 1e6
os.close(fd); os.unlink(path)
samples.sort()
q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
print(f"{len(samples)} syncs, {len(samples)/seconds:.0f}/s: p50 {q(.5):.2f} ms  p90 {q(.9):.2f}  p99 {q(.99):.2f}  p99.9 {q(.999):.2f}  max {samples[-1]:.2f}  system CPU {system_per_sync:.0f} µs/sync")
