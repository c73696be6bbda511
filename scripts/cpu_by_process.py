#!/usr/bin/env python3
"""CPU seconds per command while a command runs: samples /proc every 0.5 s and, on SIGTERM or
SIGINT, writes OUT (per command name) and OUT.detail (kehoach, postgres and chromium by command
line). Usage: python3 scripts/cpu_by_process.py OUT & P=$!; cargo xtask test; kill $P"""
import os, sys, time, signal, collections
tick = os.sysconf('SC_CLK_TCK')
seen = {}  # pid,starttime -> (comm, cpu, cmdline)
first = True
def sample():
    for p in os.listdir('/proc'):
        if not p.isdigit(): continue
        try:
            s = open(f'/proc/{p}/stat').read()
        except Exception: continue
        r = s.rfind(')'); comm = s[s.find('(')+1:r]; f = s[r+2:].split()
        cpu = (int(f[11]) + int(f[12])) / tick; start = f[19]
        key = (p, start)
        if key not in seen:
            try: cl = open(f'/proc/{p}/cmdline').read().replace('\0',' ')[:400]
            except Exception: cl = ''
            seen[key] = [comm, cpu, cl, cpu if first else 0.0]
        else: seen[key][1] = cpu
t0 = time.time()
out = sys.argv[1]
def done(*a):
    by = collections.defaultdict(float); n = collections.Counter()
    for (comm, cpu, cl, b) in seen.values():
        cpu -= b
        k = comm
        if comm.startswith('it-') or 'deps/it-' in cl: k = 'it(test binary)'
        by[k] += cpu; n[k] += 1
    import json, re
    det = collections.defaultdict(float); cnt = collections.Counter()
    for (comm, cpu, cl, b) in seen.values():
        if comm in ('kehoach','postgres','chromium','chromium-headle'):
            c = re.sub(r'/tmp/\S+|\d+', '#', cl)
            c = re.sub(r'--data-dir \S+ |--database-url \S+ ', '', c)
            det[comm + ': ' + c[:90]] += cpu - b
            cnt[comm + ': ' + c[:90]] += 1
    with open(out + '.detail', 'w') as o:
        for k, v in sorted(det.items(), key=lambda x: -x[1])[:60]:
            o.write(f'{v:9.1f}  {cnt[k]:5d}  {k}\n')
    with open(out, 'w') as o:
        o.write(f'wall {time.time()-t0:.0f} s\n')
        for k, v in sorted(by.items(), key=lambda x: -x[1])[:40]:
            o.write(f'{v:9.1f}  {n[k]:5d}  {k}\n')
    sys.exit(0)
signal.signal(signal.SIGTERM, done); signal.signal(signal.SIGINT, done)
base = {}
# ignore time consumed before start
sample(); first = False
while True:
    sample(); time.sleep(0.5)
