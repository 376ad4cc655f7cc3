#!/usr/bin/env python3
"""Longest stretches of back-to-back CPU samples per thread in a `perf script -F tid,time,ip,sym`
dump, with the functions they spent their samples in: where a thread ran without a break.

    perf record -e cpu-clock -F 1999 -g -p PID -o perf.data -- sleep 16
    perf script -i perf.data -F tid,time,ip,sym > script.txt
    python3 busy_runs.py script.txt 1999
"""
import re, sys, collections
header = re.compile(r'^\s*(\d+)\s+(\d+\.\d+):')
samples = []; cur = None
for line in open(sys.argv[1]):
    m = header.match(line)
    if m: cur = {'tid': int(m[1]), 't': float(m[2]), 'stack': []}; samples.append(cur)
    elif line.strip() and cur is not None: cur['stack'].append(' '.join(line.split()[1:]))
period = 1 / float(sys.argv[2])
bytid = collections.defaultdict(list)
for s in samples: bytid[s['tid']].append(s)
for tid, ss in sorted(bytid.items(), key=lambda kv: -len(kv[1])):
    ss.sort(key=lambda s: s['t']); runs = []; start = 0
    for i in range(1, len(ss) + 1):
        if i == len(ss) or ss[i]['t'] - ss[i - 1]['t'] > 2.5 * period:
            runs.append((ss[i - 1]['t'] - ss[start]['t'], start, i)); start = i
    runs.sort(reverse=True)
    print('tid', tid, 'samples', len(ss), 'longest busy runs (ms):', [round(r[0] * 1000, 1) for r in runs[:6]])
    for dur, a, b in runs[:2]:
        c = collections.Counter()
        for s in ss[a:b]:
            frames = [f for f in s['stack'] if 'unknown' not in f]
            c[' <- '.join(x[:70] for x in frames[:3])] += 1
        for k, v in c.most_common(3): print('    ', v, k)
