#!/usr/bin/env python3
"""Snapshot cost and the verify matrix over the whole G-code corpus, through the real binary.

usage: benchmarks/prep_corpus.py [--strata build/cli/strata] [--corpus ../shared/corpus]
                                 [--matrix]

Cost: every file prepared with no options but the position mode (the default profile is
`compatibility`), and with each other mode; the distribution of the per-snapshot added time (from
the motion planner, at the file's own speeds and accelerations) over all snapshots of the corpus,
and how often a smart placement cost more than the layer change of the same layer. Then what the
default profile's time is made of: the same preps without the retraction and without the lift,
and with stabilization disabled (the snapshot taken where the head is: only the stop for the
M400 is left); the rest is the travel out and back. The camera's own capture time comes on top
at print time and is not in the model.
--matrix: every trigger x position mode x stabilization type on every file, each job checked by
`strata verify` (a separate process, both files re-simulated side by side).
Files without a believable bed are planned inside their own moves, as `strata prep` does.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile

def run(strata, args):
    done = subprocess.run([strata] + args, capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr

def corpus_files(root):
    for folder, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            if name.endswith((".gcode", ".g", ".gco")):
                yield os.path.join(folder, name)

def prep(strata, path, out, settings):
    args = ["prep", path, "-o", out, "--no-index", "--json"]
    for setting in settings:
        args += ["--set", setting]
    code, stdout, stderr = run(strata, args)
    return code, (json.loads(stdout) if code == 0 else stderr.strip())

def distribution(values):
    ordered = sorted(values)
    at = lambda q: ordered[int(q * (len(ordered) - 1))]
    return "n=%6d median=%.3f mean=%.3f p10=%.3f p25=%.3f p75=%.3f p90=%.3f" % (
        len(values), statistics.median(values), statistics.mean(values), at(0.1), at(0.25),
        at(0.75), at(0.9))

def added_times(strata, files, out, settings):
    times = []
    for path in files:
        code, result = prep(strata, path, out, settings)
        if code != 0:
            print("FAIL %s %s: %s" % (path, settings, result)); continue
        times += [s["time_added_s"] for s in result["per_snapshot"]]
    return times

def cost(strata, files, out):
    modes = ["layer_change", "fast", "compatibility", "high_quality", "snap_to_print"]
    times = {mode: [] for mode in modes}
    dearer = {mode: 0 for mode in modes}
    compared = 0
    for path in files:
        by_mode = {}
        for mode in modes:
            code, result = prep(strata, path, out, ['position.mode="%s"' % mode])
            if code != 0:
                print("FAIL %s %s: %s" % (path, mode, result)); continue
            # Layer-triggered snapshots only: marker lines (TIMELAPSE_TAKE_FRAME) share layers.
            by_mode[mode] = {s["layer"]: s["time_added_s"] for s in result["per_snapshot"]
                             if s["trigger"] == "layer"}
            times[mode] += [s["time_added_s"] for s in result["per_snapshot"]]
        base = by_mode.get("layer_change", {})
        for mode in ("fast", "compatibility", "high_quality"):
            for layer, seconds in by_mode.get(mode, {}).items():
                if layer in base:
                    compared += 1 if mode == "fast" else 0
                    dearer[mode] += seconds > base[layer] + 1e-9
    print("added time per snapshot (s), whole corpus, by position mode (compatibility is the "
          "default profile):")
    for mode in modes:
        values = times[mode]
        if values:
            print("  %-14s %s  dearer than the layer change: %d"
                  % (mode, distribution(values), dearer[mode]))
    print("  (layers compared per smart mode: %d)" % compared)
    default = statistics.median(times["compatibility"])
    print("what the default profile's median is made of:")
    parts = {}
    for name, settings in (("retraction", ["motion.retract=false"]),
                           ("lift", ["motion.lift=false"])):
        without = statistics.median(added_times(strata, files, out, settings))
        parts[name] = default - without
        print("  %-28s %.3f s (median %.3f without it)" % (name, parts[name], without))
    # Stabilization off: the snapshot is taken where the head is, with neither retraction nor
    # lift; what it costs is the stop for the M400 (decelerating to rest, accelerating again).
    stay = ['stabilization.x={"type":"disabled"}', 'stabilization.y={"type":"disabled"}']
    stop = statistics.median(added_times(strata, files, out, stay))
    print("  %-28s %.3f s (the median in place)" % ("stop for the M400", stop))
    print("  %-28s %.3f s (the rest)" % ("travel out and back",
                                          default - parts["retraction"] - parts["lift"] - stop))
    print("  (the camera's capture time comes on top at print time; it is not in the model)")

def matrix(strata, files, out):
    triggers = [["triggers.every_n_layers=1"], ["triggers.every_n_layers=0", "triggers.every_height_mm=0.8"],
                ["triggers.every_n_layers=0", "triggers.every_time_s=45"],
                ["triggers.every_n_layers=0", 'triggers.markers=["M107","@OCTOLAPSE TAKE-SNAPSHOT"]']]
    modes = ["layer_change", "fast", "compatibility", "high_quality", "snap_to_print"]
    stabilizations = [['stabilization.x={"type":"bed_percent","value":50}'],
                      ['stabilization.x={"type":"fixed_mm","value":0}', 'stabilization.y={"type":"fixed_mm","value":0}'],
                      ['stabilization.x={"type":"path_percent","path":[0,25,50,75,100]}'],
                      ['stabilization.x={"type":"disabled"}', 'stabilization.y={"type":"disabled"}']]
    jobs = failures = snapshots = 0
    for path in files:
        for trigger in triggers:
            for mode in modes:
                for stabilization in stabilizations:
                    settings = trigger + ['position.mode="%s"' % mode] + stabilization
                    code, result = prep(strata, path, out, settings)
                    jobs += 1
                    if code != 0:
                        failures += 1; print("PREP FAIL", path, settings, result); continue
                    snapshots += result["snapshots"]
                    code, stdout, _ = run(strata, ["verify", path, out])
                    if code != 0:
                        failures += 1; print("VERIFY FAIL", path, settings, stdout.strip())
        print("%-70s jobs so far %d, failures %d" % (os.path.basename(path), jobs, failures), flush=True)
    print("matrix: %d jobs, %d snapshots, %d failures" % (jobs, snapshots, failures))
    return failures

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--strata", default="build/cli/strata")
    parser.add_argument("--corpus", default="../shared/corpus")
    parser.add_argument("--matrix", action="store_true")
    args = parser.parse_args()
    files = list(corpus_files(args.corpus))
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "job.gcode")
        if args.matrix:
            sys.exit(1 if matrix(args.strata, files, out) else 0)
        cost(args.strata, files, out)

if __name__ == "__main__":
    main()
