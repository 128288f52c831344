#!/usr/bin/env python3
"""Timelapse wait after the print: real prints on the virtual printer (time-scaled), captured at
every snapshot from the virtual camera at 1920x1080 over HTTP, rendered incrementally by
`strata print --timelapse`. For each file it reports how long after the print's last line the
video was ready, beside what rendering the same frames after the print (`strata render`, the
one-shot path) takes. The wait should stay flat as prints get longer; the one-shot grows.

usage: benchmarks/timelapse_benchmark.py --strata build/cli/strata
       [--file GCODE --time-scale X]...   (defaults: a small cube and a Benchy from the corpus)
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RUNS = [
    (os.path.join(HERE, "..", "tests", "data", "ps281_mini_cube_m486.gcode"), 0.05),
    (os.path.join(HERE, "..", "..", "shared", "corpus", "prusaslicer",
                  "ps271_benchy_arcfit_m486.gcode"), 0.01),
]


def run_one(strata, gcode, time_scale, workdir):
    printer = subprocess.Popen(
        [strata, "virtual-printer", "--time-scale", str(time_scale), "--webcam", "0",
         "--webcam-size", "1920x1080"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        pty = printer.stdout.readline().strip()
        snapshot_url = printer.stdout.readline().split()[1]
        profile = os.path.join(workdir, "profile.json")
        with open(profile, "w") as out:
            out.write("{}")
        timelapse = os.path.join(workdir, "timelapse")
        started = time.monotonic()
        printed = subprocess.run(
            [strata, "print", gcode, "--port", pty, "--profile", profile, "--camera",
             snapshot_url, "--timelapse", timelapse], capture_output=True, text=True)
        print_s = time.monotonic() - started
        if printed.returncode != 0:
            raise RuntimeError(f"strata print failed: {printed.stderr[-500:]}")
        match = re.search(r"timelapse (\S+): (\d+) frames, ready ([\d.]+) s after the print",
                          printed.stderr)
        if not match:
            raise RuntimeError(f"no timelapse line: {printed.stderr[-500:]}")
        frames = re.search(r"frames of camera0: (\S+)", printed.stderr).group(1)
        started = time.monotonic()
        subprocess.run([strata, "render", frames, "-o", os.path.join(workdir, "again.mp4")],
                       check=True, stdout=subprocess.DEVNULL)
        one_shot_s = time.monotonic() - started
        return int(match.group(2)), float(match.group(3)), one_shot_s, print_s
    finally:
        printer.terminate()
        printer.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--strata", required=True)
    parser.add_argument("--file", action="append", default=[])
    parser.add_argument("--time-scale", action="append", type=float, default=[])
    args = parser.parse_args()
    runs = list(zip(args.file, args.time_scale)) if args.file else DEFAULT_RUNS
    print("file                                  frames  print s  ready after print s  "
          "one-shot render s")
    for gcode, time_scale in runs:
        workdir = tempfile.mkdtemp(prefix="strata_timelapse_bench_")
        try:
            frames, ready_s, one_shot_s, print_s = run_one(
                os.path.abspath(args.strata), gcode, time_scale, workdir)
            print(f"{os.path.basename(gcode):38s} {frames:6d} {print_s:8.1f} {ready_s:20.2f} "
                  f"{one_shot_s:18.2f}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
