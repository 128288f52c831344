#!/usr/bin/env python3
"""Writes a PrusaSlicer 3MF of N cylinders in a ring, object k printed by tool k.

usage: five_tools_3mf.py OUT.3mf [TOOLS=5] [HEIGHT_MM=3] [CENTER_X=80] [CENTER_Y=80]

Every layer then changes tool N times. Each object's tool is its `extruder` in
Metadata/Slic3r_PE_model.config, as PrusaSlicer writes it.
"""
import math
import sys
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="model" ContentType='
    '"application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/></Types>')
RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Target="/3D/3dmodel.model" Id="rel0" '
    'Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/></Relationships>')


def cylinder(center_x, center_y, radius, height, sides=48):
    vertices = [(center_x, center_y, 0.0), (center_x, center_y, height)]
    for i in range(sides):
        angle = 2 * math.pi * i / sides
        x, y = center_x + radius * math.cos(angle), center_y + radius * math.sin(angle)
        vertices += [(x, y, 0.0), (x, y, height)]
    triangles = []
    for i in range(sides):
        bottom, top = 2 + 2 * i, 3 + 2 * i
        next_bottom, next_top = 2 + 2 * ((i + 1) % sides), 3 + 2 * ((i + 1) % sides)
        triangles += [(0, next_bottom, bottom), (1, top, next_top),
                      (bottom, next_bottom, next_top), (bottom, next_top, top)]
    return vertices, triangles


def main():
    out = sys.argv[1]
    tools = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    height = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
    center_x = float(sys.argv[4]) if len(sys.argv) > 4 else 80.0
    center_y = float(sys.argv[5]) if len(sys.argv) > 5 else 80.0
    meshes = []
    for k in range(tools):
        angle = 2 * math.pi * k / tools
        meshes.append(cylinder(center_x + 35 * math.cos(angle), center_y + 35 * math.sin(angle),
                               6 + 2 * k, height))
    model = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<model unit="millimeter" xml:lang="en-US" '
             'xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">', '<resources>']
    config = ['<?xml version="1.0" encoding="UTF-8"?>', '<config>']
    for k, (vertices, triangles) in enumerate(meshes):
        model.append('<object id="%d" type="model"><mesh><vertices>' % (k + 1))
        model += ['<vertex x="%.4f" y="%.4f" z="%.4f"/>' % vertex for vertex in vertices]
        model.append('</vertices><triangles>')
        model += ['<triangle v1="%d" v2="%d" v3="%d"/>' % triangle for triangle in triangles]
        model.append('</triangles></mesh></object>')
        config += ['<object id="%d" instances_count="1">' % (k + 1),
                   '<metadata type="object" key="name" value="tool%d"/>' % (k + 1),
                   '<metadata type="object" key="extruder" value="%d"/>' % (k + 1),
                   '<volume firstid="0" lastid="%d">' % (len(triangles) - 1),
                   '<metadata type="volume" key="name" value="tool%d"/>' % (k + 1),
                   '<metadata type="volume" key="volume_type" value="ModelPart"/>',
                   '</volume></object>']
    model.append('</resources><build>')
    model += ['<item objectid="%d"/>' % (k + 1) for k in range(tools)]
    model.append('</build></model>')
    config.append('</config>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELATIONSHIPS)
        archive.writestr("3D/3dmodel.model", "\n".join(model))
        archive.writestr("Metadata/Slic3r_PE_model.config", "\n".join(config))


if __name__ == "__main__":
    main()
