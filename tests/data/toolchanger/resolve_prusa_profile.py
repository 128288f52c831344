#!/usr/bin/env python3
"""Writes one PrusaSlicer config (for --load) from a vendor bundle's printer, print and filament.

usage: resolve_prusa_profile.py BUNDLE.ini PRINTER PRINT FILAMENT > CONFIG.ini

Debian 13's PrusaSlicer 2.9.2 applies only the print preset of --printer-profile,
--print-profile and --material-profile; this follows each preset's `inherits` chain (parents
left to right, the preset's own keys last) in the bundle itself, as the application does.
"""
import re
import sys


def read_bundle(path):
    sections, current = {}, None
    with open(path, encoding="utf-8") as bundle:
        for raw in bundle:
            line = raw.rstrip("\n")
            header = re.match(r"^\[(\w+):(.+)\]\s*$", line)
            if header:
                current = sections.setdefault((header.group(1), header.group(2)), {})
            elif current is not None and " =" in line and not line.startswith("#"):
                key, _, value = line.partition(" =")
                current[key.strip()] = value[1:] if value.startswith(" ") else value
    return sections


def resolved(sections, kind, name):
    own = sections[(kind, name)]
    settings = {}
    for parent in own.get("inherits", "").split(";"):
        if parent.strip():
            settings.update(resolved(sections, kind, parent.strip().strip('"')))
    settings.update({key: value for key, value in own.items()
                     if key not in ("inherits", "renamed_from", "alias")})
    return settings


def main():
    bundle, printer, print_preset, filament = sys.argv[1:5]
    sections = read_bundle(bundle)
    printer_settings = resolved(sections, "printer", printer)
    tools = len(printer_settings["nozzle_diameter"].split(","))
    config = resolved(sections, "print", print_preset)
    config.update(resolved(sections, "filament", filament))
    config.update(printer_settings)
    config = {key: value for key, value in config.items() if not key.startswith("compatible_")}
    config["printer_settings_id"] = printer
    config["print_settings_id"] = print_preset
    config["filament_settings_id"] = ";".join(['"%s"' % filament] * tools)
    for key in sorted(config):
        print("%s = %s" % (key, config[key]))


if __name__ == "__main__":
    main()
