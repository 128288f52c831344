; Units, relative moves, workspace offsets, absolute extrusion, an R arc, firmware retraction with a hop, a tool change.
G21
M82
G28
G92 E0
G1 Z0.3 F1200
G1 X10 Y10 F6000
G1 X20 Y10 E2
G91
G1 X5 E0.5
G1 Y5
G90
G92 X0 Y0
G1 X5 Y0 E3
G2 X15 Y0 R5 E4
M207 S1.5 F1800 Z0.4
G10
G1 X0 Y0
G11
G20
G91
G1 X1 E0.01
G21
T1
G1 Y-2 E0.5
