#!/usr/bin/env python3
"""Upload benchmark: a large G-code file uploaded to `strata serve` the way a slicer does it
(curl, multipart, X-Api-Key), then followed until the server has analysed and prepared it.

Reports, per run: the upload's time and MB/s, the time and MB/s from the upload's first byte to
"ready" (analysed, time-estimated, snapshot plan, annotated job written and verified), and how
far the server's peak RSS (VmHWM) rose above its resident size before the upload. The server
runs in its own process on a fresh data directory; the VM's steal is shown beside each run.

usage: upload_benchmark.py --strata build-release/cli/strata [--file F] [--repeat N] [--pause S]
`--pause S` waits S seconds before each run. Back to back, a run writes into the memory the last
one freed; on a VM that hands freed memory back to its host, a pause of 20 s or more makes every
run fault in new memory, as an upload after an idle spell does. The default file is build/bench/sphere_500.gcode (`scripts/make-large-gcode
build/bench/sphere_500.gcode 5`, about 500 MB).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request


def proc_status_kb(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def steal_s():
    with open("/proc/stat") as stat:
        values = stat.readline().split()[1:]
    return int(values[7]) / os.sysconf("SC_CLK_TCK")


def file_item(port, key, name):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/files/local/{name}",
                                     headers={"X-Api-Key": key})
    with urllib.request.urlopen(request) as answer:
        item = json.load(answer)
    return item


def run_once(strata, path):
    data = tempfile.mkdtemp(prefix="strata-upload-bench-")
    try:
        created = subprocess.run([strata, "user", "add", "bench", "--admin", "--json", "--data",
                                  data], check=True, capture_output=True, text=True)
        key = json.loads(created.stdout)["api_key"]
        server = subprocess.Popen([strata, "serve", "--data", data, "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, text=True)
        first = server.stdout.readline()
        port = int(first.split("127.0.0.1:")[1].split("/")[0])
        time.sleep(0.5)
        rss_before_kb = proc_status_kb(server.pid, "VmRSS")
        name = os.path.basename(path)
        steal_before = steal_s()
        started = time.monotonic()
        upload = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"X-Api-Key: {key}",
             "-F", f"file=@{path};type=application/octet-stream",
             f"http://127.0.0.1:{port}/api/files/local"], capture_output=True, text=True)
        uploaded = time.monotonic()
        if upload.stdout != "201":
            raise SystemExit(f"upload answered {upload.stdout}")
        state, error, item = "stored", "", {}
        while state in ("stored", "analyzing"):
            time.sleep(0.05)
            item = file_item(port, key, name)
            state, error = item["strata"]["state"], item["strata"].get("error", "")
        ready = time.monotonic()
        passes = item.get("gcodeAnalysis", {}).get("strata", {})
        peak_kb = proc_status_kb(server.pid, "VmHWM")
        steal = steal_s() - steal_before
        server.terminate()
        server.wait()
        if state != "ready":
            raise SystemExit(f"the file ended {state}: {error}")
        return {
            "upload_s": uploaded - started,
            "ready_s": ready - started,
            "rss_before_mb": rss_before_kb / 1024,
            "peak_rise_mb": (peak_kb - rss_before_kb) / 1024,
            "steal_s": steal,
            "plan_s": passes.get("plan_s", 0.0),
            "splice_s": passes.get("splice_s", 0.0),
        }
    finally:
        shutil.rmtree(data, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strata", required=True)
    parser.add_argument("--file", default="build/bench/sphere_500.gcode")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--pause", type=float, default=0.0)
    options = parser.parse_args()
    size_mb = os.path.getsize(options.file) / 1e6
    print(f"file {options.file}: {size_mb:.1f} MB")
    for run in range(options.repeat):
        time.sleep(options.pause)
        result = run_once(options.strata, options.file)
        print(f"run {run + 1}: upload {result['upload_s']:.2f} s "
              f"({size_mb / result['upload_s']:.0f} MB/s), ready after {result['ready_s']:.2f} s "
              f"({size_mb / result['ready_s']:.1f} MB/s of file; pass one {result['plan_s']:.2f} s, "
              f"pass two {result['splice_s']:.2f} s); peak RSS "
              f"+{result['peak_rise_mb']:.1f} MB over {result['rss_before_mb']:.1f} MB; "
              f"steal {result['steal_s']:.2f} s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
