#!/usr/bin/env python3
"""Timelapse render: `strata render` with its defaults against the ffmpeg command line with
OctoPrint's default settings (libx264 preset medium, one thread, 10 Mb/s), on the same frames,
alternating runs side by side. Also reports each video's SSIM against the source frames (all
planes and luma), which is how the default CRF was chosen: the same similarity as OctoPrint's.

Frames: 1920x1080 JPEGs of FFmpeg's testsrc2 with temporal noise (the worst case for a codec,
as in ../shared/reference/performance-anchors.md §5), made once into --frames.

usage: benchmarks/render_benchmark.py --strata build/cli/strata [--frames DIR] [--count 300]
       [--repeat 2]
"""
import argparse
import os
import re
import subprocess
import sys
import time


def steal_ticks():
    with open("/proc/stat") as stat:
        fields = stat.readline().split()
    return int(fields[8]), sum(int(value) for value in fields[1:9])


def make_frames(directory, count):
    os.makedirs(directory, exist_ok=True)
    if len([n for n in os.listdir(directory) if n.endswith(".jpg")]) == count:
        return
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=1920x1080:rate=25,noise=alls=6:allf=t",
                    "-frames:v", str(count), "-q:v", "3",
                    os.path.join(directory, "frame_%06d.jpg")], check=True)


def timed(command):
    steal_before, total_before = steal_ticks()
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - started
    steal_after, total_after = steal_ticks()
    steal = (steal_after - steal_before) / max(1, total_after - total_before)
    return wall, steal


def ssim(video, frames):
    output = subprocess.run(
        ["ffmpeg", "-v", "info", "-i", video, "-framerate", "25", "-i",
         os.path.join(frames, "frame_%06d.jpg"), "-lavfi", "[0:v][1:v]ssim", "-f", "null", "-"],
        capture_output=True, text=True, check=True).stderr
    match = re.search(r"SSIM Y:([\d.]+).*All:([\d.]+)", output)
    return float(match.group(1)), float(match.group(2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--strata", required=True)
    parser.add_argument("--frames", default="/tmp/strata_render_bench_frames")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    make_frames(args.frames, args.count)
    octoprint_video = "/tmp/strata_render_bench_octoprint.mp4"
    strata_video = "/tmp/strata_render_bench_strata.mp4"
    # OctoPrint's command template with its defaults (src/octoprint/schema/config/webcam.py).
    octoprint = ["ffmpeg", "-v", "error", "-framerate", "25", "-i",
                 os.path.join(args.frames, "frame_%06d.jpg"), "-vcodec", "libx264",
                 "-threads", "1", "-b:v", "10000k", "-f", "mp4", "-y", "-vf", "format=yuv420p",
                 octoprint_video]
    strata = [args.strata, "render", args.frames, "-o", strata_video, "--fps", "25"]
    print(f"{args.count} frames of 1920x1080, 2 cores; seconds per render (VM steal)")
    ratios = []
    for run in range(args.repeat):
        octoprint_s, octoprint_steal = timed(octoprint)
        strata_s, strata_steal = timed(strata)
        ratios.append(octoprint_s / strata_s)
        print(f"run {run + 1}: ffmpeg (OctoPrint defaults) {octoprint_s:6.2f} s "
              f"({octoprint_steal:.0%})  strata render {strata_s:6.2f} s ({strata_steal:.0%})  "
              f"-> {ratios[-1]:.1f}x, {args.count / strata_s:.1f} frames/s")
    for name, video in (("OctoPrint", octoprint_video), ("strata", strata_video)):
        luma, every = ssim(video, args.frames)
        size_mb = os.path.getsize(video) / 1e6
        print(f"{name:9s}: SSIM all {every:.4f}, luma {luma:.4f}, {size_mb:.1f} MB")
    print(f"speed-up: min {min(ratios):.1f}x, max {max(ratios):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
